"""Markdown inside HTML blocks renders as on GitHub.

GitHub renders the Markdown between ``<details>``/``<div>`` tags (after a blank line); Python-Markdown
keeps such blocks raw unless they carry ``markdown="1"``. This preprocessor adds the attribute
(``markdown="span"`` on ``<summary>``) so md_in_html parses the content.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.preprocessors import Preprocessor

# A line of nothing but inline/paragraph tags, e.g. "<p><strong>" opening an answer whose Markdown
# follows after a blank line (GitHub ends the HTML block there and renders the Markdown).
TAGS_ONLY = re.compile(r"^\s*(?:</?(?:p|strong|b|em|i|span|u|mark)\b[^>]*>\s*)+$", re.I)
CLOSE_CONTAINER = re.compile(r"</(?:details|div|section)\s*>", re.I)
OPEN_TAG = re.compile(r"^(?P<lead>[ ]{0,3}<(?P<tag>details|div|section|summary)\b)(?P<attrs>[^>]*)>", re.I)


class HtmlMarkdownPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = []
        depth = 0  # open <details>/<div> blocks whose content is Markdown
        for line in lines:
            m = OPEN_TAG.match(line)
            if m and "markdown=" not in m.group("attrs"):
                tag = m.group("tag").lower()
                mode = "span" if tag == "summary" else "1"
                line = f'{m.group("lead")}{m.group("attrs")} markdown="{mode}">' + line[m.end():]
                depth += tag != "summary"
            elif depth and TAGS_ONLY.match(line):
                # Kept verbatim as its own raw block, so the Markdown around it still renders and the
                # browser balances the tags as it does on GitHub (nothing is sanitised).
                out.extend(["", self.md.htmlStash.store(line.strip()), ""])
                continue
            depth = max(0, depth - len(CLOSE_CONTAINER.findall(line)))
            out.append(line)
        return out


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(HtmlMarkdownPreprocessor(md), "obsidian-html-markdown", priority)
