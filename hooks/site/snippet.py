"""One line of a note shown as a reader sees it (backlink context): no raw source shows through.

Engine-neutral: works on the note's text. The line is cut into pieces, text and math: Markdown
and Obsidian syntax are taken out of the text (link brackets → the link's text, bindings
``=name|40 GB`` → their value, table pipes → separators, callout markers, block ids, emphasis
markers), and formulas are rendered by KaTeX like the page's own, never shown as ``$…$``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from hooks import mathrender
from hooks.examples.bindings import BINDING

# Formulas, as the page's renderer reads them: $$…$$, $…$, \(…\), \[…\].
MATH = re.compile(r"\$\$(?P<d1>.+?)\$\$|(?<![\\$\w])\$(?=\S)(?P<i1>[^$]+?)(?<=\S)\$(?!\d)"
                  r"|\\\((?P<i2>.+?)\\\)|\\\[(?P<d2>.+?)\\\]")
WIKILINK = re.compile(r"!?\[\[(?P<target>[^\]|#\n]*)(?:#(?P<anchor>[^\]|\n]*))?(?:\\?\|(?P<label>[^\]\n]*))?\]\]")
MD_LINK = re.compile(r"!?\[(?P<text>[^\]\n]*)\]\([^)\n]*\)")
CODE = re.compile(r"(?P<ticks>`+)(?P<body>.+?)(?P=ticks)")
CALLOUT = re.compile(r"\[![\w-]+(?:\|[^\]]*)?\][+-]?")
BLOCK_ID = re.compile(r"\s\^[\w-]+\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
MARKERS = re.compile(r"\*\*|__|==|~~|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
LEADING = re.compile(r"^(?:\s*(?:>|[-*+]\s|\d+[.)]\s|#{1,6}\s|- \[.\]\s))*\s*")


def pieces(line: str, link_text: Callable[[str, str | None], str]) -> list[tuple[str, str]]:
    """``[("text", …), ("math", tex), …]``; ``link_text(target, anchor)`` names a wikilink."""
    if TABLE_RULE.match(line):
        return []
    line = BLOCK_ID.sub("", CALLOUT.sub("", line))
    out: list[tuple[str, str]] = []
    end = 0
    for m in MATH.finditer(line):
        out.append(("text", line[end:m.start()]))
        tex = next(g for g in (m.group("d1"), m.group("d2"), m.group("i1"), m.group("i2")) if g)
        out.append(("math", tex.strip()))
        end = m.end()
    out.append(("text", line[end:]))
    cleaned = [(kind, _plain(text, link_text) if kind == "text" else text) for kind, text in out]
    if cleaned and cleaned[0][0] == "text":
        cleaned[0] = ("text", LEADING.sub("", cleaned[0][1]))
    return [(k, t) for k, t in cleaned if t]


def _plain(text: str, link_text: Callable[[str, str | None], str]) -> str:
    def code(m: re.Match) -> str:
        binding = BINDING.fullmatch(m.group("body")) if m.group("ticks") == "`" else None
        if binding:
            return binding.group("text") or binding.group("name")
        return m.group("body").strip()

    def wikilink(m: re.Match) -> str:
        return m.group("label") or link_text(m.group("target").strip(), m.group("anchor"))

    text = CODE.sub(code, text)
    text = WIKILINK.sub(wikilink, text)
    text = MD_LINK.sub(lambda m: m.group("text"), text)
    text = re.sub(r"\s*(?<!\\)\|\s*", " · ", text.strip().strip("|")) if "|" in text else text
    return MARKERS.sub("", text.replace("\\|", "|"))


def shorten(parts: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """At most ``width`` characters of text (a formula counts as its TeX), never cut inside a formula."""
    out, used = [], 0
    for kind, text in parts:
        size = len(text) if kind == "text" else max(1, len(text) // 2)
        if used + size > width:
            if kind == "text" and width - used > 1:
                out.append((kind, text[: width - used - 1].rstrip()))
            out.append(("text", "…"))
            break
        out.append((kind, text))
        used += size
    return out


def render(snippets: list[list[tuple[str, str]]]) -> list[str]:
    """HTML of each snippet: text escaped, formulas rendered in one request for all of them."""
    # Inline in a line of context, even a formula the note shows as a block.
    formulas = [(t, False) for parts in snippets for k, t in parts if k == "math"]
    rendered = iter(mathrender.renderer().render(formulas) if formulas else [])
    out = []
    for parts in snippets:
        html = []
        for kind, text in parts:
            if kind == "text":
                html.append(escape(text))
                continue
            result = next(rendered)  # a formula the page already reported as broken is shown as code
            html.append(f"<code>{escape(text)}</code>" if isinstance(result, mathrender.MathError) else result)
        out.append("".join(html).strip())
    return out
