"""The one slug function of the site.

Heading ids, wikilink anchors (``[[note#标题]]``) and Markdown links (``[x](note.md#标题)``) all go
through :func:`slugify`, so a link written in Obsidian or on GitHub lands on the same id the table of
contents gives the heading. GitHub-compatible: Unicode kept (Chinese stays), lower-cased, punctuation
dropped, spaces become ``-``.
"""

from __future__ import annotations

from pymdownx.slugs import slugify as _configurable_slugify

_slug = _configurable_slugify(case="lower", percent_encode=False)


def slugify(text: str, separator: str = "-") -> str:
    """Return the GitHub-style Unicode slug of a heading text."""
    return _slug(text, separator)


def unique(slug: str, used: set[str]) -> str:
    """Return ``slug`` or ``slug_1``, ``slug_2`` … (Python-Markdown's toc scheme), and record it."""
    candidate, n = slug, 0
    while candidate in used:
        n += 1
        candidate = f"{slug}_{n}"
    used.add(candidate)
    return candidate
