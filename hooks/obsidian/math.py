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

At the end, :class:`KatexPostprocessor` replaces the TeX that arithmatex and this module leave in
``.arithmatex`` elements with KaTeX's HTML, all formulas of the page in one request to the KaTeX
process (:mod:`hooks.mathrender`). A formula KaTeX cannot parse is an error at the note's line.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.util import AtomicString

from hooks import mathrender, state
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


# What arithmatex (generic mode) and InlineMathProcessor write, HTML-escaped: the TeX between
# \\( \\) (inline) or \\[ \\] (display). Rendered output starts with '<span class="katex', so a
# page that embeds another (already rendered) note is not matched twice.
FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">\\(?:\((?P<inline>.*?)\\\)|\[(?P<display>.*?)\\\])</(?P=tag)>',
                     re.S)


def render_formulas(html_text: str) -> str:
    """Every formula of a rendered page as KaTeX HTML; one that does not parse is reported and shown as TeX."""
    found = list(FORMULA.finditer(html_text))
    if not found:
        return html_text
    items = [(html.unescape(m.group("inline") if m.group("inline") is not None else m.group("display")),
              m.group("display") is not None) for m in found]
    rendered = mathrender.renderer().render(items)
    out, end = [], 0
    for m, (tex, display), result in zip(found, items, rendered):
        out.append(html_text[end:m.start()])
        if isinstance(result, mathrender.MathError):
            _report(tex, str(result))
            shown = ' data-display="block"' if display else ""
            result = f'<code class="llm-kb-math-error"{shown}>{html.escape(tex)}</code>'
        out.append(f'<{m.group("tag")} class="arithmatex">{result}</{m.group("tag")}>')
        end = m.end()
    out.append(html_text[end:])
    return "".join(out)


def _report(tex: str, message: str) -> None:
    build = state.current
    if build is None or build.page is None:
        raise mathrender.MathError(f"{message} in ${tex}$")
    first = tex.strip().split("\n")[0]
    build.problem(f"formula KaTeX cannot render: {message}",
                  "fix the TeX (KaTeX supports most of LaTeX math: https://katex.org/docs/supported)",
                  line=build.line_of(first), level="error")


class KatexPostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        return render_formulas(text)


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(InlineMathProcessor(INLINE_DISPLAY, md), "obsidian-math", priority)
    # Just before arithmatex's display blocks (79.9).
    md.parser.blockprocessors.register(SeveralFormulas(md.parser), "obsidian-math-paragraph", 80)
    # Last: after the raw HTML postprocessor (30) has put stashed blocks (display math, embeds) back.
    md.postprocessors.register(KatexPostprocessor(md), "obsidian-katex", 5)
