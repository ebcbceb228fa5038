"""Obsidian callouts ``> [!type] title`` rendered as Material admonitions.

All 13 Obsidian types and their aliases, case-insensitive; unknown types look like ``note`` but
keep their name; ``-``/``+`` fold markers make a ``<details>`` (collapsed/expanded); nesting to
any depth (the body is parsed again, so callouts, code, math, lists and tables work inside).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown import util
from markdown.blockprocessors import BlockProcessor, BlockQuoteProcessor

from hooks.obsidian.lists import normalise_lists

# Obsidian type -> (canonical type, Material admonition class)
TYPES: dict[str, str] = {
    "note": "note",
    "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success",
    "question": "question", "help": "question", "faq": "question",
    "warning": "warning", "caution": "warning", "attention": "warning",
    "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote", "cite": "quote",
}
# Material has no 'todo' style; Obsidian draws it blue like 'info'.
MATERIAL_CLASS = {"todo": "info"}

QUOTE_LINE = re.compile(r"^[ ]{0,3}>[ ]?")
HEADER = re.compile(r"^[ ]{0,3}>[ ]?\[!(?P<type>[^\]\s|]+)(?:\|(?P<meta>[^\]]*))?\](?P<fold>[+-]?)(?:[ \t]+(?P<title>.*?))?[ \t]*$")


def box(parent: etree.Element, written_type: str, fold: str, title: str, meta: str = "") -> etree.Element:
    """The callout's element (a <details> when folded, else an admonition <div>) with its title;
    the caller parses the body into it. Also used by :mod:`hooks.obsidian.blocks`."""
    title = title or written_type[:1].upper() + written_type[1:].lower()
    canonical, css = classify(written_type)
    if fold:
        el = etree.SubElement(parent, "details", {"class": f"{css} callout", "data-callout": canonical})
        if fold == "+":
            el.set("open", "open")
        etree.SubElement(el, "summary").text = title
    else:
        el = etree.SubElement(parent, "div", {"class": f"admonition {css} callout", "data-callout": canonical})
        etree.SubElement(el, "p", {"class": "admonition-title"}).text = title
    if written_type.lower() != canonical:
        el.set("data-callout-alias", written_type.lower())
    if meta.strip():  # Obsidian callout metadata: '> [!question|hot|hard]'
        el.set("data-callout-metadata", meta.strip().lower())
    return el


def classify(name: str) -> tuple[str, str]:
    """Return (canonical type, CSS class) for a callout type as written."""
    canonical = TYPES.get(name.lower())
    if canonical is None:
        return name.lower(), "note"
    return canonical, MATERIAL_CLASS.get(canonical, canonical)


def html_blocks(md: Markdown, lines: list[str]) -> list[str]:
    """Stash the raw HTML blocks of a quote's content, as the top-level preprocessors do for the page.

    Those preprocessors never saw them (every line began with '>'), so ``<details>`` in a callout
    became ``<p><details><br />`` and the page's HTML was malformed; now Markdown inside it renders
    as at the top level (md_in_html, :mod:`hooks.obsidian.html_blocks`).
    """
    for name in ("obsidian-html-markdown", "html_block"):
        if name in md.preprocessors:
            lines = md.preprocessors[name].run(lines)
    return lines


class CalloutProcessor(BlockProcessor):
    def test(self, parent: etree.Element, block: str) -> bool:
        # Near Python's recursion limit (absurdly deep nesting) the rest stays a plain quote/paragraph.
        return bool(HEADER.match(block.split("\n", 1)[0])) and not util.nearing_recursion_limit()

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        lines = blocks.pop(0).split("\n")
        header = HEADER.match(lines[0])
        box_el = box(parent, header.group("type"), header.group("fold"), header.group("title") or "",
                     header.group("meta") or "")
        body = html_blocks(self.parser.md, normalise_lists([QUOTE_LINE.sub("", line, count=1) for line in lines[1:]]))
        if any(line.strip() for line in body):
            self.parser.parseChunk(box_el, "\n".join(body))


class QuoteProcessor(BlockQuoteProcessor):
    """The stock blockquote, with Obsidian's list rules applied to its content as in callouts."""

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks[0]
        m = self.RE.search(block)
        if m:
            lines = html_blocks(self.parser.md, normalise_lists([self.clean(line) for line in block[m.start():].split("\n")]))
            blocks[0] = block[: m.start()] + "\n".join("> " + line for line in lines)
        super().run(parent, blocks)


def register(md: Markdown, priority: float) -> None:
    md.parser.blockprocessors.register(CalloutProcessor(md.parser), "obsidian-callout", priority)
    md.parser.blockprocessors.register(QuoteProcessor(md.parser), "quote", 20)
