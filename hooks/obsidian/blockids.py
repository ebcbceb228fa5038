"""Block ids: ``^block-id`` at the end of a paragraph or list item is hidden and becomes its anchor.

``[[note#^block-id]]`` links and ``![[note#^block-id]]`` embeds point at it.

A block id on a line of its own after a callout, quote, table or list (Obsidian's rule for blocks
that cannot end in a text line; a blank line separates them) belongs to that block: the id moves to
it and the line disappears. Every question callout carries one (``^q-…``, see hooks/drill).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor

BLOCK_ID = re.compile(r"(?:^|\s)\^(?P<id>[A-Za-z0-9-]+)\s*$")
OWN_LINE = re.compile(r"^\s*\^(?P<id>[A-Za-z0-9-]+)\s*$")
# Blocks that take the id of the line after them; a callout is a <details> or a <div class="… callout">.
TAKERS = ("blockquote", "table", "ul", "ol", "details")


def _takes_id(el: etree.Element) -> bool:
    return el.tag in TAKERS or (el.tag == "div" and "callout" in el.get("class", "").split())


class BlockIdTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.attach_own_lines(root)
        for el in [e for e in root.iter() if e.tag in ("p", "li")]:
            last = el[-1] if len(el) else None
            text = (last.tail if last is not None else el.text) or ""
            m = BLOCK_ID.search(text)
            if not m or "id" in el.attrib:
                continue
            if last is not None:
                last.tail = text[: m.start()].rstrip()
            else:
                el.text = text[: m.start()].rstrip()
            el.set("id", "^" + m.group("id"))

    def attach_own_lines(self, root: etree.Element) -> None:
        for parent in [e for e in root.iter() if len(e)]:
            children = list(parent)
            for before, p in zip(children, children[1:]):
                m = OWN_LINE.match(p.text or "") if p.tag == "p" and not len(p) else None
                if m and _takes_id(before) and "id" not in before.attrib:
                    before.set("id", "^" + m.group("id"))
                    before.tail = (before.tail or "") + (p.tail or "")
                    parent.remove(p)


def register(md: Markdown, priority: float) -> None:
    md.treeprocessors.register(BlockIdTreeprocessor(md), "obsidian-block-ids", priority)
