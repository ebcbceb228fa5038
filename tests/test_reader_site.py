"""The real vault (docs/) built and read as a reader would (issue 22): learning-path order, links
that read as titles, clean backlink context, math without scripts, phones, graphs, accessibility.

The site keeps the configured site_url (https://llm-kb.github.io/llm-kb/) and is served from
127.0.0.1, as a mirror or a local folder server would: hover previews must work all the same.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import yaml
from bs4 import BeautifulSoup

from helpers import ROOT, build_vault, launch_chromium, serve_static

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# Source syntax that must never show in a line of backlink context.
RAW = re.compile(r"\$[^$\s][^$]*\$|\$\$|\\\(|\\\[|\[\[|\]\]|\||`|=[A-Za-z_][\w.-]*\|")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader")
    # The examples' results from the checkout's cache: this module tests the reader's side.
    result = build_vault(root, docs=ROOT / "docs", env={"LLM_KB_EXAMPLES_CACHE": str(ROOT / ".cache" / "examples")})
    assert result.returncode == 0, result.stderr[-3000:]
    server, url = serve_static(root / "site")
    yield root / "site", url
    server.shutdown()


def pages(site_dir: Path) -> dict[str, BeautifulSoup]:
    out = {}
    for f in sorted(site_dir.rglob("index.html")):
        rel = f.parent.relative_to(site_dir).as_posix()
        if rel.startswith(("assets", "pagefind")):
            continue
        out["" if rel == "." else rel + "/"] = BeautifulSoup(f.read_text(encoding="utf-8"), "lxml")
    return out


def visible_text(el) -> str:
    """Text a reader sees: KaTeX's MathML copy (visually hidden, holds the TeX) left out."""
    el = BeautifulSoup(str(el), "lxml")
    for hidden in el.select(".katex-mathml"):
        hidden.decompose()
    return el.get_text()


# -- order ---------------------------------------------------------------------------------------
def index_order(section: str) -> list[str]:
    """The notes of a section in the order its index.md links them (wikilinks by file name)."""
    text = (ROOT / "docs" / section / "index.md").read_text(encoding="utf-8")
    here = {p.stem for p in (ROOT / "docs" / section).glob("*.md")} - {"index"}
    order = []
    for name in re.findall(r"\[\[([^\]|#\n]+)", text):
        stem = name.strip().split("/")[-1]
        if stem in here and stem not in order:
            order.append(stem)
    return order


def test_previous_next_follow_the_learning_path(site):
    site_dir, _ = site
    all_pages = pages(site_dir)
    walked, url = [], ""
    while url is not None and url not in walked:
        walked.append(url)
        nxt = all_pages[url].select_one("a.md-footer__link--next")
        url = unquote(urljoin("/" + url, nxt["href"]))[1:] if nxt else None
        if url is not None and url.endswith("index.html"):
            url = url[: -len("index.html")]
    notes = [u for u in walked if u and not u.startswith(("tags/", "graph/"))]
    assert len(notes) >= 100, "the next links should run through the whole vault"
    folders = list(dict.fromkeys(u.split("/")[0] for u in notes if "/" in u))
    order = yaml.safe_load(re.sub(r"!!python/name:\S+", "null", (ROOT / "mkdocs.yml").read_text()))["extra"]["section_order"]
    assert folders == [f for f in order if f in folders], folders  # sections in the order of the path
    for section in folders:
        inside = [u.split("/")[1] for u in notes if u.startswith(section + "/") and u.count("/") == 2]
        assert notes[[u.split("/")[0] for u in notes].index(section)] == section + "/", "the index comes first"
        recommended = index_order(section)
        assert inside[: len(recommended)] == recommended, (section, inside, recommended)
    # Previous is the reverse of next.
    for before, after in zip(walked, walked[1:]):
        prev = all_pages[after].select_one("a.md-footer__link--prev")
        assert prev is not None and unquote(urljoin("/" + after, prev["href"]))[1:].removesuffix("index.html") == before


# -- links read as titles --------------------------------------------------------------------------
def test_no_link_in_the_text_reads_as_a_file_name(site):
    site_dir, _ = site
    stems = {p.stem for p in (ROOT / "docs").rglob("*.md") if SLUG.match(p.stem)}
    slugs = []
    for url, soup in pages(site_dir).items():
        for a in soup.select("article a.wikilink, .llm-kb-backlinks li > a"):
            text = a.get_text().strip()
            if text in stems or any(text.startswith(s + " ›") for s in stems):
                slugs.append((url, text))
    assert slugs == [], slugs[:20]
    graph = (site_dir / "assets" / "graph.json").read_text(encoding="utf-8")
    assert not [s for s in stems if f'"title":"{s}"' in graph]


