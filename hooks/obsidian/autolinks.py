"""Autolinks ``<scheme:…>`` and ``<user@host>``, as CommonMark reads them.

Python-Markdown took only ``scheme://`` URLs (so ``<MAILTO:FOO@BAR.BAZ>``, ``<a+b+c:d>`` or
``<localhost:5001/foo>`` were not links, and some became tags), allowed spaces inside, and turned
backslash escapes inside the URL into the escaped characters. CommonMark's autolink is a scheme of
2-32 characters, a colon and anything but spaces, controls and angle brackets, with backslashes kept
literally; an e-mail autolink follows the HTML spec's address grammar. The regular expressions are
the spec's, as markdown-it-py has them (``markdown_it.rules_inline.autolink``), and the URL is
percent-encoded as markdown-it-py does (``normalizeLink``).

The processor runs before backslash escapes (180), so ``<https://a.example/\\[>`` keeps its
backslash, and before links (183), so a ``]`` inside an autolink does not close a link text. It runs
after code spans (190), which yield to an autolink that starts before them
(hooks/obsidian/codespans.py). A URL scheme that may run script (``javascript:``) is left to
hooks/html_policy.py, which removes it from every link as before.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE

# markdown-it's two expressions match a whole string (^…$); here they are embedded between < and >.
AUTOLINK = re.compile("<(?:(?P<url>" + AUTOLINK_RE.pattern[1:-1] + ")|(?P<email>" + EMAIL_RE.pattern[1:-1] + "))>")


def escaped(data: str, pos: int) -> bool:
    """Whether the character at ``pos`` is preceded by an odd number of backslashes."""
    n = 0
    while pos - n - 1 >= 0 and data[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1


class AutolinkProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        if escaped(data, m.start(0)):
            return None, None, None
        url = m.group("url") or m.group("email")
        href = normalizeLink(url if m.group("url") else "mailto:" + url)
        el = etree.Element("a", {"href": href})
        el.text = AtomicString(normalizeLinkText(url))
        return el, m.start(0), m.end(0)


def register(md: Markdown, priority: float = 184) -> None:
    md.inlinePatterns.deregister("autolink", strict=False)
    md.inlinePatterns.deregister("automail", strict=False)
    md.inlinePatterns.register(AutolinkProcessor(AUTOLINK.pattern, md), "autolink", priority)
