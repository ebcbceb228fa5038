"""Headings as Obsidian and GitHub write them, with ids that never collide.

* ``#tag`` at the start of a line is a tag, not a heading: a heading needs a space after the
  ``#``s (CommonMark), so the stock 'hashheader' processor is replaced.
* Heading ids are GitHub-style Unicode slugs (:mod:`hooks.slugs`), assigned here before the toc
  runs, made unique against ids that hand-written HTML (``<a id="x">``) already uses.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor

from hooks.slugs import slugify, unique

RAW_ID = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
HEADING_TAG = re.compile(r"^h[1-6]$")


class StrictHashHeaderProcessor(HashHeaderProcessor):
    RE = re.compile(r"(?:^|\n)(?P<level>#{1,6})(?=[ \t]|\n|$)(?P<header>(?:\\.|[^\\])*?)#*(?:\n|$)")


class HeadingIdTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        used = {el.get("id") for el in root.iter() if el.get("id")}
        for raw in self.md.htmlStash.rawHtmlBlocks:
            used.update(RAW_ID.findall(str(raw)))
        for el in root.iter():
            if isinstance(el.tag, str) and HEADING_TAG.match(el.tag) and "id" not in el.attrib:
                name = strip_tags(render_inner_html(remove_fnrefs(el), self.md))
                el.set("id", unique(slugify(html.unescape(name)) or "section", used))


def register(md: Markdown, header_priority: float, id_priority: float) -> None:
    md.parser.blockprocessors.register(StrictHashHeaderProcessor(md.parser), "hashheader", header_priority)
    md.treeprocessors.register(HeadingIdTreeprocessor(md), "obsidian-heading-ids", id_priority)
