"""Drill mode end to end on a small built vault: question bank, Anki decks, cheat sheets, practice page.

The practice test drives Debian's chromium by keyboard with the page's clock fixed, then moved
forward; the schedule it expects is computed independently by ts-fsrs under Node.js.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import ROOT, build_vault, free_port, launch_chromium, serve_static

SECTIONS = {"foundations": "基础", "architecture": "模型结构"}


def note(section: str, n: int) -> str:
    qs = []
    for i in range(6):
        key = (f"> 第 {i} 题的要点：$x_{i}^2$ 与 **{section}**。\n> 详解：[[#细节]]\n" if i != 5 else "")
        meta = "|hot" if i == 0 else ""
        qs.append(f"> [!question{meta}]- {SECTIONS[section]}第 {n}-{i} 题：为什么 $a_{i}$ 成立？\n{key}\n^q-{section}-{n}-{i}\n")
    return (f"---\ntitle: {SECTIONS[section]}笔记 {n}\ntags: [{SECTIONS[section]}, 标签{n}]\n---\n\n" + "\n".join(qs)
            + "\n## 细节\n\n正文第一段。\n\n$$\ne^{i\\pi}+1=0\n$$\n\n正文第二段。\n")


def vault() -> dict[str, str]:
    notes = {"index.md": "---\ntitle: 首页\ntags: [导读]\n---\n\n**[[practice/drill|开始刷题]]**，[[practice/drill|再链一次]]。\n",
             "practice/index.md": "---\ntitle: 面试实践\ntags: [面试实践]\n---\n\n[[drill]]\n",
             "practice/drill.md": (ROOT / "docs/practice/drill.md").read_text(encoding="utf-8")
             .replace("[[question-index|面试题索引]]", "面试题索引")}
    for section, title in SECTIONS.items():
        notes[f"{section}/index.md"] = f"---\ntitle: {title}\ntags: [{title}]\n---\n\n[[{section}-1]]\n"
        notes[f"{section}/{section}-1.md"] = note(section, 1)
    return notes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("drill")
    port = free_port()
    result = build_vault(root, vault(), site_url=f"http://127.0.0.1:{port}/")
    assert result.returncode == 0, result.stderr
    return root, port


@pytest.fixture(scope="module")
def served(built):
    """The built site at the address it was built for (the Anki links name it)."""
    root, port = built
    server, url = serve_static(root / "site", port)
    yield url
    server.shutdown()
    server.server_close()


def test_bank_has_every_question_with_rendered_keys(built):
    root, _ = built
    bank = json.loads((root / "site/drill/bank.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in bank["sections"]] == ["foundations", "architecture"]  # learning-path order
    assert len(bank["q"]) == 12 and len({q["id"] for q in bank["q"]}) == 12
    q = next(q for q in bank["q"] if q["id"] == "q-foundations-1-0")
    assert q["hot"] == 1 and bank["notes"][q["p"]][:3] == ["foundations/foundations-1/", "基础笔记 1", "foundations"]
    # The key as the page shows it: KaTeX's HTML, its TeX in the MathML annotation.
    assert '<span class="arithmatex"><span class="katex">' in q["k"] and "<strong>foundations</strong>" in q["k"]
    assert '<annotation encoding="application/x-tex">x_0^2</annotation>' in q["k"]
    # The key's link to its note's heading, re-pointed to work from the practice page.
    assert 'href="../../foundations/foundations-1/#细节"' in q["k"]
    assert next(q for q in bank["q"] if q["id"] == "q-foundations-1-5")["k"] == ""
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert home.count("（共 12 题）") == 1
    assert '<a class="wikilink" data-preview="" href="practice/drill/">开始刷题</a><span class="drill-count">（共 12 题）</span>' in home
    index = (root / "site/architecture/index.html").read_text(encoding="utf-8")
    assert 'data-ids="q-architecture-1-0 q-architecture-1-1' in index and "刷本节 6 题" in index
    practice = (root / "site/practice/drill/index.html").read_text(encoding="utf-8")
    assert 'href="../../drill/anki/llm-kb-architecture.apkg"' in practice
    assert 'href="../../drill/cheatsheet/foundations.html"' in practice


def anki_notes(apkg: Path) -> tuple[list[tuple], dict]:
    with zipfile.ZipFile(apkg) as z, (apkg.parent / (apkg.name + ".sqlite")).open("wb") as out:
        out.write(z.read("collection.anki2"))
    db = sqlite3.connect(apkg.parent / (apkg.name + ".sqlite"))
    try:
        notes = db.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY guid").fetchall()
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        db.close()
    return notes, {"models": sorted(models), "decks": sorted(decks)}


def test_anki_decks_are_collections_with_stable_ids(built, tmp_path):
    root, port = built
    notes, ids = anki_notes(root / "site/drill/anki/llm-kb.apkg")
    assert len(notes) == 12
    fields = {n[2].split("\x1f")[4]: n for n in notes}  # the Id field
    guid, mid, flds, tags = fields["q-architecture-1-2"]
    question, answer, link, title, qid = flds.split("\x1f")
    assert "\\(a_2\\)" in question and "\\(x_2^2\\)" in answer
    assert f'href="http://127.0.0.1:{port}/architecture/architecture-1/#%5Eq-architecture-1-2"' in link
    assert f'href="http://127.0.0.1:{port}/architecture/architecture-1/#细节"' in answer
    assert set(tags.split()) == {"architecture", "模型结构", "标签1"}
    section_notes, _ = anki_notes(root / "site/drill/anki/llm-kb-foundations.apkg")
    assert len(section_notes) == 6 and all("foundations" in n[3].split() for n in section_notes)
    # A second build (elsewhere, later) gives the same notes, fields, guids, model and deck ids.
    again = build_vault(tmp_path, vault(), site_url=f"http://127.0.0.1:{port}/")
    assert again.returncode == 0, again.stderr
    notes2, ids2 = anki_notes(tmp_path / "site/drill/anki/llm-kb.apkg")
    assert notes2 == notes and ids2 == ids


@pytest.mark.browser
def test_cheat_sheet_prints_to_a_few_a4_pages_with_nothing_cut_off(served, tmp_path):
    from playwright.sync_api import sync_playwright

    url = served
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 726, "height": 1000})  # ≈ A4 width inside the margins
        page.goto(f"{url}/drill/cheatsheet/architecture.html")
        page.wait_for_selector("html[data-ready]")
        page.emulate_media(media="print")
        assert page.locator(".katex").count() == page.locator(".arithmatex").count() == 11  # all math typeset
        assert page.locator(".q").count() == 6 and "答案待补" in page.inner_text("body")
        # Nothing cut off: no element wider than the page, no formula wider than its question's column.
        overflow = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length""")
        assert overflow == 0
        spill = page.evaluate("""() => [...document.querySelectorAll('.q .katex, .q img, .q table, .q pre')].filter(e => {
            const q = e.closest('.q').getBoundingClientRect(), r = e.getBoundingClientRect();
            return r.right > q.right + 1 || r.left < q.left - 1; }).length""")
        assert spill == 0
        pdf = tmp_path / "sheet.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=False)
        browser.close()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert 1 <= pages <= 2  # 6 short questions


