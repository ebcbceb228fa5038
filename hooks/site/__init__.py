"""Site-wide outputs, computed once per build from what every page attached (tags, …)."""

from mkdocs.structure.pages import Page


def append_html(page: Page, html: str, anchor_ids: set[str]) -> None:
    """Add HTML generated after rendering, telling MkDocs' anchor validation about its ids."""
    page.content = (page.content or "") + html
    page.present_anchor_ids = (page.present_anchor_ids or set()) | anchor_ids