def test_backlink_context_shows_no_source_syntax(site):
    site_dir, _ = site
    contexts = [visible_text(c) for soup in pages(site_dir).values() for c in soup.select(".llm-kb-backlink-context")]
    assert len(contexts) > 200
    raw = [c for c in contexts if RAW.search(c)]
    assert raw == [], raw[:20]


# -- math --------------------------------------------------------------------------------------------
def test_no_katex_script_and_no_raw_tex_in_any_page(site):
    site_dir, _ = site
    with_math = 0
    for url, soup in pages(site_dir).items():
        assert not [s["src"] for s in soup.select("script[src]") if "katex" in s["src"]], url
        article = soup.select_one("article")
        with_math += bool(article.select(".katex"))
        for el in article.select("pre, code, .katex-mathml"):
            el.decompose()
        text = article.get_text()
        assert not re.search(r"\\\(|\\\[|\$\$|\\frac|\\sqrt", text), (url, re.search(r".{30}(\\\(|\\\[|\$\$|\\frac|\\sqrt).{30}", text))
    assert with_math > 50
    assert not (site_dir / "assets" / "vendor" / "mermaid").exists()  # no note has a diagram


# -- in a browser -------------------------------------------------------------------------------------
@pytest.mark.browser
def test_wide_formulas_scroll_in_their_own_box_on_a_phone(site):
    from playwright.sync_api import sync_playwright

    site_dir, url = site
    urls = [u for u, soup in pages(site_dir).items() if soup.select("article .katex-display")]
    wide, bad = 0, []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(**PHONE).new_page()
        page.route("**/force-graph*", lambda route: route.abort())  # not needed here
        for u in urls:
            page.goto(f"{url}/{u}", wait_until="load")
            page.evaluate("document.fonts.ready")
            found = page.evaluate("""() => [...document.querySelectorAll('article .katex-display')].map(d => {
                const r = d.getBoundingClientRect(), s = getComputedStyle(d);
                return {wide: d.scrollWidth > d.clientWidth + 1, right: r.right, left: r.left,
                        scrolls: ['auto', 'scroll'].includes(s.overflowX), shadow: s.backgroundImage.includes('radial-gradient')};
            })""")
            for i, f in enumerate(found):
                wide += f["wide"]
                if f["right"] > 390.5 or f["left"] < -0.5 or (f["wide"] and not (f["scrolls"] and f["shadow"])):
                    bad.append((u, i, f))
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, u  # the page itself never scrolls sideways
        browser.close()
    assert wide > 0, "no formula wider than a phone: the test checks nothing"
    assert bad == [], bad[:10]


@pytest.mark.browser
def test_hover_preview_works_when_served_away_from_site_url(site):
    from playwright.sync_api import sync_playwright

    _, url = site
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(f"{url}/architecture/", wait_until="networkidle")
        link = page.locator("article a.wikilink[href*='self-attention']").first
        title = link.inner_text()
        link.hover()
        tip = ""
        for _ in range(40):
            page.wait_for_timeout(250)
            tip = page.evaluate("[...document.querySelectorAll('.md-tooltip2')].map(t => t.textContent).join('|')")
            if tip:
                break
        assert "自注意力" in tip, (title, tip)
        browser.close()


@pytest.mark.browser
def test_axe_finds_no_serious_or_critical_violation(site):
    from playwright.sync_api import sync_playwright

    _, url = site
    found = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1366, "height": 900})

        def audit(name: str) -> None:
            page.add_script_tag(path=str(AXE))  # in the test only: axe is never part of the site
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found[name] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                           for v in result["violations"] if v["impact"] in ("serious", "critical")]

        for name, path in [("home", ""), ("note", "architecture/self-attention/"), ("graph", "graph/"), ("tags", "tags/")]:
            page.goto(f"{url}/{path}", wait_until="networkidle")
            audit(name)
        page.goto(f"{url}/", wait_until="networkidle")
        page.keyboard.press("/")
        page.keyboard.type("KV Cache", delay=20)
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__list > li').length > 0", timeout=90_000)
        audit("search results")
        edit = page.locator("a.md-content__button[rel=edit]")
        page.goto(f"{url}/architecture/self-attention/", wait_until="networkidle")
        assert edit.get_attribute("aria-label") and edit.get_attribute("title") is None  # preview removed title
        browser.close()
    assert all(v == [] for v in found.values()), found


