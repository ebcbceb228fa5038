"""The math forms real Obsidian notes contain that pymdownx.arithmatex does not take.

Arithmatex (generic mode) handles ``$…$``, ``\\(…\\)``, and ``$$`` / ``\\[…\\]`` blocks on their own
lines. This inline processor runs just before it and takes:

* ``$$…$$`` and ``\\[…\\]`` written inside a line: display math, as Obsidian shows it
  (arithmatex would leave a stray ``$`` on each side);
* ``\\($…$\\)`` and ``\\[$…$\\]``, doubled delimiters from notes pasted out of other editors.

The TeX is kept verbatim (an AtomicString), so ``*``, ``_``, ``\\_`` and ``\\{`` stay TeX.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

INLINE_DISPLAY = (
    r"(?<![\\$])"
    r"(?:\\\(\$(?P<round>(?:\\.|[^\\$])+?)\$\\\)"      # \($x$\)
    r"|\\\[\$(?P<square2>(?:\\.|[^\\$])+?)\$\\\]"       # \[$x$\]
    r"|\$\$(?P<dollar>(?:\\.|[^\\$])+?)\$\$"            # $$x$$ inside a line
    r"|\\\[(?P<square>(?:\\[^\]]|[^\\])+?)\\\])"        # \[x\] inside a line
)


class InlineMathProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        if m.group("round") is not None:
            tex, display = m.group("round"), False
        else:
            tex, display = next(g for g in (m.group("square2"), m.group("dollar"), m.group("square")) if g is not None), True
        el = etree.Element("span", {"class": "arithmatex"})
        el.text = AtomicString(f"\\[{tex}\\]" if display else f"\\({tex}\\)")
        return el, m.start(0), m.end(0)


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(InlineMathProcessor(INLINE_DISPLAY, md), "obsidian-math", priority)
