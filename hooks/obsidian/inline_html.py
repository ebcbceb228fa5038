"""Raw inline HTML and character references, as CommonMark reads them.

Python-Markdown's raw-HTML pattern takes anything from ``<`` and a letter to the next ``>``
(``<a h*#ref="hi">``, ``</a href="foo">``, ``<foo bar=baz bim!bop />`` all passed as tags), misses
declarations such as ``<!ELEMENT …>``, and ran after backslash escapes and the two-space line
break, which read ``\\"`` inside a tag as an escape and put a ``<br />`` inside a tag that spans two
lines. Here raw HTML runs before both. Its character-reference pattern took any digits
(``&#87654321;``) and any name (``&ThisIsNotDefined;``).

This module uses the spec's own grammar, as markdown-it-py implements it
(``markdown_it.common.html_re`` for tags, comments, processing instructions, declarations and
CDATA; ``markdown_it.common.entities`` for the names of character references). What is not a tag
or reference stays text and is escaped on output. Tags still pass through hooks/html_policy.py
(the build's sanitiser), exactly as before.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.inlinepatterns import HtmlInlineProcessor
from markdown_it.common import html_re
from markdown_it.common.entities import entities

from hooks.obsidian.autolinks import AUTOLINK, escaped

HTML_TAG = re.compile("(?:" + "|".join((html_re.open_tag, html_re.close_tag, html_re.comment, html_re.processing,
                                         html_re.declaration, html_re.cdata)) + ")")

# What Python-Markdown's serializer leaves unescaped ('&' + digits or a name + ';'), and what of it
# CommonMark counts as a character reference: decimal 1-7 digits, hexadecimal 1-6, or a known name.
ENTITY_LIKE = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[0-9A-Za-z]+);"
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|(?P<name>[A-Za-z][A-Za-z0-9]{1,31}));")


def inside_tag(data: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a raw HTML tag or an autolink that starts before it (CommonMark
    reads inline constructs left to right: the earlier one wins)."""
    lt = data.rfind("<", 0, pos)
    while lt >= 0:
        m = HTML_TAG.match(data, lt) or AUTOLINK.match(data, lt)
        if m and m.end() > pos:
            return True
        lt = data.rfind("<", 0, lt)
    return False


class RawHtmlProcessor(HtmlInlineProcessor):
    """The stock processor (stashes the tag as written) with the spec's grammar; a ``<`` escaped
    by a backslash starts no tag (the escape processor, which runs after, takes it)."""

    def handleMatch(self, m: re.Match, data: str):
        if escaped(data, m.start(0)):
            return None, None, None
        return super().handleMatch(m, data)


class EntityProcessor(HtmlInlineProcessor):
    """A real reference is passed through (stashed) as before; for anything else of that shape
    (``&#87654321;``, ``&nosuch;``) the ``&`` is written as ``&amp;``, since the serializer would leave
    it as written and the browser would read it as a (broken) reference."""

    def handleMatch(self, m: re.Match, data: str):
        real = ENTITY.fullmatch(m.group(0))
        if real and (not real.group("name") or real.group("name") in entities):
            return self.md.htmlStash.store(m.group(0)), m.start(0), m.end(0)
        return self.md.htmlStash.store("&amp;"), m.start(0), m.start(0) + 1


def register(md: Markdown, html_priority: float = 181, entity_priority: float = 80) -> None:
    # Raw HTML before backslash escapes (180): inside a tag a backslash is no escape (CommonMark),
    # and a tag over two lines gets no line break from the escapes or the two-space break (100).
    md.inlinePatterns.deregister("html", strict=False)
    md.inlinePatterns.register(RawHtmlProcessor("(" + HTML_TAG.pattern + ")", md), "html", html_priority)
    md.inlinePatterns.register(EntityProcessor(ENTITY_LIKE, md), "entity", entity_priority)
