"""What the search index shows of a note: formulas as a reader reads them, and its interview questions.

Engine-neutral: works on the article HTML of a built page (hooks/site/search.py feeds the result
to Pagefind). Two jobs:

- ``readable_math``: a formula reaches the index as the text a reader would say, ``√d_k`` rather
  than ``\\(\\sqrt{d_k}\\)``, so search excerpts never show TeX source or its delimiters. Works on
  both renderings the site may use: arithmatex's ``<span class="arithmatex">\\(…\\)</span>`` (KaTeX
  in the browser) and KaTeX's build-time HTML (its ``annotation`` holds the source).
- ``questions``: the question callouts of a note (``> [!question]`` and folded ``> [!question]-``),
  each with the start of its answer key and where a link should land: the callout's id (from the
  ``^q-…`` line, see CONTRIBUTING / the question format), else the heading above it, else the page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from html import unescape

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_MATH_START = re.compile(r'<(span|div)\b[^>]*class="(?:arithmatex|katex[^"]*)"[^>]*>')
_TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_OPEN_OR_CLOSE = {"span": re.compile(r"<span\b|</span>"), "div": re.compile(r"<div\b|</div>"),
                  "details": re.compile(r"<details\b|</details>")}

# TeX commands a reader says as a symbol (the rest lose their backslash: \log -> log).
_SYMBOLS = {
    "times": "×", "cdot": "·", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠",
    "ne": "≠", "to": "→", "rightarrow": "→", "leftarrow": "←", "infty": "∞", "sum": "Σ", "prod": "∏",
    "partial": "∂", "nabla": "∇", "in": "∈", "pm": "±", "ll": "≪", "gg": "≫", "sim": "~", "propto": "∝",
    "top": "ᵀ", "ldots": "…", "cdots": "⋯", "dots": "…", "sqrt": "√", "log": "log", "exp": "exp",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "pi": "π", "rho": "ρ",
    "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω", "Theta": "Θ", "Phi": "Φ", "Lambda": "Λ",
}
_SPACING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|displaystyle|limits|nolimits)\b|\\[,;:! ]|\\q?quad\b")
_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_TRANSPOSE = re.compile(r"\^(?:\{\\top\}|\\top)")
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_FONT = re.compile(r"\\(?:text|mathrm|mathbf|mathit|mathcal|mathbb|operatorname|boldsymbol|textbf|mathsf)\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
# A font command written without braces (\mathbb R) styles the next letter: it is not read aloud.
_FONTS = {"text", "mathrm", "mathbf", "mathit", "mathcal", "mathbb", "operatorname", "boldsymbol", "textbf", "mathsf"}


def tex_to_text(tex: str) -> str:
    """A TeX formula as plain reading text: ``\\frac{QK^\\top}{\\sqrt{d_k}}`` -> ``QKᵀ/√d_k``."""
    tex = tex.strip()
    for left, right in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(left) and tex.endswith(right) and len(tex) >= len(left) + len(right):
            tex = tex[len(left):len(tex) - len(right)]
            break
    tex = _TRANSPOSE.sub("ᵀ", _SPACING.sub(" ", tex))
    for _ in range(3):  # nested: \frac{\sqrt{a}}{b}
        tex = _FONT.sub(r"\1", tex)
        tex = _SQRT.sub(lambda m: "√" + _group(m[1]), tex)
        tex = _FRAC.sub(lambda m: f"{_group(m[1])}/{_group(m[2])}", tex)
    tex = _COMMAND.sub(lambda m: "" if m[1] in _FONTS else _SYMBOLS.get(m[1], m[1]), tex)
    tex = tex.replace("\\{", "{").replace("\\}", "}").replace("\\%", "%").replace("\\", "")
    tex = tex.replace("{", "").replace("}", "").replace("&", " ")
    return _SPACE.sub(" ", tex).strip()


def _group(text: str) -> str:
    """A fraction's part: in brackets when it has more than one term (a+b)/c."""
    return f"({text})" if re.search(r"[+\-\s]", text.strip()) else text


