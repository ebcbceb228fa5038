"""Notes that carry script in every field an author controls: nothing runs in the browser.

A small vault is built whose notes put script into the title (page header, h1, <title>, the
neighbours' previous/next links, embed captions, backlinks, the tag index, the graph's hover
label), the description (a meta attribute), aliases and tags (search), a binding's written text,
an example's Markdown output and raw HTML (handlers, javascript:/data: URLs, srcdoc, <script>,
<object>, <base>, <meta http-equiv>, entity-obfuscated and parser-confusing forms). The strict build
fails naming each raw HTML problem at file:line; the non-strict site, opened in Chromium, never sets
the window flag and never opens a dialog, and the hostile text is shown as text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import pytest

from helpers import build_vault, free_port, launch_chromium, markdown_setup, serve_static
from hooks import html_policy, state
from hooks.examples.blocks import Block
from hooks.examples.runner import Result

PWN = "window.__pwned=1;alert(1)"
IMG = f"<img src=x onerror={PWN}>"
TITLE = f'标题{IMG}</title><script>{PWN}</script>'
# (line in 恶意.md, raw HTML) — each must be reported at its line by the strict build.
RAW = [
    f'<img src="x" onerror="{PWN}">',
    f'<a href="javascript:{PWN}">点我</a>',
    f'<a href="jav&#x61;script&colon;{PWN}">实体编码</a>',
    f'<a href="data:text/html,<script>{PWN}</script>">data 链接</a>',
    f'<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    f"<script>{PWN}</script>",
    '<object data="data:text/html,<script>parent.__pwned=1</script>"></object>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f"<svg><style><img src=x onerror={PWN}></style></svg>",
    f'<img/src="x"/onerror={PWN}>',
    f'<details ontoggle="{PWN}" open><summary>折叠</summary>内容</details>',
    f'<form action="javascript:{PWN}"><button id="llm-kb-submit">提交</button></form>',
]
# Python-Markdown reads these two as text, not HTML, and escapes them itself.
MARKDOWN_ESCAPES = {RAW[9], RAW[10]}
QUOTED_TITLE = TITLE.replace('"', '\\"')
HEAD = f"""---
title: "{QUOTED_TITLE}"
description: '"><script>{PWN}</script>'
aliases: ["别名{IMG}"]
tags: ["标签{IMG}", "C++", "C#"]
---
"""
BODY = f"""
链接 [[邻居]]，嵌入 ![[邻居]]。

```python exec="cpu"
x = 42
```

值 `=x|42 <img src=x onerror={PWN}>`

```python exec="cpu" output="markdown"
print("<div onclick=\\"{PWN}\\">输出</div>\\n\\n<img src=x onerror={PWN}>")
```

[Markdown 链接](javascript:{PWN})

[引用链接][坏]

## 小节 {{: onclick="window.__pwned=1" }}

[坏]: javascript:{PWN}

"""
HOSTILE = HEAD + BODY + "\n\n".join(RAW) + "\n"
NEIGHBOUR = f'---\ntitle: "邻居{IMG}"\n---\n\n邻居，链接回 [[恶意]]，嵌入 ![[恶意#^blk]]\n'


def line_of(text: str, snippet: str) -> int:
    """The line of a snippet's last occurrence (the raw HTML part comes last; a title may repeat it)."""
    return text[: text.rindex(snippet)].count("\n") + 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("injection")
    port = free_port()
    notes = {"index.md": "---\ntitle: 首页\n---\n\n[[恶意]] [[邻居]]\n",
             "恶意.md": HOSTILE + "\n被嵌入的段落 ^blk\n", "邻居.md": NEIGHBOUR}
    strict = build_vault(root, notes, site_url=f"http://127.0.0.1:{port}/")
    relaxed = build_vault(root, notes, strict=False, site_url=f"http://127.0.0.1:{port}/")
    assert relaxed.returncode == 0, relaxed.stderr[-3000:]
    server, url = serve_static(root / "site", port)
    yield strict, relaxed, url, root
    server.shutdown()


