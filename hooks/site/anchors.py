"""Wikilink anchors checked against the ids the target page really has, with file:line.

Runs once every page has rendered (all ids are known). MkDocs' own anchor validation also sees
these links (they are ordinary .md links by then), but it cannot say on which line of the note
the link is, nor which headings exist: this does.
"""

from __future__ import annotations

import difflib

from mkdocs.structure.files import Files

from hooks.obsidian.wikilinks import anchor_id
from hooks.problems import Problem, report


def check(files: Files, pages: dict) -> list[Problem]:
    problems = []
    for source, data in pages.items():
        for target, anchor, line, _embed in data.links:
            if not anchor:
                continue
            f = files.get_file_from_path(target)
            ids = (f.page.present_anchor_ids or set()) if f is not None and f.page is not None else set()
            want = anchor_id(anchor)
            if want in ids:
                continue
            close = difflib.get_close_matches(want, sorted(i for i in ids if not i.startswith("__")), n=3, cutoff=0.4)
            p = Problem(source, line, f"link to '{target}#{anchor}': that note has no heading or block '{anchor}'",
                        f"did you mean #{', #'.join(close)}?" if close else "check the heading text", "error")
            problems.append(p)
            report(p)
    return problems
