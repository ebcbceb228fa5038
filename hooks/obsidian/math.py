"""The math forms real Obsidian notes contain that pymdownx.arithmatex does not take.

Arithmatex (generic mode) handles ``$…$``, ``\\(…\\)``, and ``$$`` / ``\\[…\\]`` blocks on their own
lines. This inline processor runs just before it and takes:

* ``$$…$$`` and ``\\[…\\]`` written inside a line: display math, as Obsidian shows it
  (arithmatex would leave a stray ``$`` on each side);
* ``\\($…$\\)`` and ``\\[$…$\\]``, doubled delimiters from notes pasted out of other editors, also
  with spaces inside (``\\( $e^{x}$ \\)``: the ``$`` were left in the TeX, which KaTeX showed as an error).

The TeX is kept verbatim (an AtomicString), so ``*``, ``_``, ``\\_`` and ``\\{`` stay TeX.

A block that starts and ends with ``$$`` but holds more ``$$`` in between (``$$a$$ 文字`` on one
line, ``$$b$$`` on a later one) is a paragraph with several formulas, not one display block:
arithmatex's block pattern ran from the first ``$$`` to the last and showed the text and the other
formulas as TeX. :class:`SeveralFormulas` hands such a block to the paragraph processor.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from hooks.obsidian.textscan import DISPLAY_MARK

INLINE_DISPLAY = (
    r"(?<![\\$])"
    r"(?:\\\([ \t]*\$(?P<round>(?:\\.|[^\\$])+?)\$[ \t]*\\\)"      # \($x$\), \( $x$ \)
    r"|\\\[[ \t]*\$(?P<square2>(?:\\.|[^\\$])+?)\$[ \t]*\\\]"       # \[$x$\], \[ $x$ \]
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


class SeveralFormulas(BlockProcessor):
    def test(self, parent: etree.Element, block: str) -> bool:
        return block.lstrip().startswith("$$") and len(DISPLAY_MARK.findall(block)) > 2

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        self.parser.blockprocessors["paragraph"].run(parent, blocks)


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(InlineMathProcessor(INLINE_DISPLAY, md), "obsidian-math", priority)
    # Just before arithmatex's display blocks (79.9).
    md.parser.blockprocessors.register(SeveralFormulas(md.parser), "obsidian-math-paragraph", 80)