def test_strict_build_fails_naming_each_raw_html_problem_at_its_line(built):
    strict, relaxed, _, root = built
    assert strict.returncode != 0
    errors = re.findall(r"^ERROR\s+-\s+(docs/恶意\.md:\d+): (?:raw HTML|HTML attribute)", relaxed.stderr, re.M)
    page = (root / "site/恶意/index.html").read_text(encoding="utf-8")
    for raw in RAW:
        if raw in MARKDOWN_ESCAPES:  # no HTML reaches the page: only make check reports it
            tag = raw[raw.rindex("<img"):raw.index(">", raw.rindex("<img")) + 1]
            assert html.escape(tag, quote=False) in page
        else:
            assert f"docs/恶意.md:{line_of(HOSTILE, raw)}" in errors, (raw, errors)
    # make check names every one of them, before any build.
    lint_lines = {p.line for p in html_policy.check_text("恶意.md", HOSTILE[len(HEAD):], HEAD.count("\n") + 1)}
    assert {line_of(HOSTILE, raw) for raw in RAW} <= lint_lines
    for snippet in (f"[Markdown 链接](javascript:", f"[坏]: javascript:", '{: onclick='):
        assert f"docs/恶意.md:{line_of(HOSTILE, snippet)}" in errors, (snippet, errors)
    reported = re.findall(r"^(?:ERROR|WARNING)\s+-\s+(docs/.*)$", relaxed.stderr, re.M)
    assert len(reported) == len(set(reported)), reported  # each problem once (toc re-runs postprocessors)
    output_line = line_of(HOSTILE, 'print("<div')
    assert f'docs/恶意.md:{output_line}: example output (output="markdown") raw HTML' in relaxed.stderr
    assert "Traceback" not in relaxed.stderr


def test_hostile_fields_are_shown_as_text(built):
    _, _, _, root = built
    page = (root / "site/恶意/index.html").read_text(encoding="utf-8")
    assert "<title>标题&lt;img src=x onerror=" in page and f"<h1>{TITLE}" not in page
    assert '<meta name="description" content="&#34;&gt;&lt;script&gt;' in page
    assert "42 &lt;img src=x onerror=" in page  # the binding's written text
    neighbour = (root / "site/邻居/index.html").read_text(encoding="utf-8")
    assert 'class="llm-kb-embed-title">标题&lt;img src=x onerror=' in neighbour
    # C++ and C# are two tags with two ids.
    tags = (root / "site/tags/index.html").read_text(encoding="utf-8")
    ids = re.findall(r'id="(tag-c[^"]*)"', tags)
    assert len(ids) == 2 and len(set(ids)) == 2, ids


