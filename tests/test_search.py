"""Site search (Pagefind, hooks/site/search.py + search.js) in a real browser, on the real notes.

The quality figures come from benchmarks/search_eval.py, which types each query of
benchmarks/search_queries.json into the header search box and reads the results back.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from urllib.request import urlopen

import pytest

from helpers import MKDOCS, ROOT, build_vault, free_port, launch_chromium, render, serve_static

sys.path.insert(0, str(ROOT / "benchmarks"))
import search_eval  # noqa: E402


def indexed(site: Path) -> dict[str, dict]:
    """url -> Pagefind's record of the page (text with Chinese joined again, metadata), all shards."""
    records = {}
    for f in (site / "pagefind").glob("**/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))
        data["content"] = data["content"].replace("\u200b", "")
        assert data["url"] not in records, f"{data['url']} indexed twice"
        records[data["url"]] = data
    return records


# -- the real site ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-real")
    result = build_vault(root, docs=ROOT / "docs")
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"search index: \d+ pages in [\d.]+ s", result.stderr)
    server, url = serve_static(root / "site")
    yield root / "site", url
    server.shutdown()


@pytest.mark.browser
def test_query_set_success_and_precision(real_site):
    site, url = real_site
    queries = json.loads(search_eval.QUERIES.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 40
    assert {q["kind"] for q in queries} >= {"zh", "en", "mixed", "short"}
    for q in queries:
        assert (ROOT / "docs" / q["first"]).is_file(), q
    r = search_eval.evaluate(site, url, "pagefind", queries)
    search_eval.report(r, None)
    assert r["success_at_1"] >= 0.9
    assert r["precision_at_3"] >= 0.95
    assert r["external_requests"] == []
    # Understanding questions took no keyword query's first place: the only misses are the two
    # docs/about/search.md explains (both notes have the word in their title).
    assert {o.query for o in r["outcomes"] if not o.success} <= KNOWN_KEYWORD_MISSES


KNOWN_KEYWORD_MISSES = {"逐位"}


@pytest.mark.browser
def test_site_pages_rank_after_notes_and_excerpts_show_no_source(real_site):
    from playwright.sync_api import sync_playwright

    site, url = real_site
    with sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page()
        page.goto(f"{url}/", wait_until="networkidle")
        kv = search(page, "KV Cache")
        assert kv[0] == "/inference/kv-cache/" and "/about/contributing/" not in kv[:7]
        lora = search(page, "LoRA")
        assert lora[0] == "/finetuning/lora/"
        api = [i for i, u in enumerate(lora) if u.startswith("/reference/api-")]
        notes = [i for i, u in enumerate(lora) if u.startswith("/finetuning/")]
        # Every LoRA note before the API reference (a page about the site, listed after the notes).
        assert notes and all(i > max(notes) for i in api)
        excerpts = []
        for query in ("KV Cache", "LoRA", "W_Q", "为什么要除以根号dk", "kv缓存占多少显存", "softmax 溢出", "显存估算"):
            search(page, query)
            excerpts += page.eval_on_selector_all(".md-search-result__list p", "ps => ps.map(p => p.innerText)")
        assert len(excerpts) > 20
        for text in excerpts:
            assert not re.search(r"\\[(\[]|\$|`=\w+\||\|\s*-{3}|^\S+ · \S+ · |\bmath(?:bb|rm|bf|cal)\b|\bd?frac\b", text), text
        b.close()


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory):
    """The real notes indexed 40 to a shard, as a vault of thousands is indexed 500 to a shard."""
    root = tmp_path_factory.mktemp("search-sharded")
    result = build_vault(root, docs=ROOT / "docs", extra={"search_shard_pages": 40})
    assert result.returncode == 0, result.stderr[-3000:]
    server, url = serve_static(root / "site")
    yield root / "site", url
    server.shutdown()


