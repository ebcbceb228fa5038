"""Helpers for preprocessors that must skip code: inline code spans and indented code blocks.

Fenced code is already stashed (a placeholder line) when our preprocessors run; these helpers
cover what is not. :func:`strip_comments` removes Obsidian's ``%%`` comments (here, not in
:mod:`hooks.obsidian.comments`, so the vault's checks can use it without the build state).
"""

from __future__ import annotations

import bisect
import re

BACKTICKS = re.compile(r"`+")


BLANK_LINE = re.compile(r"\n[ \t]*\n")


def code_span_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of inline code spans (CommonMark: a run of N backticks closed by N).

    A span never crosses a blank line: each paragraph is scanned on its own.
    """
    ranges: list[tuple[int, int]] = []
    start = 0
    for gap in [*BLANK_LINE.finditer(text), None]:
        end = gap.start() if gap else len(text)
        ranges.extend(_spans(text, start, end))
        start = gap.end() if gap else end
    return ranges


def _spans(text: str, pos: int, stop: int) -> list[tuple[int, int]]:
    ranges = []
    while True:
        m = BACKTICKS.search(text, pos, stop)
        if not m:
            return ranges
        close = re.compile(r"(?<!`)" + m.group() + r"(?!`)")
        end = close.search(text, m.end(), stop)
        if not end:
            pos = m.end()
            continue
        ranges.append((m.start(), end.end()))
        pos = end.end()


def expand_indent(line: str) -> int:
    """Width of the leading whitespace, a tab counting to the next multiple of 4."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def indented_code_lines(lines: list[str]) -> set[int]:
    """Indices of lines that form indented code blocks (4+ columns after a blank line, outside lists)."""
    code: set[int] = set()
    prev_blank, in_code, in_list = True, False, False
    for i, line in enumerate(lines):
        blank = not line.strip()
        indent = expand_indent(line)
        if blank:
            prev_blank = True
            continue
        if in_code and indent >= 4:
            code.add(i)
        elif prev_blank and indent >= 4 and not in_list:
            in_code = True
            code.add(i)
        else:
            in_code = False
            if indent == 0:
                in_list = bool(LIST_ITEM.match(line)) or (in_list and not prev_blank)
            elif LIST_ITEM.match(line):
                in_list = True
        prev_blank = False
    return code


def display_math_lines(lines: list[str]) -> set[int]:
    """Indices of the lines of closed ``$$`` display blocks: the opening line (which starts with an
    unpaired ``$$``) to the next line with a ``$$``. A TeX line such as ``- b`` or ``+`` in there is
    math, not a list item."""
    math: set[int] = set()
    start = None
    for i, line in enumerate(lines):
        count = len(DISPLAY_MARK.findall(line))
        if start is None:
            if line.lstrip(" \t>").startswith("$$") and count % 2:
                start = i
        elif count:
            math.update(range(start, i + 1))
            start = None
    return math


DISPLAY_MARK = re.compile(r"(?<![\\$])\$\$(?!\$)")
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+|$)")


MARK = "%%"


def strip_comments(text: str, protected_lines: set[int] = frozenset()) -> tuple[str, int | None]:
    """Return ``text`` without comments, and the 1-based line of an unclosed ``%%`` if any.

    Inline code and indented code keep their ``%%``, and so do the lines in ``protected_lines``
    (indices: fenced code, when the text still has it).
    """
    lines = text.split("\n")
    protected_lines = indented_code_lines(lines) | set(protected_lines)
    # Character ranges that are code: inline spans, and whole indented-code lines.
    protected: list[tuple[int, int]] = code_span_ranges(text)
    offset = 0
    for i, line in enumerate(lines):
        if i in protected_lines:
            protected.append((offset, offset + len(line)))
        offset += len(line) + 1
    merged: list[tuple[int, int]] = []  # a code span may lie inside an indented-code line: merge them
    for start, end in sorted(protected):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    protected = merged
    starts = [start for start, _ in protected]

    def in_code(pos: int) -> tuple[int, int] | None:
        # Binary search: a long note has thousands of code spans (a linear scan per %% was quadratic).
        i = bisect.bisect_right(starts, pos) - 1
        return protected[i] if i >= 0 and pos < protected[i][1] else None

    out, pos = [], 0
    while True:
        at = text.find(MARK, pos)
        while at >= 0 and (span := in_code(at)):
            at = text.find(MARK, span[1])
        if at < 0:
            out.append(text[pos:])
            return "".join(out), None
        end = text.find(MARK, at + 2)
        while end >= 0 and (span := in_code(end)):
            end = text.find(MARK, span[1])
        out.append(text[pos:at])
        if end < 0:
            return "".join(out), text.count("\n", 0, at) + 1
        # Keep the comment's line breaks so later line numbers still match the note.
        out.append("\n" * text.count("\n", at, end))
        pos = end + 2
