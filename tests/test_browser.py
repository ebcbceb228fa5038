"""A real browser (Debian's chromium through playwright) loads pages: nothing leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from helpers import build_vault, free_port, launch_chromium, serve_static

NOTE = """---
title: 浏览器测试
tags: [测试]
---

> [!question] 公式能渲染吗？
> 行内 $e^{i\\pi} + 1 = 0$，以及

$$
\\mathrm{softmax}(x_i) = \\frac{e^{x_i}}{\\sum_j e^{x_j}}
$$

```mermaid
graph LR
  A[输入] --> B[输出]
```

```python exec="cpu"
total = sum(range(10))
print(total)
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    # The site is built for the address it is served at, as 'mkdocs serve' does, so Material's
    # instant previews (which check links against the sitemap) work.
    port = free_port()
    notes = {"index.md": "---\ntitle: 首页\n---\n\n[[浏览器测试]] 与 [[乙]]\n", "浏览器测试.md": NOTE,
             "乙.md": "---\ntitle: 乙笔记\n---\n\n乙的内容，链接回 [[浏览器测试]]。\n\n## 乙的小节\n\n更多。\n"}
    result = build_vault(root, notes, site_url=f"http://127.0.0.1:{port}/")
    assert result.returncode == 0, result.stderr
    server, url = serve_static(root / "site", port)
    yield url
    server.shutdown()


@pytest.mark.browser
def test_page_renders_offline_with_no_external_request(site, tmp_path):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{site}/%E6%B5%8F%E8%A7%88%E5%99%A8%E6%B5%8B%E8%AF%95/", wait_until="networkidle")
        page.wait_for_selector(".katex", timeout=10_000)
        page.locator(".llm-kb-local-graph").scroll_into_view_if_needed()
        page.wait_for_function("() => Number(document.querySelector('.llm-kb-local-graph')"
                               "?.getAttribute('data-graph-nodes')) === 3", timeout=10_000)
        # The diagram is drawn by Mermaid served from the site (loaded because the page has one).
        page.wait_for_function("() => { const d = document.querySelector('.llm-kb-mermaid-diagram svg');"
                               " return d && d.getBoundingClientRect().height > 50; }", timeout=15_000)
        assert "输入" in page.locator(".llm-kb-mermaid-diagram svg").text_content()
        assert page.locator(".katex-display").count() == 1
        assert page.locator(".callout .katex").count() == 1
        assert page.locator('.llm-kb-exec[data-exec-status="passed"] .llm-kb-exec-stdout').inner_text().strip() == "45"
        assert page.evaluate("document.documentElement.lang") == "zh"
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    external = [u for u in requests if urlparse(u).hostname not in ("127.0.0.1",) and not u.startswith("data:")]
    assert requests and not external, external
    assert not [u for u in requests if "katex" in u and u.endswith(".js")]  # math rendered at build time


@pytest.mark.browser
def test_math_is_rendered_before_any_script_runs(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{site}/%E6%B5%8F%E8%A7%88%E5%99%A8%E6%B5%8B%E8%AF%95/", wait_until="load")
        text = page.locator("article").inner_text()
        assert page.locator(".katex-display").count() == 1 and page.locator(".callout .katex").count() == 1
        # No raw TeX visible: the MathML copy (with the TeX annotation) is visually hidden by KaTeX's CSS.
        assert "\\frac" not in text and "\\(" not in text and "$" not in text, text
        # The fonts used by nearly every formula are preloaded on a page with math.
        preloads = page.eval_on_selector_all("link[rel=preload][as=font]", "ls => ls.map(l => l.href)")
        assert any("KaTeX_Main-Regular.woff2" in h for h in preloads), preloads
        browser.close()


@pytest.mark.browser
def test_a_page_loads_only_the_libraries_it_uses(site):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 400})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{site}/%E4%B9%99/", wait_until="networkidle")  # no math, no diagram
        page.locator(".llm-kb-local-graph").scroll_into_view_if_needed()
        page.wait_for_function("() => Number(document.querySelector('.llm-kb-local-graph')"
                               "?.getAttribute('data-graph-nodes')) >= 2", timeout=10_000)
        browser.close()
    vendor = [u.split("/assets/vendor/")[1] for u in requests if "/assets/vendor/" in u]
    # KaTeX's stylesheet is on every page (math is rendered at build time; previews show other
    # pages' formulas), but no KaTeX script anywhere and no KaTeX font without math.
    assert "katex/dist/katex-swap.min.css" in vendor
    assert not any(u.endswith(".js") and "katex" in u or "/fonts/" in u or "mermaid" in u for u in vendor), vendor
    assert any("force-graph" in u for u in vendor)


@pytest.mark.browser
def test_hover_preview_and_global_graph(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(f"{site}/", wait_until="networkidle")
        page.locator("article a.wikilink", has_text="乙").hover()
        # Material previews the target's title and its text up to the first section heading.
        tip = ""
        for _ in range(40):
            page.wait_for_timeout(250)
            tip = page.evaluate("[...document.querySelectorAll('.md-tooltip2')].map(t => t.textContent).join('|')")
            if "乙的内容" in tip:
                break
        assert "乙笔记" in tip and "乙的内容" in tip and "更多" not in tip
        page.goto(f"{site}/graph/", wait_until="networkidle")
        page.wait_for_function("() => document.querySelector('.llm-kb-global-graph canvas') &&"
                               " Number(document.querySelector('.llm-kb-global-graph').getAttribute('data-graph-nodes')) === 3",
                               timeout=10_000)
        browser.close()
