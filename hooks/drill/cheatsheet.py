"""The printable cheat sheet of a section: its questions and keys on A4, nothing else.

A standalone page (no sidebar, header, graph or backlinks): note by note, each question with its
key (key formula, the numbers the note's code verified). Math is typeset in the browser with the
site's KaTeX copy; ``drill-print.js`` sets ``data-ready`` on <html> when it is done, so a print to
PDF waits for it.
"""

from __future__ import annotations

import html as htmlmod
from itertools import groupby

from hooks.drill.bank import Entry
from hooks.drill.links import rebase, relative

CSS = """
@page { size: A4; margin: 9mm 9mm 10mm; }
html { font: 8.3pt/1.34 system-ui, "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; color: #111; }
body { margin: 0 auto; padding: 0; }
h1 { font-size: 13pt; margin: 0 0 .1em; }
.meta { color: #555; margin: 0 0 .6em; }
/* Two columns on A4: a section's 15-50 questions fit in 2-4 pages. */
.sheet { column-count: 2; column-gap: 6mm; column-fill: balance; }
h2 { font-size: 9.5pt; margin: .5em 0 .15em; padding-bottom: .1em; border-bottom: 1px solid #999; break-after: avoid; }
h2:first-child { margin-top: 0; }
h2 a { color: inherit; text-decoration: none; }
.q { margin: .15em 0 .35em; break-inside: avoid; }
.q > .t { font-weight: 600; }
.q > .k { margin: .1em 0 0 .8em; }
.q > .k p { margin: .05em 0; }
.q > .k ul, .q > .k ol { margin: .05em 0; padding-left: 1.2em; }
.missing { color: #888; font-style: italic; }
a { color: #1a4fa0; }
img, svg, table, pre { max-width: 100%; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .92em; }
.katex { font-size: 1.05em; }
.katex-display { margin: .2em 0; overflow-x: auto; }
.q, .k, p, li { overflow-wrap: anywhere; }
@media screen { body { max-width: 190mm; padding: 1.5em; } }
@media print { .noprint { display: none; } a { text-decoration: none; } }
"""


def page(section_title: str, entries: list[Entry], out_url: str, site_name: str) -> str:
    """The cheat sheet of one section as an HTML document written at ``out_url`` (from the site root)."""
    out_dir = out_url.rsplit("/", 1)[0] + "/"
    vendor = relative("assets/vendor/", out_dir)
    script = relative("assets/llm-kb/drill-print.js", out_dir)
    esc = htmlmod.escape
    parts = []
    for page_url, group in groupby(entries, key=lambda e: e.page_url):
        group = list(group)
        parts.append(f'<h2><a href="{esc(relative(page_url, out_dir))}">{esc(group[0].note_title)}</a></h2>')
        for e in group:
            key = rebase(e.html.key, e.page_url, out_dir) or '<p class="missing">（答案待补）</p>'
            parts.append(f'<div class="q" id="{esc(e.q.qid)}"><div class="t">{rebase(e.html.title, e.page_url, out_dir)}</div>'
                         f'<div class="k">{key}</div></div>')
    return f"""<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(section_title)} · 速查表 · {esc(site_name)}</title>
<link rel="stylesheet" href="{esc(vendor)}katex/dist/katex.min.css">
<style>{CSS}</style>
</head>
<body>
<h1>{esc(section_title)} · 面试速查表</h1>
<p class="meta">{len(entries)} 题 · {esc(site_name)} <span class="noprint">· 打印：Ctrl+P（A4）</span></p>
<div class="sheet">
{"".join(parts)}
</div>
<script src="{esc(vendor)}katex/dist/katex.min.js"></script>
<script src="{esc(vendor)}katex/dist/contrib/auto-render.min.js"></script>
<script src="{esc(script)}"></script>
</body>
</html>
"""
