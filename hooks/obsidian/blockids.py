"""Block ids: ``^block-id`` at the end of a paragraph or list item is hidden and becomes its anchor.

``[[note#^block-id]]`` links and ``![[note#^block-id]]`` embeds point at it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor

BLOCK_ID = re.compile(r"(?:^|\s)\^(?P<id>[A-Za-z0-9-]+)\s*$")


class BlockIdTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
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


def register(md: Markdown, priority: float) -> None:
    md.treeprocessors.register(BlockIdTreeprocessor(md), "obsidian-block-ids", priority)
