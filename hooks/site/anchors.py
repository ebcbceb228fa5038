"""Wikilink anchors checked against the ids the target page really has, with file:line.

Runs once every page has rendered (all ids are known). MkDocs' own anchor validation also sees
these links (they are ordinary .md links by then), but it cannot say on which line of the note
the link is, nor which headings exist: this does.
"""

from __future__ import annotations

import difflib

from hooks.obsidian.wikilinks import anchor_id
from hooks.problems import Problem, report


def check(pages: dict, skip_unknown: bool = False) -> list[Problem]:
    """Report links whose anchor the target lacks; ``skip_unknown``: targets not rendered in
    this build (``build --dirty``) are not known to lack anything."""
    problems = []
    for source, data in pages.items():
        for target, anchor, line, _embed in data.links:
            if not anchor:
                continue
            if target not in pages and skip_unknown:
                continue
            ids = pages[target].ids if target in pages else set()
            want = anchor_id(anchor)
            if want in ids:
                continue
            close = difflib.get_close_matches(want, sorted(i for i in ids if not i.startswith("__")), n=3, cutoff=0.4)
            p = Problem(source, line, f"link to '{target}#{anchor}': that note has no heading or block '{anchor}'",
                        f"did you mean #{', #'.join(close)}?" if close else "check the heading text", "error")
            problems.append(p)
            report(p)
    return problems
