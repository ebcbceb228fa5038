"""Rebuild only what an edit reaches, under ``mkdocs serve --dirty`` (what ``make serve`` runs).

MkDocs' dirty mode re-renders a page only when its source file is newer than its output. For a
vault that is not enough: an edited note changes the backlinks of the notes it links to (before
and after the edit) and the content of the notes that embed it; a new, removed or retitled note
changes the navigation and link text of every page. So, before each dirty rebuild,
:func:`plan` compares the vault with the one of the previous build and deletes the output of
every page the edit reaches, which makes MkDocs render exactly those again; :func:`carry_over`
then gives the site-wide stages (anchors, backlinks, tag index, graph, search) the data of the
pages that were not rendered, from the previous build.
"""

from __future__ import annotations

import logging
import os
import re

import jinja2
from mkdocs.structure.files import Files

from hooks import state
from hooks.site.backlinks import MARKUP as WIKILINK

log = logging.getLogger("mkdocs.llm_kb.incremental")

MD_LINK = re.compile(r"\]\(<?([^)>#\s]+\.md)")

# Set in on_startup. `--dirty`: MkDocs renders only the pages whose source is newer than their
# output; under `serve` the previous build's data is at hand for the others.
dirty = False
serving = False
_previous: state.Build | None = None


class TemplateCache(jinja2.BytecodeCache):
    """Compiled theme templates, kept in memory for the life of the process.

    MkDocs makes a new Jinja environment for every build, so under ``serve`` each rebuild
    compiled Material's ~40 templates again (0.3 s of a 1 s rebuild). Jinja keys the bytecode by
    template name and source checksum, so an edited override is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = TemplateCache()

WATCH_INTERVAL = 0.2  # seconds between two looks at the watched folders under `serve`


def watch_closely(server) -> None:
    """``on_serve``: look for edits every 0.2 s instead of MkDocs' 0.5 s.

    MkDocs watches by polling (it works on every file system and with editors that save by
    renaming) and has no setting for the interval: an edit waited 0.25 s on average before the
    rebuild began, a quarter of the 1 s an edit → reload may take. A look costs a directory walk
    (about 5 ms CPU at 1,000 notes). The observer has not started yet; its pollers (and those
    of watches added later) take the shorter interval. Written against watchdog 7.1 (pinned).
    """
    server.observer._timeout = WATCH_INTERVAL
    for emitter in server.observer.emitters:
        emitter._timeout = WATCH_INTERVAL


def _incremental() -> bool:
    """A `serve --dirty` rebuild with the previous build at hand."""
    return dirty and serving and _previous is not None


def plan(build: state.Build, files: Files) -> None:
    """Delete the outputs that this rebuild must write again."""
    if not _incremental():
        return
    old, new = _previous.vault.notes, build.vault.notes
    changed = {p for p, note in new.items() if p not in old or old[p].text != note.text}
    changed |= set(old) - set(new)  # removed notes: the links and embeds to them break
    files_changed = _previous.vault.attachments != build.vault.attachments
    if not changed and not files_changed:
        return
    if set(old) != set(new) or files_changed or any(_outline(old[p]) != _outline(new[p]) for p in changed):
        reach = set(new)  # navigation, titles or link and image resolution may change everywhere
    else:
        reach = set(changed)
        for path in changed:
            reach |= {t for t, _a, _l, _e in _previous.pages.get(path, state.PageData(path)).links}
            reach |= _targets(build, path)
        for source, data in _previous.pages.items():
            if any(t in changed and is_embed for t, _a, _l, is_embed in data.links):
                reach.add(source)
    for path in reach:
        f = files.get_file_from_path(path)
        if f is not None and os.path.isfile(f.abs_dest_path):
            os.remove(f.abs_dest_path)
    log.info(f"dirty rebuild: {len(changed)} changed note(s), {len(reach)} page(s) to render")


def carry_over(build: state.Build, files: Files) -> None:
    """Give pages that this dirty rebuild skipped their data (and title) from the previous build."""
    if not _incremental():
        return
    for path, data in _previous.pages.items():
        if path in build.pages or path not in build.vault.notes:
            continue
        build.pages[path] = data
        f = files.get_file_from_path(path)
        if f is not None and f.page is not None and f.page.markdown is None:
            f.page.markdown = ""  # so that MkDocs reads the title from meta, as if it had read the page
            f.page.meta = {"title": data.title}


def unchanged_examples(build: state.Build) -> dict:
    """The example results of the notes this serve rebuild did not change (the others run or
    come from the cache as usual): looking up 1,000 cached results was a fifth of a rebuild."""
    if not _incremental():
        return {}
    old, new = _previous.vault.notes, build.vault.notes
    return {path: pairs for path, pairs in _previous.examples.items()
            if path in new and path in old and new[path].published and old[path].text == new[path].text}


def pages_without_data() -> bool:
    """True for ``mkdocs build --dirty``: pages it skips have no data (ids, links) in this build."""
    return dirty and not _incremental()


def remember(build: state.Build) -> None:
    global _previous
    _previous = build


def _outline(note) -> tuple:
    """What other pages show of a note: its title, the text of links to it (``short_title``), aliases,
    tags and whether it is published."""
    return note.title, note.link_text, tuple(note.front.aliases), tuple(note.front.tags), note.published


def _targets(build: state.Build, path: str) -> set[str]:
    """Notes a note links to now, found in its text (a superset is fine: each costs one render)."""
    text = build.vault.notes[path].text
    found = set()
    names = [m.group(1) for m in WIKILINK.finditer(text)] + MD_LINK.findall(text)
    for name in names:
        hit = build.vault.resolve(name.strip(), path)
        if hit.path:
            found.add(hit.path)
    return found
