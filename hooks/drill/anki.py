"""Anki decks of the question bank, built with genanki: the whole vault and one per section.

One Anki note per question: front the question, back the key and a link to the note on the site.
Math is written back from the page's build-time KaTeX HTML to the ``\\( \\)`` / ``\\[ \\]`` form
(:func:`anki_math`), Anki's own MathJax syntax: the TeX comes from KaTeX's MathML annotation. Ids are stable: the note guid comes from the question id
and the model and deck ids from fixed names, so importing an updated deck updates the cards a
reader already studies instead of adding copies.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import itertools
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import genanki

from hooks.drill.bank import Entry
from hooks.drill.links import rebase

CSS = """.card { font-family: system-ui, "Noto Sans CJK SC", sans-serif; font-size: 18px; text-align: left;
  line-height: 1.55; max-width: 40em; margin: 0 auto; }
.src { font-size: 13px; color: #666; margin-top: 1em; }"""
FRONT = '<div class="q">{{Question}}</div><div class="src">{{Note}}</div>'
BACK = '{{FrontSide}}<hr id="answer"><div class="k">{{Answer}}</div><div class="src">{{Link}}</div>'


def stable_id(name: str) -> int:
    """A positive 31-bit id that never changes for ``name`` (Anki model and deck ids)."""
    return int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:4], "big") >> 1 | 1 << 30


MODEL = genanki.Model(
    stable_id("llm-kb question model v1"), "llm-kb 面试题",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Link"}, {"name": "Note"}, {"name": "Id"}],
    templates=[{"name": "问答", "qfmt": FRONT, "afmt": BACK}],
    css=CSS, sort_field_index=0,
)


def tag(text: str) -> str:
    """An Anki tag: no spaces (they separate tags)."""
    return re.sub(r"\s+", "_", text.strip())


FORMULA_START = re.compile(r'<(?P<tag>span|div) class="arithmatex">')
SPAN_OR_DIV = re.compile(r"<(/?)(span|div)\b[^>]*>")
TEX = re.compile(r'<annotation encoding="application/x-tex">(?P<tex>.*?)</annotation>', re.S)


def anki_math(html: str) -> str:
    """Each ``.arithmatex`` formula of the page (KaTeX HTML) as ``\\(tex\\)`` or ``\\[tex\\]``; a formula
    without KaTeX markup (the TeX as the page's pipeline wrote it) is kept as it is."""
    out, pos = [], 0
    for start in FORMULA_START.finditer(html):
        if start.start() < pos:
            continue
        depth, end = 0, None
        for m in SPAN_OR_DIV.finditer(html, start.start()):
            depth += -1 if m.group(1) else 1
            if depth == 0:
                end = m.end()
                break
        if end is None:
            break
        formula = html[start.start():end]
        tex = TEX.search(formula)
        if tex:
            display = 'class="katex-display"' in formula or start.group("tag") == "div"
            body = htmlmod.unescape(tex.group("tex"))
            formula = htmlmod.escape(f"\\[{body}\\]" if display else f"\\({body}\\)", quote=False)
        out.append(html[pos:start.start()] + formula)
        pos = end
    return "".join(out) + html[pos:]


def note_for(e: Entry, site_url: str) -> genanki.Note:
    url = site_url.rstrip("/") + "/" + e.page_url + "#%5E" + e.q.qid
    answer = anki_math(rebase(e.html.key, e.page_url, site_url=site_url)) or "<i>（答案待补）</i>"
    link = f'<a href="{htmlmod.escape(url)}">在网站上看详解</a>'
    tags = [tag(e.q.section)] + [tag(t) for t in e.tags] + (["hot"] if e.q.hot else [])
    return genanki.Note(model=MODEL, guid=genanki.guid_for(e.q.qid), tags=sorted(set(t for t in tags if t)),
                        fields=[anki_math(rebase(e.html.title, e.page_url, site_url=site_url)), answer, link,
                                htmlmod.escape(e.note_title), e.q.qid])


def write_decks(entries: list[Entry], sections: list[tuple[str, str]], site_url: str, out_dir: Path,
                deck_name: str = "llm-kb 面试题") -> dict[str, Path]:
    """Write ``llm-kb.apkg`` (every question) and ``llm-kb-<section>.apkg``; return name → path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = {e.q.qid: note_for(e, site_url) for e in entries}
    written = {}
    whole = genanki.Deck(stable_id("llm-kb deck"), deck_name)
    for e in entries:
        whole.add_note(notes[e.q.qid])
    written[""] = _write(whole, out_dir / "llm-kb.apkg")
    for section, title in sections:
        mine = [e for e in entries if e.q.section == section]
        if not mine:
            continue
        deck = genanki.Deck(stable_id(f"llm-kb deck {section}"), f"{deck_name}::{title}")
        for e in mine:
            deck.add_note(notes[e.q.qid])
        written[section] = _write(deck, out_dir / f"llm-kb-{section}.apkg")
    return written


def _write(deck: genanki.Deck, path: Path) -> Path:
    """genanki's ``Package.write_to_file``, with the collection built in memory.

    genanki builds it in a temporary SQLite file, and its schema scripts commit (fsync) several
    times: 0.6 s a deck on a busy disk, 11 s for the 18 decks. In memory the same deck takes a
    few milliseconds; the bytes written to the .apkg are the same SQLite database.
    """
    conn = sqlite3.connect(":memory:")
    try:
        now = time.time()  # the notes' modification time: newer than before, so Anki's import updates them
        genanki.Package(deck).write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
        conn.commit()
        data = conn.serialize()
    finally:
        conn.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("collection.anki2", data)
        z.writestr("media", "{}")  # no media files: images stay on the site
    return path