def _element_end(html: str, start: int, tag: str) -> int:
    """The index just past the element that opens at ``start`` (nested same tags counted)."""
    depth = 0
    for m in _OPEN_OR_CLOSE[tag].finditer(html, start):
        depth += -1 if m[0].startswith("</") else 1
        if depth == 0:
            return m.end()
    return len(html)


def readable_math(html: str) -> str:
    """Every formula of the HTML replaced by its reading text (escaped for HTML)."""
    out, at = [], 0
    while (m := _MATH_START.search(html, at)) is not None:
        end = _element_end(html, m.start(), m[1])
        inner = html[m.end():end]
        annotation = _TEX_ANNOTATION.search(inner)
        tex = unescape(annotation[1] if annotation else _TAG.sub("", inner.rsplit("</", 1)[0]))
        text = tex_to_text(tex).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out += [html[at:m.start()], f"<{m[1]} class=\"llm-kb-math\">{text}</{m[1]}>"]
        at = end
    out.append(html[at:])
    return "".join(out)


def plain(html: str) -> str:
    """Text of an HTML fragment, whitespace collapsed."""
    return _SPACE.sub(" ", unescape(_TAG.sub(" ", html))).strip().replace(" ？", "？").replace(" ，", "，")


_CODE = re.compile(r'<div class="(?:[^"]*\s)?highlight(?:\s[^"]*)?">')
# Vault source shown as an example (about/contributing): front matter, a binding, a callout, a wikilink.
_NOTE_SOURCE = re.compile(r"\A\s*---[ \t]*\n(?:[ \t]*[\w-]+:.*\n)+|`=[A-Za-z_]\w*\||^\s*> ?\[![\w-]+\]"
                          r"|\[\[[^\[\]\n'\"0-9][^\[\]\n]*\]\]", re.M)


def without_note_source(html: str) -> str:
    """Code blocks that show a note's Markdown source removed: the guide quoting a note's front
    matter would otherwise match (and be the excerpt for) that note's title, and excerpts would
    show binding syntax and table pipes. Program code stays searchable."""
    out, at = [], 0
    while (m := _CODE.search(html, at)) is not None:
        end = _element_end(html, m.start(), "div")
        source = unescape(_TAG.sub("", html[m.end():end]))
        out.append(html[at:m.start()] if _NOTE_SOURCE.search(source) else html[at:end])
        at = end
    out.append(html[at:])
    return "".join(out)


@dataclass
class Question:
    q: str  # the question, as plain text
    a: str  # the start of its answer key ("" when the callout has none yet)
    id: str  # where a link lands: the callout's id, or the heading above it, or "" (the page)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_QUESTION = re.compile(r'<(div|details)\b[^>]*class="(?:admonition )?question\b[^"]*"[^>]*>')
_TITLE = re.compile(r'<(summary)\b[^>]*>(.*?)</summary>|<p class="admonition-title"[^>]*>(.*?)</p>', re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_HEADING_ID = re.compile(r'<h[2-6]\b[^>]*\bid="([^"]+)"')
# The block id line after a callout: rendered as an empty paragraph carrying it (hooks/obsidian/blockids.py).
_ID_PARAGRAPH = re.compile(r'\s*<p id="(\^?q-[a-z0-9-]+)">\s*</p>')
ANSWER_CHARS = 120  # of the answer key: the result list shows the start only


def questions(html: str) -> list[Question]:
    """The question callouts of an article (math already readable), in page order."""
    found = []
    for m in _QUESTION.finditer(html):
        end = _element_end(html, m.start(), m[1])
        inner = html[m.end():end]
        title = _TITLE.search(inner)
        if title is None:
            continue
        q = plain(title[2] if title[2] is not None else title[3])
        a = plain(inner[title.end():])
        if len(a) > ANSWER_CHARS:
            a = a[:ANSWER_CHARS].rstrip() + "…"
        own = _ID.search(m[0])
        after = _ID_PARAGRAPH.match(html, end)
        above = _HEADING_ID.findall(html, 0, m.start())
        anchor = own[1] if own else after[1] if after else above[-1] if above else ""
        if q:
            found.append(Question(q, a, anchor))
    return found
