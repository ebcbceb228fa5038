"""Lists as Obsidian renders them.

Python-Markdown needs a blank line before a list and four spaces per nesting level; Obsidian
(like CommonMark) starts a list right after a paragraph line and nests by 2 spaces, 3 spaces or a
tab. :func:`normalise_lists` rewrites list indentation to Python-Markdown's form (only leading
whitespace changes, and a blank line is added before a list that follows a paragraph line), and
turns ``1)`` markers into ``1.``. The page's block structure is read the CommonMark way by
:mod:`hooks.obsidian.blocks`; this is only the fallback for quotes and callouts written inside raw
HTML (``<div markdown>``), which that reader leaves to Python-Markdown.
"""

from __future__ import annotations

import re

from hooks.obsidian.textscan import LIST_ITEM, display_math_lines, expand_indent, indented_code_lines

HR = re.compile(r"^[ ]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)")
HTML_OR_TABLE_OR_HEADING = re.compile(r"^[ ]{0,3}(<|\||#{1,6}(\s|$)|>)")
ATX = re.compile(r"^[ ]{0,3}#{1,6}(\s|$)")
TAB = 4  # Python-Markdown's tab_length


def normalise_lists(lines: list[str]) -> list[str]:
    out: list[str] = []
    code = indented_code_lines(lines)
    # TeX lines of a $$ block (a line "- b" or "+") are math, never list items: before, they became
    # items and broke the formula apart. (They are still indented like any line of a list item.)
    math = display_math_lines(lines)
    stack: list[tuple[int, int, bool]] = []  # (original marker indent, level, ordered) of open items
    prev_kind = "blank"  # blank | para | item | cont (text inside an item) | other
    pending_merge = False  # an empty item ("2." alone) takes the next line as its content
    for i, line in enumerate(lines):
        if pending_merge:
            pending_merge = False
            if line.strip() and expand_indent(line) > stack[-1][0]:
                out[-1] = out[-1].rstrip() + " " + line.strip()
                continue
        if i in code:
            out.append(line)
            prev_kind = "other"
            continue
        if not line.strip():
            out.append(line)
            prev_kind = "blank"
            continue
        m = None if i in math else LIST_ITEM.match(line)
        if m and not HR.match(line):
            indent = expand_indent(m.group("indent"))
            if not stack and indent >= TAB:
                out.append(line)  # deeper than a list can start: leave it to Markdown
                prev_kind = "other"
                continue
            ordered = m.group("marker")[0].isdigit()
            sibling = None
            while stack and indent <= stack[-1][0]:
                if indent == stack[-1][0]:
                    sibling = stack.pop()
                    break
                stack.pop()
            level = stack[-1][1] + 1 if stack else 0
            stack.append((indent, level, ordered))
            if prev_kind == "para" or (prev_kind == "cont" and level > 0) or (
                    sibling and sibling[2] != ordered and prev_kind != "blank"):
                # A list may interrupt a paragraph, and '-' after '1.' starts a new list (CommonMark).
                # (Not a second blank line after one: normalising normalised lines changes nothing.)
                out.append("")
            marker = m.group("marker")
            if marker.endswith(")"):
                marker = marker[:-1] + "."
            rest = line[m.end("marker"):]
            out.append(" " * (TAB * level) + marker + rest)
            pending_merge = not rest.strip()
            prev_kind = "item"
            continue
        indent = expand_indent(line)
        if stack and indent == 0 and (HR.match(line) or ATX.match(line)):
            # A thematic break or a heading ends the list (no lazy continuation, no setext heading).
            if prev_kind != "blank":  # (one blank line; adding another each pass was not idempotent)
                out.append("")
            stack.clear()
            out.append(line)
            prev_kind = "other"
            continue
        if stack and indent > 0:
            # A continuation line of the deepest item it is indented under.
            owner = next((lvl for ind, lvl, _ in reversed(stack) if indent > ind), 0)
            out.append(" " * (TAB * (owner + 1)) + line.lstrip(" \t"))
            prev_kind = "cont"
            continue
        if prev_kind == "blank":
            stack.clear()
        out.append(line)
        if HTML_OR_TABLE_OR_HEADING.match(line) or FENCE.match(line) or HR.match(line):
            prev_kind = "other"
        else:
            prev_kind = "cont" if stack else "para"
    return out


