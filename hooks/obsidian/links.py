"""Markdown links and images, as CommonMark (and Obsidian) read them.

One processor for ``[text](destination "title")``, ``[text][label]``, ``[text][]`` and ``[text]``,
and one for the same forms after ``!`` (images), replace Python-Markdown's six link and image
processors, which differ from CommonMark in many small ways: a destination with spaces
(``[a](/my uri)``) was a link, ``<…>`` destinations and backslash escapes or entities in
destinations and titles were kept literally, a ``(title)`` in parentheses was not a title, a link
could contain another link, ``[foo] [bar]`` with a space was a reference link, labels were only
lowercased (CommonMark folds case: ``[ẞ]`` matches ``[SS]:``) and a later definition of the same
label won over the first.

The grammar is markdown-it-py's (``markdown_it.helpers.parseLinkDestination`` / ``parseLinkTitle``,
``normalizeReference``, ``normalizeLink`` for percent-encoding the URL); the link text is found
the CommonMark way: brackets balance, a backslash escapes a bracket, and raw HTML tags and
autolinks inside the text are skipped over, so a ``]`` inside them does not end the text. A link
whose text holds another link is not a link (its brackets stay text, the inner link stays). An
image's ``alt`` is the plain text of its description (``![foo *bar*]`` → ``foo bar``).

The processors run at 183: after code spans, math, wikilinks (``[[…]]`` is Obsidian's and goes first)
and autolinks, which are stashed before them, and before backslash escapes (180), so destinations
and titles are read from the source with their backslashes. The link text is processed further by
every processor below (escapes, emphasis, tags, footnote references). A ``javascript:`` URL is
left to hooks/html_policy.py, which takes it out of every link as before.

Link reference definitions are read with the block structure (hooks/obsidian/blocks.py, markdown-it-py's
rule). Only Markdown that markdown-it-py left unparsed, inside raw HTML blocks (``<details>``, read by
md_in_html) and pymdownx.details blocks, still has its definitions read by Python-Markdown's block
processor, here with the label folded, the destination and title read as CommonMark does, and the
first definition of a label winning.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import unquote

from markdown import Markdown
from markdown.blockprocessors import ReferenceProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import normalizeReference, unescapeAll
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from hooks.obsidian.autolinks import AUTOLINK, escaped
from hooks.obsidian.inline_html import HTML_TAG, inside_tag

MAX_LABEL = 999  # CommonMark: a link label has at most 999 characters
SPACE = " \t\n"

# Renders an image description to the plain text of its alt attribute.
_PLAIN = MarkdownIt("commonmark")
_MARKUP = re.compile(r"[\\*_\[\]`<&!]")


@dataclass(frozen=True)
class Link:
    text_start: int
    text_end: int
    href: str
    title: str | None
    end: int


# A run of percent-encoded bytes outside ASCII (UTF-8 text such as Chinese).
_ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def normalize_url(url: str) -> str:
    """markdown-it-py's ``normalizeLink`` (percent-encoding, as CommonMark's reference renderers),
    except that the fragment keeps non-ASCII text as written: MkDocs checks ``#小节`` against the
    heading ids as written and would call ``#%E5%B0%8F%E8%8A%82`` a missing anchor (a browser
    treats both the same)."""
    href = normalizeLink(url)
    base, hash_, fragment = href.partition("#")
    if hash_ and "%" in fragment:
        fragment = _ENCODED_NON_ASCII.sub(lambda m: _decoded(m.group(0)), fragment)
    return base + hash_ + fragment


def _decoded(encoded: str) -> str:
    try:
        return unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return encoded


def label_end(data: str, bracket: int) -> int:
    """Index of the ``]`` closing the ``[`` at ``bracket`` (nested brackets balance), or -1."""
    level, i, n = 1, bracket + 1, len(data)
    while i < n:
        c = data[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            level += 1
        elif c == "]":
            level -= 1
            if level == 0:
                return i
        elif c == "<":
            m = HTML_TAG.match(data, i) or AUTOLINK.match(data, i)
            if m:
                i = m.end()
                continue
        i += 1
    return -1


def _skip_space(data: str, pos: int) -> int:
    while pos < len(data) and data[pos] in SPACE:
        pos += 1
    return pos


def inline_tail(data: str, paren: int) -> tuple[str, str | None, int] | None:
    """``(destination "title")`` starting at ``paren``: (href, title, end) or None."""
    n = len(data)
    pos = _skip_space(data, paren + 1)
    if pos >= n:
        return None
    href, title = "", None
    dest = parseLinkDestination(data, pos, n)
    if dest.ok:
        href, pos = normalize_url(dest.str), dest.pos
        before = pos
        pos = _skip_space(data, pos)
        if pos > before:
            t = parseLinkTitle(data, pos, n)
            if t.ok:
                title, pos = t.str, t.pos
                pos = _skip_space(data, pos)
    if pos >= n or data[pos] != ")":
        return None
    return href, title, pos + 1


def parse_link(md: Markdown, data: str, bracket: int, nested_links: bool) -> Link | None:
    """The link whose text opens with the ``[`` at ``bracket``, or None (then the bracket is text)."""
    close = label_end(data, bracket)
    if close < 0:
        return None
    if not nested_links and contains_link(md, data, bracket + 1, close):
        return None
    pos = close + 1
    if pos < len(data) and data[pos] == "(":
        found = inline_tail(data, pos)
        if found:
            return Link(bracket + 1, close, found[0], found[1], found[2])
    label, end = "", pos
    if pos < len(data) and data[pos] == "[":
        second = label_end(data, pos)
        if second >= 0:
            label, end = data[pos + 1:second], second + 1
    if not label:
        label = data[bracket + 1:close]
    if len(label) > MAX_LABEL or not label.strip():
        return None
    ref = md.references.get(normalizeReference(label))
    if ref is None:
        return None
    return Link(bracket + 1, close, ref[0], ref[1], end)


def contains_link(md: Markdown, data: str, start: int, end: int) -> bool:
    """Whether a link starts inside the link text data[start:end] (CommonMark: links do not nest)."""
    i = data.find("[", start, end)
    while i >= 0:
        if not escaped(data, i) and not (i > 0 and data[i - 1] == "!" and not escaped(data, i - 1)):
            inner = parse_link(md, data, i, nested_links=False)
            if inner is not None and inner.end <= end:
                return True
        i = data.find("[", i + 1, end)
    return False


def plain_text(text: str) -> str:
    """The plain text of an image description (CommonMark's alt: the rendered text without markup)."""
    if not _MARKUP.search(text):
        return text
    tokens = _PLAIN.parseInline(text)
    return _text_of(tokens[0].children or []) if tokens else text


def _text_of(tokens: list[Token]) -> str:
    out = []
    for tok in tokens:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type == "image":
            out.append(_text_of(tok.children or []))
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


class LinkProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        start = m.start(0)
        if escaped(data, start) or (start > 0 and data[start - 1] == "!" and not escaped(data, start - 1)):
            return None, None, None  # an escaped bracket, or an image's (the image processor's)
        if inside_tag(data, start):
            return None, None, None  # inside a raw HTML tag that starts before it
        link = parse_link(self.md, data, start, nested_links=False)
        if link is None:
            return None, None, None
        el = etree.Element("a", {"href": link.href})
        if link.title is not None:
            el.set("title", link.title)
        el.text = data[link.text_start:link.text_end]
        return el, start, link.end


class ImageProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        start = m.start(0)
        if escaped(data, start) or inside_tag(data, start):
            return None, None, None
        link = parse_link(self.md, data, start + 1, nested_links=True)
        if link is None:
            return None, None, None
        el = etree.Element("img", {"src": link.href})
        el.set("alt", plain_text(self.unescape(data[link.text_start:link.text_end])))
        if link.title is not None:
            el.set("title", link.title)
        return el, start, link.end


# Elements whose Markdown content Python-Markdown parses without the block structure layer.
UNSTRUCTURED_PARENTS = frozenset({"details", "div", "section", "summary", "article", "aside"})


class ReferenceDefinitions(ReferenceProcessor):
    """The stock processor with CommonMark's label folding, destination, title and first-wins rule,
    only where the block structure layer did not read the text (elsewhere a ``[x]: y`` line it left in
    a paragraph is text, as in CommonMark)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        # (the page's root is a <div> too: Python-Markdown's document element)
        return parent.tag in UNSTRUCTURED_PARENTS and parent is not self.parser.root

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        m = self.RE.search(blocks[0])
        if m is None or not m.group(1).strip():
            return False  # no definition (an empty label, ``[]: /uri``, is text)
        refs = self.parser.md.references
        earlier = dict(refs)
        refs.clear()
        done = super().run(parent, blocks)
        found = dict(refs)
        refs.clear()
        refs.update(earlier)
        for label, (dest, title) in found.items():
            key = normalizeReference(label)
            if key.strip() and key not in refs:
                refs[key] = (normalize_url(unescapeAll(dest)), unescapeAll(title) if title else title)
        return done


def register(md: Markdown, priority: float = 183) -> None:
    for name in ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name, strict=False)
    # Images first: '![a][b]' must not leave '[b]' to the link processor; an image inside a link's
    # text is then a placeholder there.
    md.inlinePatterns.register(ImageProcessor(r"!\[", md), "image_link", priority)
    md.inlinePatterns.register(LinkProcessor(r"\[", md), "link", priority - 0.01)
    md.parser.blockprocessors.register(ReferenceDefinitions(md.parser), "reference", 15)
