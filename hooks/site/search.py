"""Site search: Pagefind indexes what readers see of each note; the browser searches the bundle.

Why Pagefind and not Material's own search (lunr + jieba): measured on the same queries in a real
browser, see docs/about/search.md and benchmarks/search_eval.py. The browser downloads only the
index chunks a query needs, and nothing comes from another host.

What is indexed (``snapshot_page``): for each published note, its article only, as a small HTML
page marked ``data-pagefind-body``. The front-matter title (the page's h1), aliases and tags are
weighted so a note whose title or alias is the query ranks first. Edit button, tag chips,
backlinks, graphs, example badges and heading permalinks are left out; so are navigation, header
and footer, which are not in the article. Unpublished notes have no page, so they never reach the
index; Obsidian comments were removed when the Markdown was rendered.

Chinese is indexed one character a word (``split_han``); overrides/assets/llm-kb/search.js searches
each Chinese run of a query as an exact phrase of its characters. Formulas are indexed as reading
text and note source quoted in code blocks is left out (search_text.py); each page's question
callouts go into its metadata. Beside the bundle: the vocabulary search.js uses to understand a
question (search_names.py: the notes' names, reviewed synonyms) and the pages ranked low (LOW_RANK).

Memory: Pagefind holds every page it indexes in memory until it writes the bundle (about 0.12 MB a
note, so 400 MB at 3,000 notes). A large vault is therefore indexed in shards of at most
``SHARD_PAGES`` notes (``extra.search_shard_pages`` in mkdocs.yml), one Pagefind run after the other,
each into its own folder of the bundle (``shard-1/`` …, listed in ``SHARDS_FILE``); search.js merges
them with Pagefind's ``mergeIndex``, which reuses the first bundle's WebAssembly, so a reader
downloads a few KiB more per shard. Notes go to shards in turn (round robin over sorted paths), so
every shard has the same mix of notes and their word statistics, hence scores, are comparable.
Before Pagefind starts, the MkDocs process hands the pages' HTML it no longer needs back to the
system (``release_memory``): the two processes' peaks then do not add up.

When (``finish``): after the build. ``mkdocs build`` waits and logs ``search index: N pages in X s``.
Under ``mkdocs serve`` a background thread hands the articles to a separate, lower-priority
process, so a reload never waits for the index nor competes with it for the interpreter: the
rebuilt site serves the previous bundle until the new one is swapped in (one edit behind for a
second or two).
A ``--dirty`` rebuild renders only some pages; the others keep the article of the last build.
"""

from __future__ import annotations

import ctypes
import gc
import gzip
import json
import logging
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from hooks.site.search_names import load_synonyms, note_entries, search_names, write_names
from hooks.site.search_text import questions, readable_math, without_note_source
from hooks.vault import Note, VaultIndex

