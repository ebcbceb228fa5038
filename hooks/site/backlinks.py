"""Backlinks: every note lists the notes that link to it or embed it, with a line of context."""

from __future__ import annotations

import re
from html import escape

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from hooks.site import append_html

MARKUP = re.compile(r"!?\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\\?\|([^\]]*))?\]\]")


def snippet(text: str, line: int, width: int = 90) -> str:
    """The linking line, with wikilinks shown as their text and Markdown markers dropped."""
    lines = text.split("\n")
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    raw = MARKUP.sub(lambda m: m.group(2) or m.group(1), raw)
    raw = re.sub(r"^[\s>*\-+#\d.]+", "", raw).replace("**", "").replace("==", "").strip()
    return raw if len(raw) <= width else raw[: width - 1] + "…"


def inject(files: Files, pages: dict, vault) -> None:
    incoming: dict[str, dict[str, tuple]] = {}
    for source, data in pages.items():
        for target, _anchor, line, is_embed in data.links:
            if target != source:
                incoming.setdefault(target, {}).setdefault(source, (line, is_embed))
    for target, sources in incoming.items():
        f = files.get_file_from_path(target)
        if f is None or f.page is None or f.page.content is None:
            continue
        items = []
        for source, (line, is_embed) in sorted(sources.items(), key=lambda kv: pages[kv[0]].title):
            data = pages[source]
            note = vault.notes.get(source)
            context = escape(snippet(note.text, line)) if note else ""
            kind = "嵌入" if is_embed else "链接"
            items.append(
                f'<li><a href="{escape(get_relative_url(data.url, f.page.url))}">{escape(data.title)}</a>'
                f' <span class="llm-kb-backlink-kind">{kind}</span>'
                + (f'<br><span class="llm-kb-backlink-context">{context}</span>' if context else "") + "</li>"
            )
        append_html(f.page, (
            f'\n<aside class="llm-kb-backlinks"><h2 id="backlinks">反向链接<a class="headerlink" href="#backlinks">¶</a></h2>'
            f'<p>{len(items)} 篇笔记引用了本页。</p><ul>{"".join(items)}</ul></aside>'
        ), {"backlinks"})
