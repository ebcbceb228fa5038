"""The rendered HTML of each question callout, taken from a built page (engine-neutral: HTML in).

The site's own pipeline renders the question and its key with the rest of the note, so math,
``=name|value`` bindings, wikilinks and highlights come out exactly as on the page. Each callout
carries its id (``id="^q-…"``, hooks/obsidian/blockids.py): its ``<summary>`` (or admonition
title) is the question, the rest of the element the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

QUESTION_ID = re.compile(r"^\^(q-[a-z0-9-]+)$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TITLE = re.compile(r"^\s*<(summary|p class=\"admonition-title\")>(?P<title>.*?)</(?:summary|p)>", re.S)


@dataclass(frozen=True)
class Rendered:
    title: str  # inner HTML of the question line
    key: str  # inner HTML of the answer key ('' when the callout has no body)


class _Finder(HTMLParser):
    """Offsets of the inner HTML of every element whose id is a question id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.open: list[tuple[str, str | None, int]] = []  # (tag, question id or None, inner start)
        self.found: dict[str, tuple[int, int]] = {}

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs) -> None:
        if tag in VOID:
            return
        m = QUESTION_ID.match(dict(attrs).get("id") or "")
        self.open.append((tag, m.group(1) if m else None, self._pos() + len(self.get_starttag_text())))

    def handle_endtag(self, tag) -> None:
        # Close up to the matching tag (the pipeline's HTML is well formed; this guards stray tags).
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                _, qid, start = self.open[i]
                del self.open[i:]
                if qid:
                    self.found[qid] = (start, self._pos())
                return


def questions(html: str) -> dict[str, Rendered]:
    """Question id → its rendered title and key, for every question callout in ``html``."""
    finder = _Finder(html)
    finder.feed(html)
    finder.close()
    out = {}
    for qid, (start, end) in finder.found.items():
        inner = html[start:end]
        m = TITLE.match(inner)
        title, key = (m.group("title"), inner[m.end():]) if m else ("", inner)
        out[qid] = Rendered(title.strip(), key.strip())
    return out