log = logging.getLogger("mkdocs.plugins.llm_kb.search")

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_DIR = "pagefind"  # the bundle's folder in the site; search.js loads pagefind/pagefind.js from it
SHARDS_FILE = "llm-kb-shards.json"  # in the bundle: {"shards": ["shard-1/", …]}, for search.js
SHARD_PAGES = 500  # at most this many notes in one Pagefind run (its peak: ~135 MiB), unless mkdocs.yml says
ALIAS_WEIGHT = 10  # Pagefind's maximum; the h1 (title) weighs 7, body text 1 (weights count squared)
TAG_WEIGHT = 4
# Inside the article but not the note's own text (Pagefind itself skips <nav>, <form>, <script>…).
EXCLUDE_SELECTORS = [
    ".md-content__button",  # edit button
    ".llm-kb-tags",  # tag chips: the tags are indexed once, in their weighted block
    ".llm-kb-backlinks",  # other notes' titles and lines: they would make this page match
    ".llm-kb-local-graph-box",
    ".llm-kb-exec-badge",  # "passed on CPU · Python …" under every example
    ".headerlink",  # the ¶ permalinks
]
# Pages about the site or generated API reference rank after the notes that teach the subject: their
# Pagefind ids go into the names file ("low"), search.js halves their score (LOW_RANK_FACTOR).
# "LoRA" is the note, not api-lora; "KV Cache" is not about/contributing. Section index pages and
# the question index are lists linking to the notes that answer: they hold every word of many
# questions and would otherwise come first.
LOW_RANK = ("about/", "reference/api-", "practice/question-index.md")
# Word positions per index chunk (Pagefind's default 20,000: about 36 KiB). Chinese is indexed a
# character a word, so a query downloads the chunk of each of its characters: with the default a
# six-character query fetched 220 KiB of index and a question up to 440 KiB; with 4,000, 30-70 KiB,
# the whole first query (scripts, WebAssembly, results) under 300 KB. Pagefind 1.5.2 reads it from
# this environment variable ("unstable": tests/test_search.py checks the chunks it writes).
INDEX_CHUNK_LOCATIONS = 4000
NAMES_FILE = "llm-kb-names.pf_json"  # in the bundle, gzipped: names and synonyms (search_names.py), for search.js
# Pagefind's own search UIs: the site draws Material's search box instead (search.js).
UNUSED = [f"pagefind-{ui}.{ext}" for ui in ("ui", "modular-ui", "component-ui") for ext in ("js", "css")]
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>')
# Unicode's Han script as search.js's /\p{Script=Han}/u sees it: radicals, 々 〇, ideographs (the
# same code points in the BMP; planes 2 and 3 whole).
HAN = ("\u2e80-\u2e99\u2e9b-\u2ef3\u2f00-\u2fd5\u3005\u3007\u3021-\u3029\u3038-\u303b"
       "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9\U00020000-\U0003ffff")
_HAN_PAIR = re.compile(f"(?<=[{HAN}])(?=[{HAN}])")
_HAN_CHAR = re.compile(f"[{HAN}]")
_TAG = re.compile(r"(<[^>]*>)")


@dataclass
class Snapshot:
    """The notes of one build for the index: note path -> (site path, note). Each article is
    written to ``raw/<site path>`` as its page is built, not kept: at 3,000 notes the articles
    held in memory were most of what this build needed beyond plain MkDocs."""

    site_dir: str
    language: str
    raw: Path
    use_directory_urls: bool = True
    shard_pages: int = SHARD_PAGES
    pages: dict[str, tuple[str, Note]] = field(default_factory=dict)


def _write(path: Path, text: str) -> None:
    """Replace a file in one step: under serve, the background indexer may be reading the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def article_html(output: str) -> str | None:
    """The inside of the page's article (what a reader sees of the note), or None."""
    start = ARTICLE.search(output)
    end = output.rfind("</article>")
    return output[start.end():end] if start and end >= start.end() else None


def split_han(html: str) -> str:
    """Put a zero-width space between Chinese characters of the text (never inside tags).

    Why: a dictionary cuts words differently at build time (Pagefind's extended build) and in the
    browser (Intl.Segmenter) — 注意力 is 注意 + 力 in one, a single word in the other — and a word
    cut differently is not found. One character a word on both sides makes a query an exact
    phrase: every page containing it is found, a substring of a longer word included, and nothing
    that merely shares its characters. Pagefind keeps the zero-width space as the word boundary,
    so excerpts still read as the original text.
    """
    parts = _TAG.split(html)
    previous_han = False
    for i in range(0, len(parts), 2):
        text = parts[i]
        if not text:
            continue
        text = _HAN_PAIR.sub("\u200b", text)
        if previous_han and _HAN_CHAR.match(text):
            text = "\u200b" + text  # across inline tags: <b>注意</b>力
        parts[i] = text
        previous_han = bool(_HAN_CHAR.match(text[-1]))
    return "".join(parts)


