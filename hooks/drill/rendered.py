"""The rendered HTML of each question callout, taken from a built page (engine-neutral: HTML in).

The site's own pipeline renders the question and its key with the rest of the note, so math,
``=name|value`` bindings, wikilinks and highlights come out exactly as on the page. Each callout
carries its id (``id="^q-…"``, hooks/obsidian/blockids.py): its ``<summary>`` (or admonition
title) is the question, the rest of the element the key.

A scan with regular expressions, not an HTML parser: the pipeline writes well-formed HTML, and
Python's HTMLParser took 0.4 s on a large page (every note with questions goes through here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

START = re.compile(r"<(?P<tag>details|div|blockquote)\b[^>]*\bid=\"\^(?P<id>q-[a-z0-9-]+)\"[^>]*>")
TITLE = re.compile(r"^\s*<(summary|p class=\"admonition-title\")>(?P<title>.*?)</(?:summary|p)>", re.S)


@dataclass(frozen=True)
class Rendered:
    title: str  # inner HTML of the question line
    key: str  # inner HTML of the answer key ('' when the callout has no body)


def _inner_end(html: str, tag: str, start: int) -> int:
    """Offset of the ``</tag>`` that closes the element whose content begins at ``start``."""
    depth = 1
    for m in re.compile(rf"<(/?){tag}\b[^>]*>").finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return len(html)


def questions(html: str) -> dict[str, Rendered]:
    """Question id → its rendered title and key, for every question callout in ``html``."""
    out = {}
    for m in START.finditer(html):
        inner = html[m.end():_inner_end(html, m.group("tag"), m.end())]
        t = TITLE.match(inner)
        title, key = (t.group("title"), inner[t.end():]) if t else ("", inner)
        out[m.group("id")] = Rendered(title.strip(), key.strip())
    return out
