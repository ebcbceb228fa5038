"""The primary navigation, rendered in Python with Material's markup.

Why: Material renders the sidebar with a recursive Jinja macro (``partials/nav-item.html``) on
every page, so a vault of N notes costs N × (items in the sidebar) macro calls; at 1,000 notes
that was 89 of 106 s of a plain build. Here the sidebar is pruned (only the active branch is
expanded, as Material's ``navigation.prune``), and the HTML of every item that is not on the
page's own branch is rendered once per build and folder depth: links are written relative to
the site root ("../" per level of the page), so the same string serves every page at that depth.
A page then costs one list splice and one join per section on its branch.

The markup and class names are Material 9.8's for the features ``navigation.indexes`` and
``navigation.prune`` (tests/test_nav.py compares it with Material's own template on every page
of a vault). With other navigation features (tabs, sections, expand), or with the environment
variable ``LLM_KB_MATERIAL_NAV`` set, ``overrides/partials/nav.html`` uses Material's macro.
"""

from __future__ import annotations

import posixpath
import re
from html import escape
from urllib.parse import unquote, urlsplit

from markupsafe import Markup
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

# Links in a section's index.md, in reading order: [[wikilinks]] and [text](relative.md) links.
INDEX_LINK = re.compile(r"\[\[(?P<wiki>[^\]|#\n]+)|\]\((?P<md>[^)\s#]+\.md)(?:#[^)\s]*)?\)")

SUPPORTED = frozenset({"navigation.indexes", "navigation.prune"})
NAV_FEATURES = frozenset({"navigation.tabs", "navigation.sections", "navigation.expand",
                          "navigation.indexes", "navigation.prune"})
ICON = '<span class="md-nav__icon md-icon"></span>'


def supports(features: list[str]) -> bool:
    """True when the configured navigation features are the ones this renderer reproduces."""
    wanted = NAV_FEATURES.intersection(features)
    return "navigation.prune" in wanted and wanted <= SUPPORTED


def _content(item, ref=None) -> str:
    """Material's ``render_content``: the title, with the subtitle and status from front matter."""
    ref = ref or item
    meta = getattr(item, "meta", None) or {}
    html = f'<span class="md-ellipsis">{escape(ref.title or "")}'
    if meta.get("subtitle"):
        html += f"<br><small>{escape(str(meta['subtitle']))}</small>"
    html += "</span>"
    if meta.get("status"):
        html += f'<span class="md-status md-status--{escape(str(meta["status"]))}"></span>'
    return html


def _folder(item) -> str:
    page = item if isinstance(item, Page) else next((c for c in _pages([item])), None)
    return page.file.src_uri.split("/")[0] if page and "/" in page.file.src_uri else ""


def _pages(items: list):
    """The pages under these items, depth first: the reading order of the sidebar."""
    for item in items:
        if isinstance(item, Page):
            yield item
        elif item.children:
            yield from _pages(item.children)


def recommended(index_path: str, text: str, vault) -> list[str]:
    """The notes a section's index links to, in the order it links them (its recommended order)."""
    order: list[str] = []
    for m in INDEX_LINK.finditer(text):
        if m.group("wiki"):
            path = vault.resolve(m.group("wiki").strip(), index_path).path
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(index_path), unquote(m.group("md"))))
        if path and path not in order:
            order.append(path)
    return order


def learning_path(nav: Navigation, vault, section_order: list[str]) -> None:
    """Order the sidebar, and previous/next with it, as the learning path.

    Top-level sections in ``extra.section_order`` (others after them, in MkDocs' alphabetical
    order); inside a section, its index page first, then the pages (and subsections) in the order
    the index links them, then those it does not link, alphabetically. MkDocs set previous/next
    from the alphabetical tree before ``on_nav``: they are set again from the new order.
    """
    rank = {name: i for i, name in enumerate(section_order)}
    nav.items.sort(key=lambda item: (isinstance(item, Section), rank.get(_folder(item), len(rank))))

    def sort_section(section: Section) -> None:
        index = next((c for c in section.children if isinstance(c, Page) and c.file.name == "index"), None)
        note = vault.notes.get(index.file.src_uri) if index else None
        if note is not None:
            position = {path: i for i, path in enumerate(recommended(note.path, note.text, vault))}

            def key(item) -> tuple:
                if item is index:
                    return (0, 0)
                linked = [position[p.file.src_uri] for p in _pages([item]) if p.file.src_uri in position]
                return (1, min(linked)) if linked else (2, 0)

            section.children.sort(key=key)  # stable: unlinked items keep their alphabetical order
        for child in section.children:
            if isinstance(child, Section):
                sort_section(child)

    for item in nav.items:
        if isinstance(item, Section):
            sort_section(item)
    nav.pages = list(_pages(nav.items))
    for before, after in zip([None, *nav.pages], [*nav.pages, None]):
        if before is not None:
            before.next_page = after
        if after is not None:
            after.previous_page = before


