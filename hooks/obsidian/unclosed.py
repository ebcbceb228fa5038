"""Unclosed code fences and ``$$`` math: found in the note's own text, reported with their line.

Run by the vault index (:meth:`hooks.vault.VaultIndex.add_note`) on every note, so the build and the
note linter report them the same way. They are checked here, on the note as written, and not
while rendering: by then fenced code is stashed as one placeholder line per block and the line
numbers no longer match the note. (An unclosed ``%%`` is reported by :mod:`hooks.obsidian.comments`.)

* An unclosed fence is code to the end of the note (or of its callout), as in Obsidian; the
  renderer closes it there (:mod:`hooks.obsidian.fences`). A warning, since the rest of the note
  silently becoming code is rarely what the author meant.
* An odd number of ``$$`` outside code and comments: the last one has no partner and the math
  shows as text. A warning naming that ``$$``'s line.
"""

from __future__ import annotations

from hooks.obsidian.fences import scan
from hooks.obsidian.textscan import DISPLAY_MARK, code_span_ranges, indented_code_lines, strip_comments
from hooks.problems import Problem


def unclosed_math(lines: list[str], fenced: set[int] | None = None) -> int | None:
    """Index of the line of a ``$$`` that is never closed, or None."""
    skip = (scan(lines)[2] if fenced is None else fenced) | indented_code_lines(lines)
    text = "\n".join("" if i in skip else line for i, line in enumerate(lines))
    text, _ = strip_comments(text)  # keeps line breaks, so lines still count right
    parts, pos = [], 0
    for start, end in code_span_ranges(text):  # blank inline code, keeping its length
        parts += [text[pos:start], " " * (end - start)]
        pos = end
    text = "".join(parts) + text[pos:]
    marks = [m.start() for m in DISPLAY_MARK.finditer(text)]
    return text.count("\n", 0, marks[-1]) if len(marks) % 2 else None


def check(path: str, body: str, first_line: int) -> list[Problem]:
    """Problems of a note's body; ``first_line`` is the note's line number of the body's first line."""
    lines = body.split("\n")
    _, unclosed, fenced = scan(lines)
    problems = [
        Problem(path, first_line + i, f"unclosed code fence {lines[i].strip()[:40]!r}: the rest of the "
                + ("callout" if lines[i].lstrip().startswith(">") else "note") + " is shown as code, as in Obsidian",
                "close the block with a matching fence line", "warning")
        for i in unclosed
    ]
    at = unclosed_math(lines, fenced)
    if at is not None:
        problems.append(Problem(path, first_line + at, "unclosed $$: this $$ has no closing $$, so the math shows as text",
                                "close the formula with a second $$", "warning"))
    return problems
