"""Backlinks: every note lists the notes that link to it or embed it, with a line of context.

Each note is named as links name it (``short_title`` or title); the line of context is shown as
the page shows it (hooks.site.snippet: formulas rendered, no Markdown or Obsidian syntax), the
formulas of all backlinks of the build rendered in one request.
"""

from __future__ import annotations

from html import escape

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from hooks.obsidian.wikilinks import WikilinkProcessor
from hooks.site import append_html, snippet

# The wikilinks of a note's text, group 1 the target (hooks.incremental finds what a note links to).
MARKUP = snippet.WIKILINK
WIDTH = 90  # characters of context per backlink


def context_pieces(source: str, text: str, line: int, vault) -> list[tuple[str, str]]:
    """The linking line as a reader sees it (hooks.site.snippet), cut to :data:`WIDTH`."""
    lines = text.split("\n")
    raw = lines[line - 1] if 0 < line <= len(lines) else ""

    def link_text(target: str, anchor: str | None) -> str:
        note = vault.notes.get(vault.resolve(target, source).path or "") if target else None
        return WikilinkProcessor.display(note.link_text if note is not None else target, anchor)

    return snippet.shorten(snippet.pieces(raw, link_text), WIDTH)


def inject(files: Files, pages: dict, vault) -> None:
    incoming: dict[str, dict[str, tuple]] = {}
    for source, data in pages.items():
        for target, _anchor, line, is_embed in data.links:
            if target != source:
                incoming.setdefault(target, {}).setdefault(source, (line, is_embed))

    def name(source: str) -> str:
        note = vault.notes.get(source)
        return note.link_text if note is not None else pages[source].title

    targets = []
    for target, sources in incoming.items():
        f = files.get_file_from_path(target)
        if f is None or f.page is None or f.page.content is None:
            continue
        listed = sorted(sources.items(), key=lambda kv: name(kv[0]))
        targets.append((f, listed, [context_pieces(source, vault.notes[source].text, line, vault)
                                    if source in vault.notes else [] for source, (line, _) in listed]))
    contexts = iter(snippet.render([parts for _, _, per_target in targets for parts in per_target]))
    for f, listed, _ in targets:
        items = []
        for source, (line, is_embed) in listed:
            context = next(contexts)
            kind = "嵌入" if is_embed else "链接"
            items.append(
                f'<li><a href="{escape(get_relative_url(pages[source].url, f.page.url))}">{escape(name(source))}</a>'
                f' <span class="llm-kb-backlink-kind">{kind}</span>'
                + (f'<br><span class="llm-kb-backlink-context">{context}</span>' if context else "") + "</li>"
            )
        append_html(f.page, (
            f'\n<aside class="llm-kb-backlinks"><h2 id="backlinks">反向链接<a class="headerlink" href="#backlinks">¶</a></h2>'
            f'<p>{len(items)} 篇笔记引用了本页。</p><ul>{"".join(items)}</ul></aside>'
        ), {"backlinks"})
