"""Backslash escapes and backslash hard line breaks, as CommonMark (and Obsidian) read them.

Python-Markdown escapes only its own short list of characters (``\\*``, ``\\_``, ``\\[`` …), so
``\\"``, ``\\$``, ``\\<`` or ``\\&`` kept their backslash, and ``\\<br/>`` still became a tag.
CommonMark escapes every ASCII punctuation character, and a backslash at the end of a line is a
hard line break (``foo\\`` / ``bar``).

The processor replaces the stock ``escape`` one at the same priority (180), so everything that ran
before it keeps its own reading of backslashes: code spans (190) keep them literally, math
(189.95, arithmatex 189.9) takes ``\\(…\\)``, ``\\[…\\]`` and ``\\$`` as TeX, wikilinks (185) read
``[[a\\|b]]``, and autolinks and links (184, 183) read escapes in URLs and titles themselves. A
lone ``\\[`` or ``\\(`` that math did not take is an escaped bracket, as in CommonMark.

Raw inline HTML (181) runs just before, so a backslash inside a tag stays a backslash, as CommonMark
says. An escaped character is stashed the stock way (``STX ord ETX``), so later processors do not
read it as markup.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as etree

from markdown import Markdown, util
from markdown.inlinepatterns import InlineProcessor

# CommonMark's escapable characters: all of ASCII punctuation.
ASCII_PUNCTUATION = string.punctuation
ESCAPE = r"\\(?P<char>[" + re.escape(ASCII_PUNCTUATION) + r"]|\n)"


class EscapeProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        char = m.group("char")
        if char == "\n":
            # A hard line break. The newline itself is consumed so the soft-break processor (nl2br)
            # does not add a second <br> for it.
            return etree.Element("br"), m.start(0), m.end(0)
        if char == "&":
            # Restored as '&', the serializer would leave '\\&ouml;' as the entity ö (it does not
            # escape an '&' that starts a reference); the escaped ampersand is written as '&amp;'.
            return self.md.htmlStash.store("&amp;"), m.start(0), m.end(0)
        return f"{util.STX}{ord(char)}{util.ETX}", m.start(0), m.end(0)


def register(md: Markdown, priority: float = 180) -> None:
    # Every ASCII punctuation character counts as escaped, also for the unescaping done later by
    # the stock tree processor (it only restores characters listed here).
    md.ESCAPED_CHARS = list(dict.fromkeys([*md.ESCAPED_CHARS, *ASCII_PUNCTUATION]))
    md.inlinePatterns.register(EscapeProcessor(ESCAPE, md), "escape", priority)
