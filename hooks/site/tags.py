"""Tags: the list on each page, and the tag index page with nested tags as a hierarchy."""

from __future__ import annotations

import hashlib
import re
from html import escape

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from pathlib import Path

import yaml

from hooks.tag_vocabulary import Vocabulary, load_vocabulary, vocabulary_path
from hooks.problems import Problem, report
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


def vocabulary(docs: Path) -> Vocabulary | None:
    """The vault's tag vocabulary (tags.yml beside docs/) for grouping the tag page; None without one."""
    path = vocabulary_path(docs)
    if not path.is_file():
        return None
    try:
        return load_vocabulary(path)
    except (ValueError, yaml.YAMLError) as exc:
        report(Problem("../tags.yml", 0, f"tag vocabulary cannot be read: {exc}", "fix the YAML in tags.yml"))
        return None


def _tree(pages: dict) -> dict[str, list]:
    """tag -> notes filed directly under it; a nested tag a/b/c also creates a/b and a, as Obsidian's tag pane does."""
    by_tag: dict[str, list] = {}
    for data in pages.values():
        for tag in data.tags:
            parts = tag.split("/")
            for i in range(1, len(parts) + 1):
                by_tag.setdefault("/".join(parts[:i]), [])
            by_tag[tag].append(data)
    return by_tag


def _grouped(tags: list[str], vocabulary: Vocabulary | None) -> list[tuple[str, list[str]]]:
    """Tags in the vocabulary's groups and order; tags it does not list (or every tag, without one) at the end."""
    groups: list[tuple[str, list[str]]] = []
    placed: set[str] = set()
    for name, listed in vocabulary.groups if vocabulary else []:
        members = [t for t in listed if t in tags]
        # A nested tag the vocabulary lists (a/b) keeps its parent (a) in the same group when a is unlisted.
        members += [t for t in tags if t not in placed and t not in members and t not in vocabulary.tags
                    and any(m.startswith(t + "/") for m in members)]
        placed.update(members)
        if members:
            groups.append((name, members))
    rest = sorted((t for t in tags if t not in placed), key=str.lower)
    if rest:
        groups.append(("其他" if groups else "", rest))
    return groups


def fill_index(files: Files, pages: dict, vocabulary: Vocabulary | None = None) -> None:
    f = files.get_file_from_path(INDEX_URI)
    if f is None or f.page is None:
        return
    by_tag = _tree(pages)
    # A parent's count includes the notes of its nested tags (each note once).
    totals = {t: len({id(d) for u, ds in by_tag.items() if u == t or u.startswith(t + "/") for d in ds}) for t in by_tag}
    groups = _grouped(list(by_tag), vocabulary)
    out = [f"<p>共 {len(by_tag)} 个标签，分 {len(groups)} 组；括号里是笔记数，嵌套标签（如 <code>a/b</code>）的笔记也计入上级标签。</p>"]
    contents = []
    for name, tags in groups:
        links = " ".join(
            f'<a class="md-tag" href="#{tag_anchor(t)}" title="{escape(_meaning(vocabulary, t))}">'
            f"{escape(t)} <small>{totals[t]}</small></a>" for t in tags
        )
        label = f"<strong>{escape(name)}</strong>：" if name else ""
        contents.append(f'<p class="llm-kb-tag-group">{label}{links}</p>')
    out.append(f'<nav class="llm-kb-tag-groups" aria-label="标签分组">{"".join(contents)}</nav>')
    ids = {tag_anchor(t) for t in by_tag}
    for gi, (name, tags) in enumerate(groups):
        if name:
            gid = f"tag-group-{gi + 1}"
            ids.add(gid)
            out.append(f'<h2 id="{gid}" class="llm-kb-tag-group-heading">{escape(name)}</h2>')
        for tag in tags:
            notes = sorted(by_tag[tag], key=lambda d: d.title)
            items = "".join(
                f'<li><a href="{escape(get_relative_url(d.url, f.page.url))}">{escape(d.title)}</a></li>' for d in notes
            )
            level = min(3 + tag.count("/"), 6)
            meaning = _meaning(vocabulary, tag)
            out.append(
                f'<h{level} id="{tag_anchor(tag)}" class="llm-kb-tag-heading">#{escape(tag)}'
                f' <small>({totals[tag]})</small></h{level}>'
                + (f"<p><em>{escape(meaning)}</em></p>" if meaning else "")
                + (f"<ul>{items}</ul>" if items else "")
            )
    append_html(f.page, "\n".join(out), ids)


def _meaning(vocabulary: Vocabulary | None, tag: str) -> str:
    return vocabulary.tags.get(tag, "") if vocabulary else ""
