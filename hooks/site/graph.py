"""The link graph: a global graph page and, on every note, a local graph of its neighbours.

Data comes from the links every page attached while rendering (no second pass over the notes) and
is written once per build as ``assets/graph.json``; the browser draws it with force-graph (canvas,
fine at thousands of nodes), served from the site like every other script.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from hooks.site import append_html

INDEX_URI = "graph.md"
DATA_URL = "assets/graph.json"


def make_file(config: MkDocsConfig) -> File:
    return File.generated(config, INDEX_URI, content="---\ntitle: 知识图谱\n---\n")


def data(pages: dict, notes: dict) -> dict:
    """Nodes are published notes (by site URL), links are wikilinks and embeds between them."""
    by_path = {path: d for path, d in pages.items() if path in notes}
    # Named as links name them: short_title (a short label for a crowded graph), else the title.
    nodes = [{"id": d.url, "title": notes[path].link_text, "group": path.split("/")[0] if "/" in path else "",
              "degree": 0} for path, d in sorted(by_path.items())]
    index = {n["id"]: n for n in nodes}
    links, seen = [], set()
    for path, d in sorted(by_path.items()):
        for target, _anchor, _line, _embed in d.links:
            t = by_path.get(target)
            if t is None or t.url == d.url or (d.url, t.url) in seen:
                continue
            seen.add((d.url, t.url))
            links.append((d.url, t.url))
            index[d.url]["degree"] += 1
            index[t.url]["degree"] += 1
    # Compact on the wire: links as pairs of node indices.
    position = {n["id"]: i for i, n in enumerate(nodes)}
    # Section names for the section filter and the home page's map of sections: each folder's index title.
    groups = {n["group"]: notes[f"{n['group']}/index.md"].title for n in nodes
              if n["group"] and f"{n['group']}/index.md" in notes}
    return {"nodes": nodes, "links": [[position[a], position[b]] for a, b in links], "groups": groups}


def write(site_dir: str, pages: dict, notes: dict) -> dict:
    graph = data(pages, notes)
    out = Path(site_dir) / DATA_URL
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(graph, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return graph


def local_graph_html(page: Page) -> str:
    """Below a note: its neighbours. The home page (url ''): the sections and how their notes link."""
    root = get_relative_url(".", page.url)
    heading = "知识地图" if page.url == "" else "关系图"
    label = "各分区笔记之间的链接" if page.url == "" else "与本页相连的笔记"
    return (f'<aside class="llm-kb-local-graph-box"><h2 id="local-graph">{heading}'
            f'<a class="headerlink" href="#local-graph">¶</a></h2>'
            f'<div class="llm-kb-graph llm-kb-local-graph" data-root="{escape(root)}/" '
            f'data-page="{escape(page.url)}" role="img" aria-label="{label}"></div></aside>')


def inject(files: Files, pages: dict, notes: dict) -> None:
    """A local graph below every note."""
    for path in pages:
        f = files.get_file_from_path(path)
        if f is not None and f.page is not None and path in notes:
            append_html(f.page, local_graph_html(f.page), {"local-graph"})


def fill_index(files: Files, pages: dict) -> None:
    f = files.get_file_from_path(INDEX_URI)
    if f is None or f.page is None:
        return
    root = get_relative_url(".", f.page.url)
    f.page.content = (
        f"<p>每个点是一篇笔记，连线是笔记之间的双链或嵌入；点越大，连接越多。颜色表示所属分区。点击一个点打开那篇笔记。</p>"
        f'<div class="llm-kb-graph llm-kb-global-graph" data-root="{escape(root)}/" role="img" aria-label="全部笔记的关系图"></div>'
    )
