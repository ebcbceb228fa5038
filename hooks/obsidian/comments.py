"""Obsidian comments ``%%…%%``, inline or spanning lines: removed before anything renders.

Removed at the Markdown level, so they never reach the HTML or the search index. Inline code,
indented code and fenced code keep their ``%%``. An unclosed ``%%`` hides the
rest of the note, as in Obsidian, and is reported with its line.
"""

from __future__ import annotations

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from hooks import state
from hooks.obsidian.fences import fenced_lines
from hooks.obsidian.textscan import strip_comments


class CommentPreprocessor(Preprocessor):
    # Runs first, on the note's own lines (fenced code not stashed yet: its lines are protected), so
    # a comment spanning lines is gone before the block structure is read (:mod:`hooks.obsidian.blocks`).
    def run(self, lines: list[str]) -> list[str]:
        text, unclosed = strip_comments("\n".join(lines), protected_lines=fenced_lines(lines))
        build = state.current
        if unclosed is not None and build and not getattr(self.md, "llm_kb_nested", False):
            build.problem(
                "unclosed %% comment: everything after it is hidden, as in Obsidian",
                "close the comment with a second %%",
                line=build.line_of("", body_line=unclosed),
            )
        return text.split("\n")


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(CommentPreprocessor(md), "obsidian-comments", priority)