def snapshot_page(body: str, title: str, aliases: list[str], tags: list[str], language: str) -> str:
    """A minimal HTML page holding what a reader sees of a note (its article), marked for Pagefind.

    Formulas become reading text (no TeX in excerpts) and note source quoted in code blocks is left
    out (search_text.py); the question callouts go into metadata too, so search.js can show the
    question a query matches, with the start of its answer key.
    """
    body = readable_math(without_note_source(body))
    title = escape(title)
    asked = [q.as_dict() for q in questions(body)]
    # Metadata (ignored for matching): search.js puts first the note whose alias is the query, and
    # shows a matching question as the excerpt.
    weighted = (f'<div data-pagefind-ignore><span data-pagefind-meta="aliases">'
                f'{escape(json.dumps(aliases, ensure_ascii=False))}</span>'
                f'<span data-pagefind-meta="tags">{escape(json.dumps(tags, ensure_ascii=False))}</span>'
                f'<span data-pagefind-meta="questions">{escape(json.dumps(asked, ensure_ascii=False))}</span></div>')
    for weight, values in ((ALIAS_WEIGHT, aliases), (TAG_WEIGHT, tags)):
        if values:
            weighted += f'<div data-pagefind-weight="{weight}">{" · ".join(escape(v) for v in values)}</div>'
    # Right after the h1 (the title): a title or alias match then counts for the top of the page.
    h1_end = body.find("</h1>")
    cut = h1_end + len("</h1>") if h1_end >= 0 else 0
    return (f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body>"
            f'<article data-pagefind-body data-pagefind-meta="title:{title}">'
            f"{split_han(body[:cut] + weighted + body[cut:])}</article></body></html>")


def _binary() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise PluginError("pagefind-bin-extended is missing: run 'make setup' (requirements.txt)") from exc
    return str(get_executable())


def index_folder(raw: Path, out_dir: Path) -> int:
    """From the articles written by ``build_bundle`` (raw/pages.json + raw/<page>): the bundle."""
    manifest = json.loads((raw / "pages.json").read_text(encoding="utf-8"))
    pages = sorted(manifest["pages"].items())
    count = max(1, math.ceil(len(pages) / manifest["shard_pages"]))
    for i in range(count):
        _index_shard(raw, pages[i::count], manifest["language"], out_dir / f"shard-{i}" if i else out_dir, i == 0)
    for name in UNUSED:
        Path(out_dir, name).unlink(missing_ok=True)
    shards = [f"shard-{i}/" for i in range(1, count)]
    Path(out_dir, SHARDS_FILE).write_text(json.dumps({"shards": shards}), encoding="utf-8")
    names = search_names([(title, aliases) for _, (title, aliases, _, _) in pages], load_synonyms())
    names["pages"] = len(pages)  # for the rarity of a word (search.js)
    ids = {unquote(json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]):
           f.name.removesuffix(".pf_fragment") for f in sorted(out_dir.glob("**/fragment/*.pf_fragment"))}
    by_url = {page_url(rel): info for rel, info in pages}
    names["low"] = sorted(pid for url, pid in ids.items() if by_url.get(url, (0, 0, 0, False))[3])
    # Pages about the site name nothing: their titles (站内搜索) are not what a query asks for.
    names["notes"] = note_entries({pid: by_url[url][:2] for url, pid in ids.items() if url in by_url and not by_url[url][3]})
    write_names(Path(out_dir, NAMES_FILE), names)
    return len(pages)


def low_rank(path: str) -> bool:
    """Whether a note (vault path) ranks after the notes that teach the subject."""
    return path.startswith(LOW_RANK) or path == "index.md" or path.endswith("/index.md")


def page_url(rel: str) -> str:
    """The URL Pagefind gives a page written at ``rel`` (about/x/index.html -> /about/x/)."""
    return "/" + rel.removesuffix("index.html")


