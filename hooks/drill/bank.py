"""The question bank the practice page reads: one small JSON file of every question with an id.

Keys are the HTML the site rendered (math still in KaTeX's ``\\( \\)`` form, rendered in the
browser; bound numbers already filled in), with links re-pointed to work from the practice page.
Compact keys keep the file small: it is fetched once and cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hooks.drill.links import rebase
from hooks.drill.questions import Question
from hooks.drill.rendered import Rendered


@dataclass(frozen=True)
class Entry:
    """A question with everything the outputs need: the model, its note and its rendered HTML."""

    q: Question
    note_title: str
    page_url: str  # the note's page, from the site root ('architecture/ffn/')
    tags: tuple[str, ...]
    html: Rendered


def to_json(entries: list[Entry], sections: list[tuple[str, str]], practice_url: str) -> str:
    """The bank as JSON; ``sections``: (folder, title) in the order of the learning path.

    Each note is listed once (``notes``: [url, title, section, tags]) and its questions point at
    it by index, which keeps the file a quarter smaller than repeating them per question (136 vs 183 KiB).
    """
    counts = {s: sum(e.q.section == s for e in entries) for s, _ in sections}
    notes: dict[str, int] = {}
    note_rows: list[list] = []
    questions = []
    for e in entries:
        if e.page_url not in notes:
            notes[e.page_url] = len(note_rows)
            note_rows.append([e.page_url, e.note_title, e.q.section, list(e.tags)])
        questions.append(_entry(e, notes[e.page_url], practice_url))
    data = {
        "v": 1,
        "sections": [{"id": s, "title": t, "n": counts[s]} for s, t in sections if counts[s]],
        "notes": note_rows,
        "q": questions,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _entry(e: Entry, note: int, practice_url: str) -> dict:
    item = {
        "id": e.q.qid,
        "p": note,
        "t": rebase(e.html.title, e.page_url, practice_url),
        "k": rebase(e.html.key, e.page_url, practice_url),
    }
    if e.q.heading:
        item["h"] = e.q.heading
    if e.q.hot:
        item["hot"] = 1
    if e.q.difficulty:
        item["d"] = e.q.difficulty
    return item
