"""Markdown inside HTML blocks renders as on GitHub.

GitHub renders the Markdown between ``<details>``/``<div>`` tags (after a blank line); Python-Markdown
keeps such blocks raw unless they carry ``markdown="1"``. This preprocessor adds the attribute
(``markdown="span"`` on ``<summary>``) so md_in_html parses the content.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.preprocessors import Preprocessor

OPEN_TAG = re.compile(r"^(?P<lead>[ ]{0,3}<(?P<tag>details|div|section|summary)\b)(?P<attrs>[^>]*)>", re.I)


class HtmlMarkdownPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            m = OPEN_TAG.match(line)
            if m and "markdown=" not in m.group("attrs"):
                mode = "span" if m.group("tag").lower() == "summary" else "1"
                line = f'{m.group("lead")}{m.group("attrs")} markdown="{mode}">' + line[m.end():]
            out.append(line)
        return out


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(HtmlMarkdownPreprocessor(md), "obsidian-html-markdown", priority)
