"""Search evaluation: the real site, in Chromium, over the queries of benchmarks/search_queries.json.

For each query the header search box is typed into, as a reader would, and the result list is read
back from the page. Printed per approach:

- success@1   share of queries whose first result is the note the query file names;
- precision@3 share of the top-3 result slots whose page text (the article a reader sees) contains
              the whole query (every space-separated part of it); a query with no result counts
              one empty slot. For the question set (a question is rarely found word for word) a
              slot counts when it holds a note the query file names (``first`` or ``also``);
- zero results share of queries with an empty result list;
- latency     from the keystroke to the results on screen (median, p95), the first query apart;
- bytes       what the browser downloaded for search: on page load and for the first query (what a
              Web Worker fetches is not seen: Material's worker script and lunr files are missing
              from its figure; the site runs Pagefind without a worker);
- index       seconds (wall and CPU) the build spent on the search index.

Approaches: ``pagefind`` (the site's search, hooks/site/search.py); ``material`` (Material's own
search plugin, corrected: its query segmenter no longer drops the last character of a Chinese run,
and every query term is required); ``material-stock`` (Material's plugin as it ships). Material
segments Chinese with jieba when it can import it; jieba is not a dependency of the site: pass
``--jieba DIR`` (a folder holding it, e.g. ``pip install --target DIR jieba``) to evaluate Material
as the issue measured it.

Three query sets: keywords (benchmarks/search_queries.json), questions as candidates type them
(benchmarks/search_queries_questions.json), and held-out questions written after the ranking was
tuned and not used to tune it (benchmarks/search_queries_heldout.json).

    .venv/bin/python benchmarks/search_eval.py                        # Pagefind only, the three sets
    .venv/bin/python benchmarks/search_eval.py --approach all --jieba /tmp/jieba
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import config_text, launch_chromium, serve_static  # noqa: E402
QUERIES = Path(__file__).with_name("search_queries.json")
QUESTIONS = Path(__file__).with_name("search_queries_questions.json")
HELDOUT = Path(__file__).with_name("search_queries_heldout.json")  # questions the ranking was not tuned on
# Not the note's own text: the edit button, other notes' titles and lines, the graph, example badges,
# permalinks. (Its tags stay: they are shown at the top of the note.)
NOT_TEXT = [".md-content__button", ".llm-kb-backlinks", ".llm-kb-local-graph-box", ".llm-kb-exec-badge",
            ".headerlink", "[hidden]"]
SEARCH_URL = re.compile(r"/pagefind/|/search\.js|search/search_index|workers/search|/lunr/")


# -- building --------------------------------------------------------------------------------------
def site_config(approach: str, out: Path) -> Path:
    """The site's mkdocs.yml with absolute paths (built from anywhere); Material's plugin added."""
    text = config_text(ROOT / "docs")
    if approach.startswith("material"):
        text = re.sub(r"^plugins:\n", "plugins:\n  - search:\n      lang: zh\n", text, count=1, flags=re.M)
    config = out.parent / f"mkdocs-{approach}.yml"
    config.write_text(text, encoding="utf-8")
    return config


def build(approach: str, out: Path, jieba: str | None = None) -> dict:
    """Build the site into ``out`` in a fresh interpreter; returns the index timings it measured."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if jieba:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [jieba, env.get("PYTHONPATH")]))
    cmd = [sys.executable, __file__, "--build-only", approach, str(site_config(approach, out)), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{approach} build failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _build_here(approach: str, config_file: str, out: str) -> None:
    """(--build-only) Build with timers around the search work only; print them as JSON."""
    import resource

    spent = {"wall": 0.0, "cpu": 0.0}

    def timed(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                return fn(*args, **kwargs)
            finally:
                k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                spent["wall"] += time.perf_counter() - w
                spent["cpu"] += time.process_time() - c + (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime)
        return wrapper

    sys.path.insert(0, str(ROOT))
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    extra = {}
    if approach.startswith("material"):
        w, c = time.perf_counter(), time.process_time()
        try:
            import jieba  # noqa: F401 — Material's plugin segments Chinese with it when importable
            extra["jieba"] = True
        except ImportError:
            extra["jieba"] = False
        spent["wall"] += time.perf_counter() - w
        spent["cpu"] += time.process_time() - c
    config = load_config(config_file=config_file, site_dir=out)
    if approach.startswith("material"):
        plugin = config.plugins["material/search"]
        for handlers in config.plugins.events.values():  # MkDocs calls the methods it collected
            handlers[:] = [timed(h) if getattr(h, "__self__", None) is plugin else h for h in handlers]
    else:
        from hooks.site import search

        search.add_page = timed(search.add_page)
        search.build_bundle = timed(search.build_bundle)
    started = time.perf_counter()
    config.plugins.on_startup(command="build", dirty=False)
    mkdocs_build(config)
    config.plugins.on_shutdown()
    if approach == "material":
        _correct_material(Path(out))
    print(json.dumps({"index_wall_s": spent["wall"], "index_cpu_s": spent["cpu"],
                      "build_wall_s": time.perf_counter() - started, **extra}))


def _correct_material(site: Path) -> None:
    """Material 9.8's query segmenter, corrected in the built worker.

    Its loops stop one character short (``j < query.length``), so the last character of a Chinese
    run is never part of a segment: 注意力 is searched as 注意*. And terms are optional (lunr's OR),
    so any page with one segment matches. Here: the full run is segmented, and every term is required.
    """
    worker = next((site / "assets/javascripts/workers").glob("search.*.min.js"))
    js = worker.read_text(encoding="utf-8")
    fixes = [
        ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e", "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"),
        ("n[a]&&a<t.length-1&&(i[s++]=a)", "n[a]&&a<t.length&&(i[s++]=a)"),
        (".map(r=>/(^[+-]|[~^]\\d+$)/.test(r)?r:`${r}*`)", ".map(r=>/(^[+-]|[~^]\\d+$)/.test(r)?r:`+${r}*`)"),
    ]
    for old, new in fixes:
        if js.count(old) != 1:
            raise SystemExit(f"Material's search worker changed; cannot apply the correction {old!r}")
        js = js.replace(old, new)
    worker.write_text(js, encoding="utf-8")


# -- the page text a result is judged by --------------------------------------------------------------
def normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).replace("\u200b", "")).strip().lower()


