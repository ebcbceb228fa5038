"""Lists as Obsidian renders them.

Python-Markdown needs a blank line before a list and four spaces per nesting level; Obsidian
(like CommonMark) starts a list right after a paragraph line and nests by 2 spaces, 3 spaces or a
tab. :func:`normalise_lists` rewrites list indentation to Python-Markdown's form (only leading
whitespace changes, and a blank line is added before a list that follows a paragraph line), and
turns ``1)`` markers into ``1.``. It runs on the page (a preprocessor, after fenced code is
stashed) and on every callout body, so lists inside callouts behave the same.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from hooks.obsidian.textscan import LIST_ITEM, expand_indent, indented_code_lines

HR = re.compile(r"^[ ]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)")
HTML_OR_TABLE_OR_HEADING = re.compile(r"^[ ]{0,3}(<|\||#{1,6}(\s|$)|>)")
TAB = 4  # Python-Markdown's tab_length


def normalise_lists(lines: list[str]) -> list[str]:
    out: list[str] = []
    code = indented_code_lines(lines)
    stack: list[tuple[int, int]] = []  # (original marker indent, level) of the open list items
    prev_kind = "blank"  # blank | para | list | other
    for i, line in enumerate(lines):
        if i in code:
            out.append(line)
            prev_kind = "other"
            continue
        if not line.strip():
            out.append(line)
            prev_kind = "blank" if prev_kind != "blank" else "blank"
            continue
        m = LIST_ITEM.match(line)
        if m and not HR.match(line):
            indent = expand_indent(m.group("indent"))
            if not stack and indent >= TAB:
                out.append(line)  # deeper than a list can start: leave it to Markdown
                prev_kind = "other"
                continue
            while stack and indent <= stack[-1][0]:
                if indent == stack[-1][0]:
                    stack.pop()
                    break
                stack.pop()
            level = stack[-1][1] + 1 if stack else 0
            stack.append((indent, level))
            if level == 0 and prev_kind == "para":
                out.append("")  # Obsidian starts a list right after a paragraph line
            marker = m.group("marker")
            if marker.endswith(")"):
                marker = marker[:-1] + "."
            rest = line[m.end("marker"):]
            out.append(" " * (TAB * level) + marker + rest)
            prev_kind = "list"
            continue
        indent = expand_indent(line)
        if stack and indent > 0:
            # A continuation line of the deepest item it is indented under.
            owner = next((lvl for ind, lvl in reversed(stack) if indent > ind), 0)
            out.append(" " * (TAB * (owner + 1)) + line.lstrip(" \t"))
            prev_kind = "list"
            continue
        if prev_kind == "blank":
            stack.clear()
        out.append(line)
        prev_kind = "other" if (HTML_OR_TABLE_OR_HEADING.match(line) or FENCE.match(line)) else (
            "list" if stack else "para")
    return out


class ListPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return normalise_lists(lines)


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(ListPreprocessor(md), "obsidian-lists", priority)