@pytest.mark.browser
def test_nothing_runs_in_the_browser(built):
    from playwright.sync_api import sync_playwright

    _, _, url, _ = built
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("恶意/", "邻居/", "", "tags/", "graph/"):
            page.goto(f"{url}/{path}", wait_until="networkidle")
            page.wait_for_timeout(300)
            assert page.evaluate("window.__pwned") is None, path
            # Nothing in the DOM could still run on a click or a hover either.
            active = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
                [...el.attributes].filter(a => /^on/i.test(a.name) || a.name === 'srcdoc'
                    || /^\\s*(javascript|vbscript|data:text)/i.test(a.value)).map(a => el.tagName + ' ' + a.name))""")
            assert active == [], (path, active)
            assert page.locator("script:not([src])").evaluate_all(
                "els => els.filter(e => e.textContent.includes('__pwned')).length") == 0
        page.goto(f"{url}/恶意/", wait_until="networkidle")
        assert "<img src=x onerror=" in page.locator("h1").inner_text()
        assert "42 <img src=x onerror=" in page.locator(".llm-kb-value").inner_text()
        page.locator("#llm-kb-submit").click()  # the form lost its javascript: action
        page.wait_for_timeout(300)
        # Search: the hostile title and alias come back from the index and are shown as text.
        page.goto(f"{url}/邻居/", wait_until="networkidle")
        for _ in range(40):  # '/' opens the search box once Material's script is ready
            page.keyboard.press("/")
            if page.evaluate("document.getElementById('__search').checked"):
                break
            page.wait_for_timeout(250)
        page.keyboard.type("别名", delay=20)
        page.wait_for_function("() => document.querySelector('[data-llm-kb-search]').dataset.query === '别名'")
        results = page.locator(".md-search-result__list").inner_text()
        assert "标题<img src=x onerror=" in results, results
        # The graph's hover label is HTML in force-graph: hover until a label shows a hostile title.
        page.goto(f"{url}/graph/", wait_until="networkidle")
        page.wait_for_function("() => Number(document.querySelector('.llm-kb-global-graph')"
                               ".getAttribute('data-graph-nodes')) === 3", timeout=10_000)
        page.wait_for_timeout(1500)  # the layout settles and zooms to fit
        box = page.locator(".llm-kb-global-graph canvas").first.bounding_box()
        label = ""
        for y in range(4, 60, 2):
            for x in range(4, 60, 2):
                page.mouse.move(box["x"] + box["width"] * x / 64, box["y"] + box["height"] * y / 64)
                label = page.evaluate("[...document.querySelectorAll('.float-tooltip-kap, .graph-tooltip')]"
                                      ".map(t => t.innerHTML).join('')")
                if "onerror" in label:
                    break
            if "onerror" in label:
                break
        assert "&lt;img src=x onerror=" in label, label
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        browser.close()
    assert dialogs == []


def test_example_image_of_another_type_is_not_shown():
    """An example's image MIME type reaches a data: URL: only image types are shown."""
    import markdown

    from hooks import frontmatter
    from hooks.vault import VaultIndex

    note = "---\ntitle: 图\n---\n\n```python exec=\"cpu\"\nx = 1\n```\n"
    images = [{"name": "ok.png", "mime": "image/png", "data": "AAAA"},
              {"name": "bad.html", "mime": "text/html", "data": "PHNjcmlwdD4="},
              {"name": '"><script>x</script>', "mime": 'image/svg+xml;x="><script>', "data": "AAAA"}]
    vault = VaultIndex()
    vault.add_note("图.md", note.encode("utf-8"))
    build = state.current = state.Build(vault)
    build.examples = {"图.md": [(Block("图.md", 5, "x = 1", {"exec": "cpu"}), Result("passed", "cpu", images=images))]}
    state.markdown_config = markdown_setup()
    _, body = frontmatter.split(note, "图.md")
    build.begin_page("图.md", body)
    exts, configs = state.markdown_config
    out = markdown.Markdown(extensions=exts, extension_configs=configs).convert(body)
    assert out.count("<img ") == 1 and 'src="data:image/png;base64,AAAA"' in out
    assert "text/html" not in out and "<script>" not in out
    messages = [p.format() for p in build.problems]
    assert any(m.startswith("docs/图.md:6: example image 'bad.html' has type 'text/html', not shown") for m in messages), messages
    assert len(messages) == 2, messages


@pytest.mark.parametrize("fragment", RAW)
def test_each_raw_fragment_is_neutralised(fragment):
    clean, findings = html_policy.sanitize_fragment(fragment)
    assert findings
    assert not html_policy.scan(clean) and not html_policy.looks_active(clean)


@pytest.mark.parametrize("fragment", [
    "<details><summary>标题</summary>\n\n内容 <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup><br>\n</details>",
    '<div class="note" style="color: red"><table><tr><td>1</td></tr></table></div>',
    '<img src="data:image/png;base64,AAAA" alt="图">', '<img src="data:image/svg+xml;base64,AAAA">',
    '<a href="https://example.org/?q=javascript">外链</a>', '<p>&lt;img src=x onerror=1&gt; 是转义后的文字</p>',
])
def test_legitimate_html_is_kept(fragment):
    assert html_policy.sanitize_fragment(fragment) == (fragment, [])


def test_tree_attributes_are_dropped():
    root = etree.fromstring('<div><a href="javascript:x">a</a><p onclick="x" class="k">p</p>'
                            '<img src="data:text/html,x"/><a href="https://ok">ok</a></div>')
    found = html_policy.sanitize_tree(root)
    assert [why for _, _, why in found] == ["a javascript: URL in href=", "an event handler (onclick=)",
                                         "a data: URL of type 'text/html' (only images may be data: URLs) in src="]
    assert etree.tostring(root, encoding="unicode") == ('<div><span>a</span><p class="k">p</p><span />'
                                                        '<a href="https://ok">ok</a></div>')
