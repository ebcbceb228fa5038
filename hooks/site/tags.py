"""Tags: the list on each page, and the tag index page with nested tags as a hierarchy."""

from __future__ import annotations

import hashlib
import re
from html import escape

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from hooks.site import append_html
from hooks.slugs import slugify

_UNSPELLED = re.compile(r"[^\w/-]")  # what the slug drops: all but letters, digits (any script), _, - and /
INDEX_URI = "tags.md"
INDEX_TITLE = "标签"


def tag_anchor(tag: str) -> str:
    """The tag's id on the tag index. The slug drops punctuation, so a tag the slug does not spell
    out (``C++`` and ``C#`` both slug to ``c``) gets a short hash of its name: one id per tag."""
    slug = slugify(tag.replace("/", "-"))
    if _UNSPELLED.search(tag):
        slug += "-" + hashlib.sha1(tag.lower().encode("utf-8")).hexdigest()[:6]
    return "tag-" + slug


def tag_href(tag: str, from_url: str) -> str:
    return get_relative_url("tags/", from_url) + "#" + tag_anchor(tag)


def make_file(config: MkDocsConfig) -> File:
    """The tag index page; its content is filled in once every page has been rendered."""
    return File.generated(config, INDEX_URI, content=f"---\ntitle: {INDEX_TITLE}\n---\n")


def tag_list_html(tags: list[str], page: Page) -> str:
    links = "".join(
        f'<a class="md-tag" href="{escape(tag_href(t, page.url))}">{escape(t)}</a>' for t in tags
    )
    return f'<nav class="md-tags llm-kb-tags" aria-label="标签">{links}</nav>\n'


def fill_index(files: Files, pages: dict) -> None:
    f = files.get_file_from_path(INDEX_URI)
    if f is None or f.page is None:
        return
    by_tag: dict[str, list] = {}
    for data in pages.values():
        for tag in data.tags:
            # A nested tag a/b/c also files the note under a/b and a, as Obsidian's tag pane does.
            parts = tag.split("/")
            for i in range(1, len(parts) + 1):
                by_tag.setdefault("/".join(parts[:i]), [])
            by_tag[tag].append(data)
    out = [f"<p>共 {len(by_tag)} 个标签。嵌套标签（如 <code>a/b</code>）列在其上级标签之下。</p>"]
    for tag in sorted(by_tag, key=lambda t: t.lower()):
        depth = tag.count("/")
        notes = sorted(by_tag[tag], key=lambda d: d.title)
        items = "".join(
            f'<li><a href="{escape(get_relative_url(d.url, f.page.url))}">{escape(d.title)}</a></li>' for d in notes
        )
        level = min(2 + depth, 6)
        out.append(
            f'<h{level} id="{tag_anchor(tag)}" class="llm-kb-tag-heading">#{escape(tag)}'
            f' <small>({len(notes)})</small></h{level}>' + (f"<ul>{items}</ul>" if items else "")
        )
    append_html(f.page, "\n".join(out), {tag_anchor(t) for t in by_tag})
