"""Code fences as Obsidian reads them, ahead of superfences.

* A fence may interrupt a paragraph, as in CommonMark and Obsidian. superfences only recognises a
  fence after a blank line, so a note that writes a sentence and then ```` ``` ```` on the next line
  would show its code as a paragraph. This preprocessor runs just before superfences and adds the
  blank line (inside a blockquote or callout: a bare ``>`` line).
* Tabs and blank-looking lines inside fenced code are kept: Python-Markdown's whitespace
  normalisation expands every tab of the note into spaces and empties lines of spaces, which
  broke code that needs its tabs (a Makefile) and made a block's code differ from the code that
  ran (:mod:`hooks.examples`). It is replaced by one that leaves fenced code alone (only the tabs
  of the indentation that nests a fence in a list are expanded, which superfences needs).
* An unclosed fence is code up to the end of the note, or of the callout or quote it opened in, as
  in Obsidian (superfences would show it as a paragraph of text and render the code's
  ``[[links]]`` and ``#tags``): the closing fence is added there. The vault reports it with its line
  (:func:`unclosed_fences`).

The separator never changes a line inside a fence.
"""

from __future__ import annotations

import re

from markdown import Markdown, util
from markdown.preprocessors import Preprocessor

# The quote prefix is possessive ('*+'): with a plain '*' a line of many '> ' markers that is not a
# fence backtracks exponentially (the space after each '>' can go to '[ ]?', the next '[ ]{0,3}' or
# the indent), so a 30-deep nested callout hung the build. Giving back part of the prefix can never
# turn a non-fence into a fence, so the matches are the same.
FENCE = re.compile(r"^(?P<prefix>(?:[ ]{0,3}>[ ]?)*+)(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


QUOTE = re.compile(r"^(?:[ ]{0,3}>[ ]?)*+")


def _depth(line: str) -> int:
    return QUOTE.match(line).group().count(">")


def scan(lines: list[str]) -> tuple[list[str], list[int], set[int]]:
    """Read the fences of a note: (lines as superfences should see them, indices of the opening lines
    of unclosed fences, indices of every line that is a fence or inside one)."""
    out, unclosed, spans = _scan(lines)
    return out, unclosed, {i for first, last in spans for i in range(first, last + 1)}


def _scan(lines: list[str]) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    out: list[str] = []
    unclosed: list[int] = []
    spans: list[tuple[int, int]] = []  # (opening line, last line) of each fence
    open_fence = None  # (opening match, index of the opening line, quote depth)

    def close_here(last: int) -> None:
        m, start, _ = open_fence
        out.append(m.group("prefix") + m.group("indent") + m.group("fence"))
        unclosed.append(start)
        spans.append((start, last))

    for i, line in enumerate(lines):
        m = FENCE.match(line)
        if open_fence is not None and open_fence[2] and _depth(line) < open_fence[2]:
            close_here(i - 1)  # the callout or quote ended, and its code block with it
            open_fence = None
        if open_fence is None:
            if m and not ("`" in m.group("info") and m.group("fence")[0] == "`"):
                prev = out[-1] if out else ""
                prefix = m.group("prefix")
                if prev.strip() and prev.strip() != prefix.strip():
                    out.append(prefix.rstrip())
                open_fence = (m, i, prefix.count(">"))
        else:
            fence = open_fence[0].group("fence")
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) \
                    and not m.group("info").strip():
                spans.append((open_fence[1], i))
                open_fence = None
        out.append(line)
    if open_fence is not None:
        close_here(len(lines) - 1)
    return out, unclosed, spans


def separate_fences(lines: list[str]) -> list[str]:
    return scan(lines)[0]


def unclosed_fences(lines: list[str]) -> list[int]:
    """Indices of the opening lines of fences that are never closed."""
    return scan(lines)[1]


def fenced_lines(lines: list[str]) -> set[int]:
    """Indices of the lines that are code fences or inside one."""
    return scan(lines)[2]


def _expand_lead(line: str, width: int | None, tab: int) -> str:
    """Expand the tabs of a line's leading quote markers and indentation (up to column ``width``)."""
    col = i = 0
    while i < len(line) and (width is None or col < width) and line[i] in " \t>":
        col = col + tab - col % tab if line[i] == "\t" else col + 1
        i += 1
    return line[:i].expandtabs(tab) + line[i:]


def normalise_whitespace(lines: list[str], tab: int) -> list[str]:
    """Python-Markdown's NormalizeWhitespace, except inside fenced code (see the module docstring)."""
    source = "\n".join(lines).replace(util.STX, "").replace(util.ETX, "")
    lines = (source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n").split("\n")
    out = [line.expandtabs(tab) for line in lines]
    out = [line if i == 0 or line.strip(" ") else "" for i, line in enumerate(out)]
    for first, last in _scan(lines)[2]:
        m = FENCE.match(lines[first])
        width = len((m.group("prefix") + m.group("indent")).expandtabs(tab))
        for i in range(first, last + 1):
            # A fence line's whole lead is container (quote markers, list indentation); a code
            # line's only as far as the opening fence's lead reaches.
            is_fence = i in (first, last) and FENCE.match(lines[i])
            out[i] = _expand_lead(lines[i], None if is_fence else width, tab)
    return out


class WhitespaceNormaliser(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return normalise_whitespace(lines, self.md.tab_length)


def register(md: Markdown) -> None:
    md.preprocessors.register(WhitespaceNormaliser(md), "normalize_whitespace", 30)  # replaces the stock one