NODE_SCHEDULE = """
const { fsrs, generatorParameters, createEmptyCard } = require(process.argv[1]);
const f = fsrs(generatorParameters({ enable_fuzz: false }));
const [t0, ratings] = JSON.parse(process.argv[2]);
console.log(JSON.stringify(ratings.map(r => f.next(createEmptyCard(new Date(t0)), new Date(t0), r).card.due)));
"""


def expected_dues(t0: datetime, ratings: list[int]) -> list[str]:
    """What ts-fsrs itself schedules for new cards graded at t0 (computed outside the page)."""
    node = Path(sys.executable).parent / "node"
    out = subprocess.run([str(node), "-e", NODE_SCHEDULE, str(ROOT / "node_modules/ts-fsrs/dist/index.cjs"),
                          json.dumps([t0.isoformat(), ratings])], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.browser
def test_practice_by_keyboard_reload_schedule_export_import_and_note_state(served, tmp_path):
    from playwright.sync_api import sync_playwright

    url = served
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    ratings = [1, 3, 4, 2, 3, 1, 4, 3, 3, 2]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.clock.set_fixed_time(t0)
        practice = f"{url}/practice/drill/"
        page.goto(practice)
        card = page.locator(".drill-card")
        page.wait_for_selector(".drill-card[data-qid^='q-']")
        assert count(page, "new") == 12 and count(page, "due") == 0

        graded = []
        for r in ratings:  # keyboard only: Space shows the key, a digit grades it
            qid = card.get_attribute("data-qid")
            assert page.locator(".drill-k").is_hidden() and page.locator(".drill-grades").is_hidden()
            page.keyboard.press("Space")
            assert page.locator(".drill-k").is_visible()
            page.keyboard.press(str(r))
            page.wait_for_function(f"() => document.querySelector('.drill-card').dataset.qid !== '{qid}'")
            graded.append(qid)
        assert len(set(graded)) == 10
        # Usable at 390 px: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.reload()
        page.wait_for_selector(".drill-card[data-qid^='q-']")
        stored = page.evaluate("JSON.parse(localStorage.getItem('llm-kb-drill'))")
        dues = expected_dues(t0, ratings)
        assert [stored["cards"][q]["due"] for q in graded] == dues
        assert [e["r"] for e in stored["log"]] == ratings
        assert count(page, "new") == 2 and count(page, "learning") + count(page, "learned") == 10

        later = t0 + timedelta(days=1)
        page.clock.set_fixed_time(later)
        page.reload()
        page.wait_for_selector(".drill-card[data-qid^='q-']")
        due_now = sorted((d, q) for q, d in zip(graded, dues) if datetime.fromisoformat(d.replace("Z", "+00:00")) <= later)
        assert 0 < len(due_now) < 10  # the Easy ones wait longer than a day
        assert count(page, "due") == len(due_now)
        assert card.get_attribute("data-qid") == due_now[0][1]  # the longest overdue comes first
        page.select_option("#drill-mode", "due")
        assert card.get_attribute("data-qid") == due_now[0][1]

        with page.expect_download() as dl:
            page.click("#drill-export")
        exported = tmp_path / "progress.json"
        dl.value.save_as(exported)
        assert json.loads(exported.read_text()) == stored
        page.evaluate("localStorage.clear()")
        page.reload()
        page.wait_for_selector(".drill-card[data-qid^='q-']")
        assert count(page, "new") == 12
        page.set_input_files("#drill-import", str(exported))
        page.wait_for_function("() => localStorage.getItem('llm-kb-drill') !== null")
        assert page.evaluate("JSON.parse(localStorage.getItem('llm-kb-drill'))") == stored
        assert count(page, "due") == len(due_now)

        # A note shows each question's state as the practice page does, and grades in place.
        page.goto(f"{url}/architecture/architecture-1/")
        page.wait_for_selector(".drill-badge[data-state]")
        for q in [q for q in graded if q.startswith("q-architecture")]:
            expected = "due" if q in {x[1] for x in due_now} else ("review" if stored["cards"][q]["state"] == 2 else "learning")
            assert page.get_attribute(f".drill-badge[data-qid='{q}']", "data-state") == expected
        fresh = next(q for q in (f"q-architecture-1-{i}" for i in range(6)) if q not in graded)
        assert page.get_attribute(f".drill-badge[data-qid='{fresh}']", "data-state") == "new"
        page.click(f"[id='^{fresh}'] summary")
        page.click(f"[id='^{fresh}'] .drill-mark button[data-grade='4']")
        page.wait_for_selector(f".drill-badge[data-qid='{fresh}'][data-state='review']")
        # Think first: the body folds under the questions until opened.
        assert page.locator(".drill-open-body").is_hidden() and page.locator("h2#细节").is_visible()
        page.check("#drill-think-first")
        assert page.locator("h2#细节").is_hidden()
        page.reload()  # the switch is remembered
        page.wait_for_selector(".drill-badge[data-state]")
        assert page.locator("h2#细节").is_hidden() and page.is_checked("#drill-think-first")
        page.click(".drill-open-body")
        assert page.locator("h2#细节").is_visible()
        page.goto(f"{url}/architecture/")
        page.wait_for_selector(".drill-progress [data-count='due']")
        learned = page.inner_text(".drill-progress [data-count='learned']")
        page.goto(practice)
        page.wait_for_selector(".drill-card[data-qid^='q-']")
        row = page.locator(".drill-sections tr[data-section='architecture']")
        assert row.locator("[data-count='learned']").inner_text() == learned
        assert int(learned) == sum(1 for q, c in page.evaluate(
            "JSON.parse(localStorage.getItem('llm-kb-drill')).cards").items() if q.startswith("q-architecture") and c["state"] == 2)
        browser.close()
    assert all(r.startswith(url) or r.startswith("blob:") or r.startswith("data:") for r in requests)


def count(page, name: str) -> int:
    return int(page.inner_text(f".drill-stats [data-count='{name}']"))