@pytest.mark.browser
def test_sharded_index_is_searched_as_one(real_site, sharded_site):
    site, url = sharded_site
    shards = json.loads((site / "pagefind" / "llm-kb-shards.json").read_text(encoding="utf-8"))["shards"]
    notes = indexed(real_site[0])
    assert len(shards) == -(-len(notes) // 40) - 1  # the first shard is the bundle itself
    assert json.loads((real_site[0] / "pagefind" / "llm-kb-shards.json").read_text())["shards"] == []
    assert indexed(site).keys() == notes.keys()  # every note in exactly one shard
    for shard in shards:  # a shard holds its index only: scripts and WebAssembly come from the first
        assert not list((site / "pagefind" / shard).glob("*.js"))
        assert not list((site / "pagefind" / shard).glob("wasm.*"))
    queries = json.loads(search_eval.QUERIES.read_text(encoding="utf-8"))["queries"]
    r = search_eval.evaluate(site, url, "pagefind", queries)
    search_eval.report(r, None)
    assert r["success_at_1"] >= 0.9
    assert r["precision_at_3"] >= 0.95
    assert r["external_requests"] == []
    fetched = r["search_requests"]
    assert sum("/wasm." in u for u in fetched) == 1
    for shard in shards:
        assert any(u.startswith(f"/pagefind/{shard}pagefind-entry.json") for u in fetched), shard


def test_bad_shard_size_names_the_setting(tmp_path):
    result = build_vault(tmp_path, {"index.md": "# 首页\n"}, extra={"search_shard_pages": 0})
    assert result.returncode != 0
    assert "extra.search_shard_pages must be a whole number ≥ 1, not 0" in result.stderr


@pytest.mark.browser
def test_header_search_reads_like_materials_and_marks_the_target(real_site):
    from playwright.sync_api import sync_playwright

    site, url = real_site
    requests: list[str] = []
    with sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/inference/", wait_until="networkidle")
        assert not [u for u in requests if "/pagefind/" in u]  # nothing of the index before a search
        # Keyboard shortcut, as in Material: '/' opens the box and focuses the input.
        page.keyboard.press("/")
        assert page.evaluate("document.getElementById('__search').checked")
        assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
        page.keyboard.type("LoRA 显存", delay=20)  # results as you type
        page.wait_for_function("() => document.querySelector('[data-llm-kb-search]').dataset.query === 'LoRA 显存'")
        first = page.locator(".md-search-result__list > li").first
        assert first.locator("a").first.locator("h1").inner_text().startswith("LoRA")
        # A matching section: its heading, a highlighted excerpt, a link to its anchor.
        section = first.locator("a:has(h2)").first
        href = section.get_attribute("href")
        assert "#" in href and section.locator("mark").count() >= 1
        assert "显存" in section.locator("p").inner_text()
        meta = page.locator(".md-search-result__meta").inner_text()
        assert re.fullmatch(r"\d+ 个符合条件的结果", meta.strip()), meta
        # Arrow down to the first result, Enter: the note opens with the searched words marked.
        page.keyboard.press("ArrowDown")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        target = urlparse(page.url)
        assert unquote(target.path) == "/finetuning/lora/"
        assert parse_qs(target.query)["h"] == ["lora", "显存"]
        page.wait_for_function("() => document.querySelectorAll('article mark.llm-kb-search-highlight').length > 0")
        marked = set(page.eval_on_selector_all("article mark.llm-kb-search-highlight", "ms => ms.map(m => m.textContent)"))
        assert {"显存", "LoRA"} <= marked
        # Not the yellow of the authors' ==highlight== (llm-kb.css), which keeps its meaning.
        colours = page.evaluate("""() => {
          const own = document.createElement('mark');
          document.querySelector('article.md-content__inner').append(own);
          const search = document.querySelector('article mark.llm-kb-search-highlight');
          return [getComputedStyle(own).backgroundColor, getComputedStyle(search).backgroundColor];
        }""")
        assert colours[0] != colours[1], colours
        # Escape closes the box again.
        page.keyboard.press("s")
        assert page.evaluate("document.getElementById('__search').checked")
        page.keyboard.press("Escape")
        assert not page.evaluate("document.getElementById('__search').checked")
        b.close()
    assert all(urlparse(u).hostname == "127.0.0.1" for u in requests if not u.startswith("data:"))


# -- what is indexed -------------------------------------------------------------------------------------
def test_chinese_is_split_into_characters_in_text_only():
    from hooks.site.search import split_han

    html = '<p title="编辑此页">注意力 <b>机制</b>是 LoRA 的显存</p>'
    assert split_han(html) == '<p title="编辑此页">注\u200b意\u200b力 <b>机\u200b制</b>\u200b是 LoRA 的\u200b显\u200b存</p>'


HOME = "---\ntitle: 首页\n---\n\n[[甲]] [[乙]] [[丙]]\n"
NOTES = {
    "index.md": HOME,
    "甲.md": "---\ntitle: 甲笔记\naliases: [混合专家, MoE]\ntags: [模型结构]\n---\n\n稀疏模型的一种做法。\n\n"
             "%%注释里的秘密词汇%%\n\n## 路由\n\n路由器为每个 token 选专家。\n",
    "乙.md": "---\ntitle: 乙笔记\ntags: [推理]\n---\n\n" + "混合专家的推理很贵。" * 12 + "\n\n引用 [[甲]]。\n",
    "丙.md": "---\ntitle: 丙笔记\n---\n\n注意力机制的计算：注意力分数除以根号 d。\n",
    "草稿.md": "---\ntitle: 草稿\npublish: false\n---\n\n草稿里的秘密内容\n",
}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-small")
    result = build_vault(root, NOTES)
    assert result.returncode == 0, result.stderr
    server, url = serve_static(root / "site")
    yield root / "site", url
    server.shutdown()


def test_index_holds_what_readers_see_and_nothing_else(small_site):
    site, _ = small_site
    records = indexed(site)
    urls = {unquote(u) for u in records}
    assert urls == {"/", "/甲/", "/乙/", "/丙/"}  # notes only: no draft, no tag index, no graph page
    text = "\n".join(r["content"] for r in records.values())
    assert "稀疏模型的一种做法" in text and "路由器为每个 token 选专家" in text
    assert "秘密" not in text  # neither the draft nor the %%comment%%
    for chrome in ("反向链接", "关系图", "llm-kb 大模型工程知识库", "编辑此页", "¶"):
        assert chrome not in text, chrome  # backlinks, graph, header, edit button, permalinks
    a = records[next(u for u in records if unquote(u) == "/甲/")]
    assert a["meta"]["title"] == "甲笔记"
    assert json.loads(a["meta"]["aliases"].replace("\u200b", "")) == ["混合专家", "MoE"]
    assert "混合专家" in a["content"] and "模型结构" in a["content"]  # aliases and tags are searchable
    assert any(anchor["id"] == "路由" for anchor in a["anchors"])  # sections link to their heading


def search(page, query: str) -> list[str]:
    got = page.evaluate(search_eval.TYPE_PAGEFIND, query)
    return [unquote(urlparse(h).path) for h in got["hrefs"]]


@pytest.mark.browser
def test_alias_first_substrings_and_mixed_queries(small_site):
    from playwright.sync_api import sync_playwright

    _, url = small_site
    with sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page()
        page.goto(f"{url}/", wait_until="networkidle")
        # The note whose alias is the query comes first, before the note that repeats it 12 times.
        assert search(page, "混合专家")[:2] == ["/甲/", "/乙/"]
        assert search(page, "moe")[0] == "/甲/"  # English, any case
        assert search(page, "注意力") == ["/丙/"]  # the whole word, not pages sharing a character
        assert search(page, "意力") == ["/丙/"]  # part of a longer word
        assert search(page, "路由") == ["/甲/"]  # two characters
        assert search(page, "token 专家") == ["/甲/"]  # mixed: every part must be there
        # No page holds both: the pages holding one of them, rather than nothing (issue 25).
        assert sorted(search(page, "token 注意力")) == ["/丙/", "/甲/"]
        assert search(page, "秘密") == []
        b.close()


# -- mkdocs serve ---------------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("dirty", [False, True], ids=["serve", "serve-dirty"])
def test_serve_indexes_in_the_background_and_swaps_in_the_new_index(tmp_path, dirty):
    from playwright.sync_api import sync_playwright

    port = free_port()
    docs = tmp_path / "docs"
    for rel, text in NOTES.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^docs_dir: .*$", f"docs_dir: {docs}", config, flags=re.M)
    config = re.sub(r"^site_url: .*$", f"site_url: http://127.0.0.1:{port}/", config, flags=re.M)
    config = config.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    config = config.replace("  - hooks/mkdocs_hooks.py", f"  - {ROOT / 'hooks' / 'mkdocs_hooks.py'}")
    config = config.replace("paths: [.]", f"paths: [{ROOT}]")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(tmp_path / "cache")}
    with log.open("w") as out:
        proc = subprocess.Popen([str(MKDOCS), "serve", "-f", str(tmp_path / "mkdocs.yml"), "--dev-addr",
                                 f"127.0.0.1:{port}"] + (["--dirty"] if dirty else []),
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, env=env)
    url = f"http://127.0.0.1:{port}"

    def wait_for(predicate, what: str, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while not predicate():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"{what}:\n{log.read_text()}"
            time.sleep(0.2)

    try:
        wait_for(lambda: "in the background)" in log.read_text(), "first index")
        assert urlopen(f"{url}/pagefind/pagefind.js").status == 200
        with sync_playwright() as p:
            b = launch_chromium(p)
            page = b.new_page()
            page.goto(f"{url}/", wait_until="load")  # serve's live reload keeps a request open
            assert search(page, "路由") == ["/甲/"]
            (docs / "丙.md").write_text(NOTES["丙.md"] + "\n新加的词语鲸鱼座。\n", encoding="utf-8")
            wait_for(lambda: log.read_text().count("in the background)") >= 2, "second index")
            page.goto(f"{url}/", wait_until="load")
            assert search(page, "鲸鱼座") == ["/丙/"]
            assert search(page, "路由") == ["/甲/"]  # under --dirty 甲 was not rendered again: still indexed
            b.close()
        # The rebuild was done (and the browser told to reload) before its index was: serve never waits.
        second = log.read_text().split("Reloading browsers", 1)[0].rsplit("Building documentation", 1)[1]
        assert "in the background)" not in second
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_dirty_build_keeps_the_notes_it_did_not_render(tmp_path):
    assert build_vault(tmp_path, NOTES).returncode == 0
    untouched = tmp_path / "site" / "甲" / "index.html"
    rendered_at = untouched.stat().st_mtime_ns
    (tmp_path / "docs" / "丙.md").write_text(NOTES["丙.md"] + "\n新加的词语鲸鱼座。\n", encoding="utf-8")
    result = subprocess.run([str(MKDOCS), "build", "--dirty", "-f", str(tmp_path / "mkdocs.yml"), "-d",
                             str(tmp_path / "site")], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert untouched.stat().st_mtime_ns == rendered_at  # 甲 was not rendered again…
    records = {unquote(u): r for u, r in indexed(tmp_path / "site").items()}
    assert set(records) == {"/", "/甲/", "/乙/", "/丙/"}
    assert "鲸鱼座" in records["/丙/"]["content"] and "路由器" in records["/甲/"]["content"]  # …yet is indexed


@pytest.mark.parametrize("error", [TypeError, OSError])  # Windows: no CDLL(None); a libc that will not load
def test_memory_release_before_indexing_needs_no_glibc(monkeypatch, error):
    from hooks.site import search as site_search

    def unavailable(name):
        raise error(f"cannot load {name!r}")

    monkeypatch.setattr(site_search.ctypes, "CDLL", unavailable)
    site_search.release_memory()  # returns: the build goes on to index


def test_serve_stopping_mid_index_logs_no_failure(monkeypatch, tmp_path, caplog):
    # Stopping serve removes the articles folder while the background indexer may be reading it.
    from hooks.site import search as site_search

    def index_cut_short(snap, out, background=False):
        background_indexer.stop()
        raise FileNotFoundError("the articles folder is gone")

    monkeypatch.setattr(site_search, "build_bundle", index_cut_short)
    background_indexer = site_search._Background(str(tmp_path))
    worker = next(t for t in threading.enumerate() if t.name == "llm-kb-search-index")
    with caplog.at_level("WARNING", logger="mkdocs.plugins.llm_kb.search"):
        background_indexer.submit(site_search.Snapshot(str(tmp_path), "zh", tmp_path / "raw"))
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert not [r for r in caplog.records if "search index failed" in r.getMessage()]


# -- what a question finds (issue 25) ---------------------------------------------------------------
def test_formulas_reach_the_index_as_reading_text():
    from hooks.site.search_text import readable_math, tex_to_text

    assert tex_to_text(r"\(\frac{QK^\top}{\sqrt{d_k}}\)") == "QKᵀ/√d_k"
    assert tex_to_text(r"$O(n^2 d)$") == "O(n^2 d)"
    assert tex_to_text(r"\[\text{softmax}(x)_i \approx \alpha\]") == "softmax(x)_i ≈ α"
    assert tex_to_text(r"W_0\in\mathbb R^{d\times k}") == "W_0∈ R^d× k"  # a font command without braces
    html = '<p>乘 <span class="arithmatex">\\(W_Q\\)</span> 得 <span class="arithmatex">\\(a &lt; b\\)</span></p>'
    assert readable_math(html) == '<p>乘 <span class="llm-kb-math">W_Q</span> 得 <span class="llm-kb-math">a &lt; b</span></p>'
    katex = ('<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>d</mi></mrow>'
             '<annotation encoding="application/x-tex">\\sqrt{d_k}</annotation></semantics></math></span>'
             '<span class="katex-html" aria-hidden="true"><span class="base">√dk</span></span></span>')
    assert readable_math(f"<p>除以 {katex}。</p>") == '<p>除以 <span class="llm-kb-math">√d_k</span>。</p>'


def test_question_callouts_with_answer_keys_and_where_they_link():
    from hooks.site.search_text import questions, readable_math

    note = ("---\ntitle: T\n---\n\n> [!question] 一层注意力要算多少？\n\n"
            "> [!question]- 点积注意力为什么要除以 $\\sqrt{d_k}$？\n> 方差随 $d_k$ 增大，softmax 饱和。\n\n^q-attn-scale-why\n\n"
            "## 细节\n\n> [!question] 细节里的问题？\n> 答案要点。\n")
    html, _ = render(note)  # the real Markdown pipeline
    found = questions(readable_math(html))
    assert [q.q for q in found] == ["一层注意力要算多少？", "点积注意力为什么要除以 √d_k？", "细节里的问题？"]
    assert found[0].a == "" and found[0].id == ""  # no key yet, no heading above: the page itself
    assert found[1].a == "方差随 d_k 增大，softmax 饱和。" and found[1].id.endswith("q-attn-scale-why")
    assert found[2].a == "答案要点。" and found[2].id == "细节"  # no id of its own: the heading above
    # The id on the callout itself (as the build gives folded questions their ^q- id).
    own = '<details class="question callout" id="q-own"><summary>问？</summary><p>答。</p></details>'
    assert questions(own)[0].id == "q-own"


def test_names_for_understanding_queries(tmp_path):
    from mkdocs.exceptions import PluginError
    from hooks.site.search_names import load_synonyms, search_names

    names = search_names([("KV Cache：原理", ["KV 缓存", "kv-cache", "键值缓存", "Key-Value Cache"]),
                          ("Agent 设计", ["Agent", "智能体", "工具调用", "记忆"])],
                         {"groups": [["显存", "VRAM"]], "words": ["根号"]})
    assert {"kv cache", "kv 缓存", "键值缓存", "key-value cache", "记忆", "根号", "vram"} <= set(names["words"])
    assert ["kv cache", "kv 缓存", "kv-cache", "键值缓存"] in names["groups"]
    assert not any("记忆" in g for g in names["groups"])  # a late alias is a related term, not a synonym
    assert ["显存", "vram"] in names["groups"]
    # Per page (Pagefind's id): its title and aliases, as search.js compares them.
    from hooks.site.search_names import note_entries
    assert note_entries({"zh_2": ("Agent 设计", []), "zh_1": ("KV Cache：原理", ["KV 缓存", "x" * 30])}) == [
        ["zh_1", "kv cache:原理", "kv 缓存"], ["zh_2", "agent 设计"]]
    assert load_synonyms()["groups"]  # the reviewed file in the repository loads
    bad = tmp_path / "synonyms.yml"
    bad.write_text("groups:\n  - [显存]\n", encoding="utf-8")
    with pytest.raises(PluginError, match=r"synonyms.yml:2: a synonym group is a list of at least two names"):
        load_synonyms(bad)


@pytest.mark.browser
def test_question_set_success_and_zero_results(real_site):
    site, url = real_site
    queries = json.loads(search_eval.QUESTIONS.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 60
    assert {q["kind"] for q in queries} >= {"zh", "mixed", "abbrev", "typo"}
    for q in queries:
        for note in [q["first"], *q.get("also", [])]:
            assert (ROOT / "docs" / note).is_file(), q
    r = search_eval.evaluate(site, url, "pagefind", queries, "relevant")
    search_eval.report(r, None)
    assert r["success_at_1"] >= 0.9
    assert r["zero_results"] <= 0.02
    assert r["external_requests"] == []
    # What the first question downloads (Pagefind's scripts, WebAssembly, index chunks, results),
    # beyond what came with the page: under 300 KB.
    assert r["search_bytes_first_query"] - r["search_bytes_page_load"] < 300_000


def test_index_chunks_are_small(real_site):
    # A query downloads the index chunk of each of its characters: Pagefind's default chunks (about
    # 40 KiB) made a six-character question fetch 220 KiB of index (hooks/site/search.py
    # INDEX_CHUNK_LOCATIONS). A chunk holds at least one whole word, so a very common character
    # can exceed the target alone; none of ours comes near 20 KiB.
    site, _ = real_site
    sizes = [f.stat().st_size for f in (site / "pagefind" / "index").glob("*.pf_index")]
    assert len(sizes) > 60 and max(sizes) < 20 * 1024, (len(sizes), max(sizes))


QUESTION_NOTES = {
    "index.md": "---\ntitle: 首页\n---\n\n[[缓存]] [[缩放]] [[专家]]\n",
    "缓存.md": ("---\ntitle: KV Cache：原理与显存\naliases: [KV Cache, KV 缓存, kv-cache]\ntags: [推理]\n---\n\n"
               "生成时把每层的键值存下来，下一个 token 只算新的一行。投影矩阵 $W_Q$ 不必缓存。\n\n"
               "> [!question]- KV 缓存占多少显存？\n> 每个 token 每层存 K 和 V 两份，显存等于 2 乘层数乘隐藏维度乘字节数。\n\n"
               "^q-kv-memory\n\n## 为什么没有 Q Cache\n\n查询只用一次。\n"),
    "缩放.md": ("---\ntitle: 注意力缩放\naliases: [Attention Scaling]\n---\n\n"
               "> [!question] 点积注意力为什么要除以 $\\sqrt{d_k}$？\n\n方差随维度增大，softmax 会饱和。\n"),
    "专家.md": ("---\ntitle: 混合专家\naliases: [MoE]\n---\n\n路由器为每个 token 选专家。\n\n"
               "```markdown\n---\ntitle: 示例里的秘密标题\naliases: [KV Cache]\n---\n值 `=kv_mem|128` 见 [[缓存]]\n```\n"),
    "about/说明.md": "---\ntitle: 说明\n---\n\n" + "路由器与专家的写法。" * 6 + "\n",
    # The note a word names against notes that say the word more often (search.js naming()).
    "低秩.md": "---\ntitle: LoRA：低秩适配\naliases: [LoRA, 低秩适配]\n---\n\n冻结基座，只训练两个小矩阵，显存省下一大截。\n",
    "服务.md": ("---\ntitle: 多 LoRA 服务\naliases: [多 LoRA 服务]\n---\n\n"
               + "一张卡上同时挂很多 LoRA 适配器，每个 LoRA 的显存很小，LoRA 越多越要管好显存。" * 4 + "\n"),
    "微调.md": "---\ntitle: 微调\naliases: [微调, Fine-tuning]\n---\n\n" + "微调改权重；RAG 不改。" * 3 + "\n",
    "检索.md": "---\ntitle: RAG\naliases: [RAG, 检索增强生成]\n---\n\n" + "RAG 查资料；微调不查。" * 3 + "\n",
    "选型.md": "---\ntitle: 选 Prompt、微调还是 RAG\naliases: [微调还是 RAG]\n---\n\n先试提示，再看 RAG，最后才微调。\n",
    "量化.md": "---\ntitle: 量化\naliases: [Quantization]\n---\n\n把权重压成低比特。\n",
    # A run of characters ranks by how often it occurs as a run, not by its characters alone.
    "并行.md": "---\ntitle: 张量并行\n---\n\n" + "第一层列切，第二层行切。" * 5 + "\n",
    "序列.md": "---\ntitle: 序列长度与序列并行\naliases: [序列并行]\n---\n\n" + "序列越长越贵。" * 8 + "按序列切开。\n",
}


@pytest.fixture(scope="module")
def question_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-questions")
    result = build_vault(root, QUESTION_NOTES)
    assert result.returncode == 0, result.stderr
    server, url = serve_static(root / "site")
    yield root / "site", url
    server.shutdown()


def first_result(page, query: str) -> dict:
    search(page, query)
    return page.evaluate("""() => {
      const a = document.querySelector('.md-search-result__list > li > a');
      return a && { href: a.href, excerpt: (a.querySelector('p') || {}).innerText || '',
                    question: (a.querySelector('.llm-kb-search-question') || {}).innerText || '' };
    }""")


@pytest.mark.browser
def test_questions_are_understood_and_answered(question_site):
    from playwright.sync_api import sync_playwright

    site, url = question_site
    records = {unquote(u): r for u, r in indexed(site).items()}
    assert "示例里的秘密标题" not in records["/专家/"]["content"]  # note source quoted in a code block
    assert "\\(" not in records["/缓存/"]["content"] and "W_Q" in records["/缓存/"]["content"]
    with sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page()
        page.goto(f"{url}/", wait_until="networkidle")
        # Question words dropped, 缓存 kept whole, full-width and case folded: the folded question
        # callout is the excerpt, with the start of its answer key, and the link lands on its id.
        for query in ("kv缓存占多少显存", "KV 缓存占多少显存？", "ＫＶ缓存要占多少显存"):
            got = first_result(page, query)
            assert unquote(urlparse(got["href"]).path) == "/缓存/", query
            assert got["question"].endswith("KV 缓存占多少显存？"), got
            assert "每个 token 每层存 K 和 V" in got["excerpt"]
            anchor = unquote(urlparse(got["href"]).fragment)
            assert anchor.endswith("q-kv-memory")
            assert f'id="{anchor}"' in (site / "缓存" / "index.html").read_text(encoding="utf-8")
        # The spellings of one formula; an unfolded question with no key and no id: the page.
        for query in ("为什么要除以根号dk", "为什么除以 √d_k", "除以sqrt(d_k)的原因"):
            got = first_result(page, query)
            assert unquote(urlparse(got["href"]).path) == "/缩放/", query
            assert got["question"].endswith("点积注意力为什么要除以 √d_k？") and "\\(" not in got["excerpt"]
            assert urlparse(got["href"]).fragment == ""
        # Nothing holds every word: the pages holding most of them, never an empty list.
        # (The home page lists the notes by title, so it may hold both words: a hub, it ranks after them.)
        got = search(page, "token 注意力")
        notes = [u for u in got if u != "/"]
        assert notes and set(notes) <= {"/缓存/", "/缩放/", "/专家/"} and got[:len(notes)] == notes
        # A misspelt name (one character off) still finds its note.
        assert search(page, "混合专价")[0] == "/专家/"
        # The excerpt of a title or alias match is the note's text, not its alias list.
        got = first_result(page, "KV Cache")
        assert unquote(urlparse(got["href"]).path) == "/缓存/"
        assert not got["excerpt"].startswith(("KV Cache ·", "KV Cache · KV")), got
        # A page about the site ranks after the note, though it repeats the words more.
        assert search(page, "路由器 专家")[:2] == ["/专家/", "/about/说明/"]
        # The note a word names comes first, as a keyword and in a question; two words together can
        # name a note ("微调还是 RAG"), before the notes each word names alone.
        assert search(page, "LoRA 显存")[0] == "/低秩/"
        assert search(page, "LoRA 为什么省显存")[0] == "/低秩/"
        assert search(page, "RAG 和微调怎么选")[0] == "/选型/"
        # 列切 occurs five times as a run in one note and once, inside 序列切开, in the other.
        assert search(page, "列切")[0] == "/并行/"
        # British spelling is American spelling: quantisation finds what quantization finds.
        assert search(page, "quantisation 比特")[0] == "/量化/"
        b.close()


def test_note_source_in_code_blocks_is_not_indexed_but_program_code_is():
    from hooks.site.search_text import without_note_source

    def block(code: str) -> str:
        return f'<div class="highlight"><pre><span></span><code>{code}</code></pre></div>'

    kept = [block("x = [[1, 2], [3, 4]]\nprint(x[[0]])"), block("a = [['甲', '乙']]")]
    dropped = [block("---\ntitle: KV Cache\naliases: [KV 缓存]\n---\n正文"), block("值 <span>`=kv_l3_8b|128`</span>"),
               block("&gt; [!question]- 问题？"), block("见 [[kv-cache#原理]]")]
    for html in kept:
        assert without_note_source(f"<p>前</p>{html}<p>后</p>") == f"<p>前</p>{html}<p>后</p>"
    for html in dropped:
        assert without_note_source(f"<p>前</p>{html}<p>后</p>") == "<p>前</p><p>后</p>"
