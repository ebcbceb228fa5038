"""Move rendered HTML to another place: its relative links and images re-pointed.

A key rendered on its note's page links ``#精确表述`` or ``../ffn/``; shown on the practice page,
in a cheat sheet or in Anki, the same link must still reach the note, so each relative URL is
resolved against the note's page and written relative to the new place (or absolute, for Anki).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit

ATTR = re.compile(r"""\b(?P<name>href|src)="(?P<url>[^"]*)\"""")
BASE = "http://site.invalid/"


def site_path(url: str, page_url: str) -> str | None:
    """A URL written on ``page_url`` as a path from the site root (with its #fragment), or None when external."""
    if urlsplit(url).scheme or url.startswith("//"):
        return None
    full = urljoin(BASE + page_url, url)
    return full[len(BASE):] if full.startswith(BASE) else None


def relative(target: str, from_dir: str) -> str:
    """``target`` (site-root path, maybe with #fragment) as a URL relative to the directory ``from_dir``."""
    path, _, fragment = target.partition("#")
    rel = posixpath.relpath("/" + path, "/" + from_dir.rstrip("/")) if path else "."
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./":
        rel = ""
    return rel + ("#" + fragment if fragment else "")


def rebase(html: str, page_url: str, to_dir: str | None = None, site_url: str | None = None) -> str:
    """Re-point the links of ``html`` (rendered on ``page_url``) to work from ``to_dir``, or absolute under ``site_url``."""

    def fix(m: re.Match) -> str:
        target = site_path(m.group("url").replace("&amp;", "&"), page_url)
        if target is None:
            return m.group(0)
        new = site_url.rstrip("/") + "/" + target if site_url else relative(target, to_dir or "")
        return f'{m.group("name")}="{new.replace("&", "&amp;")}"'

    return ATTR.sub(fix, html)
