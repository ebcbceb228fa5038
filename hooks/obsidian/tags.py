"""Inline Obsidian tags: ``#tag``, nested ``#a/b/c``, Chinese tags.

A tag starts after whitespace, punctuation or the line start, and runs over letters, digits,
``_``, ``-`` and ``/`` until whitespace or punctuation (Chinese punctuation too). Not a tag: pure
numbers (``#123``), an escaped ``\\#x``, ``page#section`` in a word or URL, anything in code. Each
tag becomes a link to the tag index and is attached to the page's tag set.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor

from hooks import state
from hooks.site.tags import tag_anchor

TAG = r"(?<![\w/#&\\:.])#(?P<tag>[\w/-]*[^\W\d][\w/-]*)"


class TagProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        tag = m.group("tag").strip("/")
        end = m.start("tag") + len(m.group("tag").rstrip("/"))
        el = etree.Element("a", {"class": "tag", "href": f"{self.tags_url()}#{tag_anchor(tag)}"})
        el.text = f"#{tag}"
        if state.current and state.current.page:
            state.current.page.add_tag(tag)
        return el, m.start(0), end

    def tags_url(self) -> str:
        """The tag index as a Markdown link relative to the note; MkDocs turns it into the page URL."""
        return "../" * state.page_path().count("/") + "tags.md"


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(TagProcessor(TAG, md), "obsidian-tag", priority)
