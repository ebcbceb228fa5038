"""Math rendered at build time by KaTeX (hooks.mathrender, hooks/obsidian/math.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import build_vault, render, tex_of
from hooks import mathrender


def test_formulas_become_katex_html_with_the_tex_kept_for_screen_readers():
    html, build = render("---\ntitle: t\n---\n\n行内 $a<b$ 与 \\( $W \\in \\mathbb{R}$ \\)。\n\n$$\n\\frac{1}{2}\n$$\n")
    s = BeautifulSoup(html, "html.parser")
    maths = s.select(".arithmatex")
    assert [tex_of(m) for m in maths] == ["\\(a<b\\)", "\\(W \\in \\mathbb{R}\\)", "\\[\n\\frac{1}{2}\n\\]"]
    assert all(m.select_one(".katex-html") and m.select_one("math") for m in maths)
    assert maths[2].name == "div" and maths[2].select_one(".katex-display")
    visible = "".join(t for t in s.find_all(string=True) if not t.find_parent("annotation"))
    assert "\\frac" not in visible and "$" not in visible and not build.problems


def test_a_formula_katex_cannot_parse_is_an_error_at_its_line():
    html, build = render("---\ntitle: t\n---\n\n第一行\n\n坏的 $\\frac{a$ 公式\n\n$$\n\\begin{x}\n$$\n")
    errors = [(p.line, p.level) for p in build.problems]
    assert errors == [(7, "error"), (10, "error")], build.problems  # the line of the TeX itself
    assert "KaTeX parse error" in build.problems[0].message
    s = BeautifulSoup(html, "html.parser")
    assert [c.get_text() for c in s.select("code.llm-kb-math-error")] == ["\\frac{a", "\n\\begin{x}\n"]


def test_one_process_renders_every_page_and_repeats_come_from_the_cache():
    r = mathrender.renderer()
    r.render([("x^2", False)])
    proc, before = r._proc, r.rendered
    out = r.render([("x^2", False), ("y_{unique-1}", True), ("x^2", False)])
    assert r._proc is proc and r.rendered == before + 1
    assert out[0] == out[2] and 'class="katex-display"' in out[1]


def test_strict_build_fails_on_a_bad_formula_naming_file_and_line(tmp_path):
    result = build_vault(tmp_path, {"index.md": "---\ntitle: 首页\n---\n\n正常 $x$\n\n错误 $\\sqrt{$\n"})
    assert result.returncode != 0
    assert "docs/index.md:7: formula KaTeX cannot render" in result.stderr, result.stderr[-2000:]
