"""The one escaping helper for author text (front matter, file names, bindings, example output).

A note's fields reach the site in places an author does not think of as HTML — a title becomes the
page's <title>, its h1, a neighbour's "next" link, an embed's caption and a node of the graph — so
every such string goes through :func:`html` (element text and quoted attribute values alike:
``& < > " '`` are escaped), and what must be plain text for a script (the graph JSON) stays plain
and is escaped by the code that shows it. Jinja in MkDocs does not autoescape: the templates in
``overrides/`` call ``| e`` on the same fields (see ``partials/llm-kb-title.html``).
"""

from __future__ import annotations

from typing import Any

import markupsafe

# What an example may show as an image (hooks/examples/fence.py), as <img src="data:…">. SVG is
# allowed: inside an <img> a browser never runs an SVG's scripts or loads what it links to.
IMAGE_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})


def html(value: Any) -> str:
    """Author text made safe for HTML element content and for a double- or single-quoted attribute."""
    return str(markupsafe.escape("" if value is None else str(value)))


def image_mime(mime: Any) -> str | None:
    """``mime`` when it is an image type the site shows inline; None otherwise."""
    mime = str(mime).strip().lower()
    return mime if mime in IMAGE_MIMES else None