@functools.lru_cache(maxsize=None)
def page_text(site: str, path: str) -> str:
    from bs4 import BeautifulSoup

    html = Path(site, path.lstrip("/"), "index.html")
    if not html.is_file():
        return ""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
    article = soup.select_one("article.md-content__inner")
    if article is None:
        return ""
    for el in article.select(", ".join(NOT_TEXT)):
        el.decompose()
    return normal(article.get_text(" "))


def contains(text: str, query: str) -> bool:
    return all(part in text for part in normal(query).split(" "))


def note_url(path: str) -> str:
    """docs path of a note → its site path (directory URLs)."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return "/" + stem[: -len("index")]
    return f"/{stem}/"


# -- driving the page -------------------------------------------------------------------------------------
TYPE_PAGEFIND = """async (q) => {
  const root = document.querySelector('[data-llm-kb-search]');
  const input = root.querySelector('.md-search__input');
  const shown = new Promise((resolve) => {
    const on = (e) => { if (e.detail.query === q) { root.removeEventListener('llm-kb-search', on); resolve(); } };
    root.addEventListener('llm-kb-search', on);
  });
  const t0 = performance.now();
  input.focus();
  input.value = q;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await shown;
  const ms = performance.now() - t0;
  const hrefs = [...root.querySelectorAll('.md-search-result__list > li > a:first-child')].map((a) => a.href);
  return { ms, hrefs, count: Number(root.dataset.results) };
}"""

TYPE_MATERIAL = """async (q) => {
  const root = document.querySelector('[data-md-component=search]');
  const input = root.querySelector('.md-search__input');
  const meta = root.querySelector('.md-search-result__meta');
  const list = root.querySelector('.md-search-result__list');
  while (/初始化|initializ/i.test(meta.textContent)) await new Promise((r) => setTimeout(r, 20));
  meta.textContent = ''; list.replaceChildren();
  const t0 = performance.now();
  input.focus();
  input.value = q;
  input.dispatchEvent(new KeyboardEvent('keyup', { bubbles: true }));
  let count = -1;
  for (;;) {
    const m = meta.textContent.trim();
    if (m) {
      count = /没有|no match/i.test(m) ? 0 : Number((m.match(/\\d+/) || [0])[0]);
      if (list.children.length >= Math.min(count, 3)) break;
    }
    await new Promise((r) => requestAnimationFrame(r));
  }
  const ms = performance.now() - t0;
  const hrefs = [...list.querySelectorAll(':scope > li > a:first-child')].map((a) => a.href);
  return { ms, hrefs, count };
}"""


@dataclass
class Outcome:
    query: str
    first: str
    kind: str
    ms: float
    results: int
    top: list[str]
    also: list[str] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return bool(self.top) and self.top[0] == note_url(self.first)


def evaluate(site: Path, url: str, approach: str, queries: list[dict], judge: str = "contains") -> dict:
    """Type every query into the header search of ``url`` in Chromium; the figures and outcomes.

    ``judge``: how precision@3 judges a result slot: ``contains`` (its page text holds the query)
    or ``relevant`` (it is a note the query names: ``first`` or ``also``)."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    sizes: list[tuple[str, int, float]] = []  # (url, bytes, when)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))

        def finished(r):
            try:
                s = r.sizes()
                sizes.append((r.url, s["responseBodySize"] + s["responseHeadersSize"], time.monotonic()))
            except Exception:  # noqa: BLE001 — a request that failed has no sizes
                pass

        page.on("requestfinished", finished)
        page.goto(f"{url}/", wait_until="networkidle")
        loaded = len(sizes)
        script = TYPE_PAGEFIND if approach == "pagefind" else TYPE_MATERIAL
        outcomes = []
        for i, q in enumerate(queries):
            got = page.evaluate(script, q["q"])
            if i == 0:
                page.wait_for_load_state("networkidle")
                first_bytes = sum(b for u, b, _ in sizes if SEARCH_URL.search(urlparse(u).path))
                load_bytes = sum(b for u, b, _ in sizes[:loaded] if SEARCH_URL.search(urlparse(u).path))
            top = [unquote(urlparse(h).path) for h in got["hrefs"]]
            outcomes.append(Outcome(q["q"], q["first"], q["kind"], got["ms"], got["count"], top, q.get("also", [])))
        browser.close()
    for o in outcomes:
        if judge == "relevant":
            relevant = {note_url(n) for n in [o.first, *o.also]}
            o.hits = [t in relevant for t in o.top[:3]]
        else:
            o.hits = [contains(page_text(str(site), t), o.query) for t in o.top[:3]]
    later = sorted(o.ms for o in outcomes[1:])
    slots = sum(max(1, min(3, len(o.top))) for o in outcomes)
    external = [u for u in requests if urlparse(u).hostname != "127.0.0.1" and not u.startswith("data:")]
    return {
        "approach": approach,
        "queries": len(outcomes),
        "success_at_1": sum(o.success for o in outcomes) / len(outcomes),
        "precision_at_3": sum(sum(o.hits) for o in outcomes) / slots,
        "zero_results": sum(o.results == 0 for o in outcomes) / len(outcomes),
        "first_query_ms": outcomes[0].ms,
        "median_ms": statistics.median(later),
        "p95_ms": later[max(0, round(0.95 * len(later)) - 1)],
        "search_bytes_page_load": load_bytes,
        "search_bytes_first_query": first_bytes,
        "external_requests": external,
        "search_requests": [urlparse(u).path for u in requests if SEARCH_URL.search(urlparse(u).path)],
        "outcomes": outcomes,
    }