def _index_shard(raw: Path, pages: list[tuple[str, list]], language: str, out_dir: Path, first: bool) -> None:
    """One Pagefind run over some of the pages. A shard other than the first keeps only its index:
    search.js loads Pagefind's scripts and WebAssembly from the first."""
    with tempfile.TemporaryDirectory(prefix="llm-kb-search-") as scratch:
        site = Path(scratch)
        for rel, (title, aliases, tags, _) in pages:
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            body = (raw / rel).read_text(encoding="utf-8")
            path.write_text(snapshot_page(body, title, aliases, tags, language), encoding="utf-8")
        cmd = [_binary(), "--site", str(site), "--output-path", str(out_dir), "--silent"]
        for selector in EXCLUDE_SELECTORS:
            cmd += ["--exclude-selectors", selector]
        done = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(INDEX_CHUNK_LOCATIONS)})
    if done.returncode != 0:
        raise PluginError(f"pagefind failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    if not first:
        for script in [*out_dir.glob("*.js"), *out_dir.glob("*.css"), *out_dir.glob("wasm.*.pagefind")]:
            script.unlink()


def build_bundle(snap: Snapshot, out_dir: Path, background: bool = False) -> tuple[int, float, float]:
    """Index the snapshot into ``out_dir``: (pages, wall seconds, CPU seconds incl. Pagefind's).

    The articles are already in ``snap.raw``; turning them into pages for Pagefind (a second of
    Python at 1,000 notes) and Pagefind itself run in ``index_folder``. In the background (serve)
    that is a separate, lower-priority process, so it never holds the serve process's interpreter
    while MkDocs rebuilds or answers the browser.
    """
    wall, cpu = time.perf_counter(), time.thread_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pages = {rel: (note.title, note.front.aliases, note.front.tags, low_rank(note.path))
             for rel, note in snap.pages.values()}
    _write(snap.raw / "pages.json", json.dumps(
        {"language": snap.language, "shard_pages": snap.shard_pages, "pages": pages}, ensure_ascii=False))
    if background:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run([sys.executable, "-m", "hooks.site.search", str(snap.raw), str(out_dir)],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise PluginError(done.stderr[-3000:])
    else:
        index_folder(snap.raw, out_dir)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return len(pages), time.perf_counter() - wall, time.thread_time() - cpu + child_cpu


class _Background:
    """Under ``mkdocs serve``: one thread indexes the latest build; builds it has not reached are skipped.

    Bundles live in ``<site>/.llm-kb-search/`` (MkDocs empties the site folder on every rebuild but
    keeps hidden entries, and removes the whole folder when serve stops); the site's ``pagefind``
    entry is a symlink to the newest finished bundle, replaced in one step.
    """

    def __init__(self, site_dir: str) -> None:
        self.root = Path(site_dir) / ".llm-kb-search"
        self.root.mkdir(exist_ok=True)
        self.lock = threading.Condition()
        self.pending: Snapshot | None = None
        self.site_dir = site_dir
        self.current: Path | None = None  # the newest finished bundle
        self.generation = 0
        self.stopped = False
        threading.Thread(target=self._run, name="llm-kb-search-index", daemon=True).start()

    def submit(self, snap: Snapshot) -> None:
        with self.lock:
            self.pending, self.site_dir = snap, snap.site_dir
            if self.current is not None:  # search works at once, with the previous bundle
                _link(Path(snap.site_dir) / BUNDLE_DIR, self.current)
            self.lock.notify()

    def _run(self) -> None:
        while True:
            with self.lock:
                while self.pending is None and not self.stopped:
                    self.lock.wait()
                if self.stopped:
                    return
                snap, self.pending = self.pending, None
                self.generation += 1
                out = self.root / f"bundle-{self.generation}"
            try:
                pages, wall, cpu = build_bundle(snap, out, background=True)
            except Exception as exc:  # noqa: BLE001 — a failed index must not stop `serve`
                if self.stopped:  # serve stopped and removed the articles under the indexer: no news
                    return
                log.warning(f"search index failed: {exc}")
                continue
            with self.lock:
                if self.stopped:  # serve is shutting down and removing the site
                    return
                old, self.current = self.current, out
                _link(Path(self.site_dir) / BUNDLE_DIR, out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            log.info(f"search index: {pages} pages in {wall:.2f} s (CPU {cpu:.2f} s, in the background)")

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            self.lock.notify()


def _link(at: Path, target: Path) -> None:
    """Point ``at`` at ``target`` in one step: a reader never sees a half-written bundle."""
    tmp = at.with_name(f".{at.name}-{os.getpid()}-{threading.get_ident()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, at.parent), target_is_directory=True)
    if at.is_dir() and not at.is_symlink():
        shutil.rmtree(at)
    os.replace(tmp, at)


_serving = False  # set once per MkDocs process, in on_startup
_background: _Background | None = None
_snapshot: Snapshot | None = None  # the build in progress
_previous: dict[str, tuple[str, Note]] = {}  # serve: the last build's pages, for those a dirty rebuild skips
_serve_raw: Path | None = None  # serve: one articles folder for the process, so skipped pages keep theirs


def startup(command: str) -> None:
    """``on_startup``: under ``serve``, index in the background."""
    global _serving
    _serving = command == "serve"


def shutdown() -> None:
    global _background, _serve_raw, _snapshot
    if _background is not None:
        _background.stop()
        _background = None
    if _snapshot is not None:  # a build that failed between on_pre_build and on_post_build
        shutil.rmtree(_snapshot.raw, ignore_errors=True)
        _snapshot = None
    if _serve_raw is not None:
        shutil.rmtree(_serve_raw, ignore_errors=True)
        _serve_raw = None


def begin(site_dir: str, language: str, use_directory_urls: bool = True, shard_pages: int = SHARD_PAGES) -> None:
    """``on_pre_build``: a new build, an empty snapshot."""
    global _snapshot, _serve_raw
    if not isinstance(shard_pages, int) or isinstance(shard_pages, bool) or shard_pages < 1:
        raise PluginError(f"mkdocs.yml: extra.search_shard_pages must be a whole number ≥ 1, not {shard_pages!r}")
    if _serving:
        _serve_raw = _serve_raw or Path(tempfile.mkdtemp(prefix="llm-kb-search-raw-"))
        raw = _serve_raw
    else:
        raw = Path(tempfile.mkdtemp(prefix="llm-kb-search-raw-"))
    _snapshot = Snapshot(site_dir, language, raw, use_directory_urls, shard_pages)


def add_page(output: str, page: Page, note: Note) -> None:
    """``on_post_page``: keep a published note's article (a slice; the indexing work comes later)."""
    if _snapshot is None or not note.published or page.file.inclusion.is_excluded():
        return
    body = article_html(output)
    if body is None:
        log.warning(f"docs/{note.path}: the page has no article; not indexed for search")
        return
    _write(_snapshot.raw / page.file.dest_uri, body)
    _snapshot.pages[note.path] = (page.file.dest_uri, note)


def _skipped_pages(snap: Snapshot, vault: VaultIndex) -> None:
    """Published notes a dirty build did not render: their article from the last build, or from disk."""
    for path, note in vault.notes.items():
        if not note.published or path in snap.pages:
            continue
        if path in _previous:  # its article is still in the serve process's folder
            snap.pages[path] = (_previous[path][0], note)
            continue
        rel = File(path, src_dir=None, dest_dir=snap.site_dir, use_directory_urls=snap.use_directory_urls).dest_uri
        built = Path(snap.site_dir, rel)
        body = article_html(built.read_text(encoding="utf-8")) if built.is_file() else None
        if body is not None:
            _write(snap.raw / rel, body)
            snap.pages[path] = (rel, note)


def release_memory() -> None:
    """Give the memory that Python has freed back to the system before Pagefind starts.

    The pages' HTML was dropped as each page was written (``on_post_page``), but glibc keeps freed
    blocks inside the heap: without a trim the MkDocs process stays at its peak while Pagefind runs
    beside it. Elsewhere than glibc, nothing to do.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # no malloc_trim (macOS), no CDLL(None) (Windows)
        pass


def finish(vault: VaultIndex) -> None:
    """``on_post_build``: build ``site/pagefind`` now (build) or in the background (serve)."""
    global _snapshot, _background, _previous
    if _snapshot is None:
        return
    snap, _snapshot = _snapshot, None
    _skipped_pages(snap, vault)
    if _serving:
        _previous = dict(snap.pages)
    if _serving:
        if _background is None:
            _background = _Background(snap.site_dir)
        _background.submit(snap)
        return
    out = Path(snap.site_dir) / BUNDLE_DIR
    if out.is_symlink():
        out.unlink()
    elif out.is_dir():
        shutil.rmtree(out)  # a `--dirty` build keeps the folder: no fragments of removed notes
    release_memory()
    try:
        pages, wall, cpu = build_bundle(snap, out)
    finally:
        shutil.rmtree(snap.raw, ignore_errors=True)
    log.info(f"search index: {pages} pages in {wall:.2f} s (CPU {cpu:.2f} s)")


if __name__ == "__main__":  # the background indexer under serve (build_bundle): raw folder, bundle folder
    os.nice(10)  # below the rebuilds of `serve`; Pagefind, started from here, inherits it
    index_folder(Path(sys.argv[1]), Path(sys.argv[2]))
