"""Helpers for preprocessors that must skip code: inline code spans and indented code blocks.

Fenced code is already stashed (a placeholder line) when our preprocessors run; these helpers
cover what is not.
"""

from __future__ import annotations

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


LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+|$)")
