"""Obsidian comments ``%%…%%``, inline or spanning lines: removed before anything renders.

Removed at the Markdown level, so they never reach the HTML or the search index. Inline code,
indented code and (already stashed) fenced code keep their ``%%``. An unclosed ``%%`` hides the
rest of the note, as in Obsidian, and is reported with its line.
"""

from __future__ import annotations

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from hooks import state
from hooks.obsidian.textscan import code_span_ranges, indented_code_lines

MARK = "%%"


def strip_comments(text: str) -> tuple[str, int | None]:
    """Return ``text`` without comments, and the 1-based line of an unclosed ``%%`` if any."""
    lines = text.split("\n")
    protected_lines = indented_code_lines(lines)
    # Character ranges that are code: inline spans, and whole indented-code lines.
    protected: list[tuple[int, int]] = code_span_ranges(text)
    offset = 0
    for i, line in enumerate(lines):
        if i in protected_lines:
            protected.append((offset, offset + len(line)))
        offset += len(line) + 1
    protected.sort()

    def in_code(pos: int) -> tuple[int, int] | None:
        for start, end in protected:
            if start <= pos < end:
                return start, end
            if start > pos:
                return None
        return None

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


class CommentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text, unclosed = strip_comments("\n".join(lines))
        if unclosed is not None and state.current:
            state.current.problem(
                "unclosed %% comment: everything after it is hidden, as in Obsidian",
                "close the comment with a second %%",
                line=state.current.line_of("", body_line=unclosed),
            )
        return text.split("\n")


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(CommentPreprocessor(md), "obsidian-comments", priority)