def report(r: dict, index: dict | None) -> None:
    print(f"\n== {r['approach']}: {r['queries']} queries{' · ' + r['set'] if r.get('set') else ''}")
    print(f"success@1    {r['success_at_1']:.3f}")
    print(f"precision@3  {r['precision_at_3']:.3f}")
    print(f"zero results {r['zero_results']:.3f}")
    print(f"latency      median {r['median_ms']:.0f} ms · p95 {r['p95_ms']:.0f} ms · first query {r['first_query_ms']:.0f} ms")
    print(f"bytes        {r['search_bytes_first_query'] / 1024:.1f} KiB for search up to the first query's results"
          f" ({r['search_bytes_page_load'] / 1024:.1f} KiB of it on page load)")
    if index:
        jieba = f" · jieba {'on' if index.get('jieba') else 'NOT installed'}" if "jieba" in index else ""
        print(f"index build  {index['index_wall_s']:.2f} s wall · {index['index_cpu_s']:.2f} s CPU"
              f" (whole build {index['build_wall_s']:.1f} s){jieba}")
    kinds = sorted({o.kind for o in r["outcomes"]})
    print("success@1 by kind  " + " · ".join(
        f"{k} {sum(o.success for o in r['outcomes'] if o.kind == k)}/{sum(o.kind == k for o in r['outcomes'])}"
        for k in kinds))
    print(f"external requests: {len(r['external_requests'])}")
    for o in r["outcomes"]:
        if not o.success or not all(o.hits):
            marks = "".join("✓" if h else "✗" for h in o.hits)
            print(f"  {'ok ' if o.success else 'MISS'} {o.query!r:<20} want {note_url(o.first)} got {o.top[:3]} contains:{marks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--approach", choices=["pagefind", "material", "material-stock", "both", "all"],
                        default="pagefind", help="both: pagefind and material; all: the three")
    parser.add_argument("--queries", type=Path, action="append",
                        help="a query file (repeatable); default: the keyword and the question set")
    parser.add_argument("--jieba", help="folder to put on PYTHONPATH for Material's build (holds jieba)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--build-only", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        _build_here(*args.build_only)
        return
    files = args.queries or [QUERIES, QUESTIONS, HELDOUT]
    figures = []
    approaches = {"both": ["pagefind", "material"], "all": ["pagefind", "material", "material-stock"]}
    for approach in approaches.get(args.approach, [args.approach]):
        with tempfile.TemporaryDirectory(prefix=f"llm-kb-search-eval-{approach}-") as tmp:
            site = Path(tmp, "site")
            index = build(approach, site, args.jieba)
            server, url = serve_static(site)
            try:
                for file in files:
                    queries = json.loads(file.read_text(encoding="utf-8"))["queries"]
                    judge = "contains" if file.name == QUERIES.name else "relevant"
                    r = evaluate(site, url, approach, queries, judge) | {"set": file.name}
                    report(r, index)
                    figures.append({k: v for k, v in r.items() if k != "outcomes"} | {"index": index})
            finally:
                server.shutdown()
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