class NavRenderer:
    """Called from the theme as ``llm_kb_nav(page, toc_html, base_url)``: the items of the list."""

    supports = staticmethod(supports)

    def __init__(self, nav: Navigation, features: list[str]) -> None:
        self.nav = nav
        self.indexes = "navigation.indexes" in features
        self._index: dict[int, Page | None] = {}
        self._pieces: dict[tuple[int, str], list[str]] = {}

    def __call__(self, page: Page | None, toc_html: str = "", base_url: str = "") -> Markup:
        if page is None:  # e.g. the 404 page: links from the site root, nothing active
            prefix = base_url.rstrip("/") + "/" if base_url else ""
        else:
            prefix = "../" * page.url.count("/")
        out: list[str] = []
        self._children(None, self.nav.items, "__nav", 1, page, toc_html, prefix, out)
        return Markup("".join(out))

    def _children(self, section: Section | None, children: list, path: str, level: int, page,
                  toc_html: str, prefix: str, out: list[str]) -> None:
        """The items of one list: cached strings, with the item on the page's branch made fresh."""
        key = (id(section), prefix)
        pieces = self._pieces.get(key)
        if pieces is None:
            index = self._section_index(section) if section is not None else None
            pieces = self._pieces[key] = [
                "" if child is index else self._inactive(child, prefix) for child in children]
        active = next((i for i, child in enumerate(children) if child.active), None)
        if active is None or (section is not None and children[active] is self._section_index(section)):
            out.extend(pieces)
            return
        out.extend(pieces[:active])
        child = children[active]
        if child.children:
            self._open_section(child, f"{path}_{active + 1}", level, page, toc_html, prefix, out)
        else:
            self._active_page(child, toc_html, prefix, out)
        out.extend(pieces[active + 1:])

    def _section_index(self, section: Section) -> Page | None:
        key = id(section)
        if key not in self._index:
            self._index[key] = next((c for c in section.children if getattr(c, "is_index", False)), None) \
                if self.indexes else None
        return self._index[key]

    @staticmethod
    def _href(target: str, prefix: str) -> str:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "#")):
            return escape(target)  # absolute or external links stay as they are
        return escape(prefix + target or "./")

    def _inactive(self, item, prefix: str) -> str:
        if not item.children:
            return f'<li class="md-nav__item"><a href="{self._href(item.url, prefix)}" class="md-nav__link">' \
                   f"{_content(item)}</a></li>"
        # Material's ``render_pruned``: a closed section links to its first page, depth first.
        first = item.children[0]
        while first.children:
            first = first.children[0]
        return f'<li class="md-nav__item md-nav__item--pruned md-nav__item--nested">' \
               f'<a href="{self._href(first.url, prefix)}" class="md-nav__link">{_content(item)}{ICON}</a></li>'

    def _active_page(self, item: Page, toc_html: str, prefix: str, out: list[str]) -> None:
        out.append('<li class="md-nav__item md-nav__item--active">'
                   '<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">')
        if toc_html.strip():
            out.append(f'<label class="md-nav__link md-nav__link--active" for="__toc">{_content(item)}{ICON}</label>')
        out.append(f'<a href="{self._href(item.url, prefix)}" class="md-nav__link md-nav__link--active">'
                   f"{_content(item)}</a>{toc_html}</li>")

    def _open_section(self, item: Section, path: str, level: int, page, toc_html: str, prefix: str,
                      out: list[str]) -> None:
        index = self._section_index(item)
        out.append('<li class="md-nav__item md-nav__item--active md-nav__item--nested">'
                   f'<input class="md-nav__toggle md-toggle " type="checkbox" id="{path}" checked>')
        if index is None:
            out.append(f'<label class="md-nav__link" for="{path}" id="{path}_label" tabindex="0">'
                       f"{_content(item)}{ICON}</label>")
        else:
            active = " md-nav__link--active" if index is page else ""
            out.append('<div class="md-nav__link md-nav__container">'
                       f'<a href="{self._href(index.url, prefix)}" class="md-nav__link{active}">'
                       f"{_content(index, item)}</a>")
            if len(item.children) > 1:
                out.append(f'<label class="md-nav__link{active}" for="{path}" id="{path}_label" tabindex="0">'
                           f"{ICON}</label>")
            out.append("</div>")
        out.append(f'<nav class="md-nav" data-md-level="{level}" aria-labelledby="{path}_label" '
                   f'aria-expanded="true"><label class="md-nav__title" for="{path}">{ICON}'
                   f'{escape(item.title or "")}</label><ul class="md-nav__list" data-md-scrollfix>')
        self._children(item, item.children, path, level + 1, page, toc_html, prefix, out)
        out.append("</ul></nav></li>")