@pytest.mark.browser
def test_graphs_are_readable_follow_the_theme_and_filter_by_section(site):
    from playwright.sync_api import sync_playwright

    _, url = site
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        # A note's graph: the note itself in the middle, labelled; every label a direct neighbour.
        page.goto(f"{url}/architecture/self-attention/", wait_until="networkidle")
        page.locator(".llm-kb-local-graph").scroll_into_view_if_needed()
        page.wait_for_selector(".llm-kb-local-graph[data-graph-settled]", timeout=20_000)
        page.wait_for_timeout(600)  # the centring transition
        local = page.evaluate("""() => {
            const box = document.querySelector('.llm-kb-local-graph'), c = box.__llmKbChart;
            const nodes = c.graphData().nodes, me = nodes[nodes.length - 1], at = c.graph2ScreenCoords(me.x, me.y);
            const ids = new Set(nodes.map(n => n.id)), page = box.dataset.page;
            const neighbours = new Set(c.graphData().links.flatMap(l => [l.source.id, l.target.id].includes(page)
                ? [l.source.id, l.target.id] : []));
            return {current: me.current === true && me.id === page, dx: at.x - box.clientWidth / 2,
                    dy: at.y - box.clientHeight / 2, labels: Number(box.dataset.graphLabels), nodes: nodes.length,
                    allNear: [...ids].every(id => id === page || neighbours.has(id)), kind: box.dataset.graphKind};
        }""")
        assert local["kind"] == "local" and local["current"] and local["allNear"], local
        assert abs(local["dx"]) < 6 and abs(local["dy"]) < 6, local
        assert local["labels"] == local["nodes"] > 2, local
        # Colours follow the light/dark toggle.
        colour = "() => document.querySelector('.llm-kb-local-graph').__llmKbChart.linkColor()({})"
        before = page.evaluate(colour)
        scheme = page.get_attribute(".llm-kb-local-graph", "data-graph-scheme")
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_function(f"() => document.querySelector('.llm-kb-local-graph').dataset.graphScheme !== '{scheme}'")
        assert page.evaluate(colour) != before
        # The home page: a map of the sections.
        page.goto(f"{url}/", wait_until="networkidle")
        page.locator(".llm-kb-local-graph").scroll_into_view_if_needed()
        page.wait_for_selector(".llm-kb-local-graph[data-graph-settled]", timeout=20_000)
        assert page.get_attribute(".llm-kb-local-graph", "data-graph-kind") == "sections"
        assert int(page.get_attribute(".llm-kb-local-graph", "data-graph-nodes")) >= 15
        # The global graph: labels for the best-connected notes, and a filter by section.
        page.goto(f"{url}/graph/", wait_until="networkidle")
        page.wait_for_selector(".llm-kb-global-graph[data-graph-settled]", timeout=30_000)
        total = int(page.get_attribute(".llm-kb-global-graph", "data-graph-nodes"))
        assert int(page.get_attribute(".llm-kb-global-graph", "data-graph-labels")) >= 10
        button = page.locator(".llm-kb-graph-section", has_text="模型结构")
        button.click()
        assert button.get_attribute("aria-pressed") == "false"
        shown = int(page.get_attribute(".llm-kb-global-graph", "data-graph-nodes"))
        architecture = len(list((ROOT / "docs" / "architecture").glob("*.md")))
        assert shown == total - architecture, (total, shown, architecture)
        browser.close()


@pytest.mark.browser
def test_a_finger_on_a_graph_scrolls_the_page_on_a_phone(site):
    from playwright.sync_api import sync_playwright

    _, url = site
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(**PHONE).new_page()
        page.goto(f"{url}/graph/", wait_until="networkidle")
        page.wait_for_selector(".llm-kb-global-graph[data-graph-settled]", timeout=30_000)
        box = page.locator(".llm-kb-global-graph").bounding_box()
        before = page.evaluate("scrollY")
        # A finger put down in the middle of the graph and moved up 250 px.
        cdp, y = page.context.new_cdp_session(page), box["y"] + box["height"] / 2
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": 195, "y": y}]})
        for step in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": 195, "y": y - 25 * step}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(300)
        assert page.evaluate("scrollY") > before + 100
        browser.close()
