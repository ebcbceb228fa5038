"""The drill outputs of the site, called from the MkDocs hooks (the only module that knows pages).

- ``on_files``: the questions of every published note (hooks.drill.questions);
- each page: its questions' rendered HTML is kept (hooks.drill.rendered); a section's index page
  gets a progress line, the home page its question count, the practice page its download table;
- ``on_post_build``: the question bank JSON, the Anki decks and the cheat sheets under ``drill/``.

State lives here between ``serve`` rebuilds: a page that a ``--dirty`` rebuild does not render
keeps the HTML of its last render.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass, field
from pathlib import Path

from hooks.drill import anki, bank, cheatsheet, rendered
from hooks.drill.links import relative
from hooks.drill.questions import Question, parse
from hooks.problems import Problem, report

PRACTICE_PAGE = "practice/drill.md"
OUT_DIR = "drill"  # in the site: bank.json, anki/*.apkg, cheatsheet/*.html
BANK = f"{OUT_DIR}/bank.json"
SCRIPT, STYLE = "assets/llm-kb/drill.js", "assets/llm-kb/drill.css"
# The home page's first link to the practice page gets the number of questions after it.
PRACTICE_LINK = re.compile(r"<a\b[^>]*\bhref=\"(?P<href>[^\"]*)\"[^>]*>.*?</a>", re.S)
DOWNLOADS = '<div class="drill-downloads"></div>'


@dataclass
class PageHtml:
    url: str
    title: str
    tags: tuple[str, ...]
    questions: dict[str, rendered.Rendered]


@dataclass
class Drill:
    questions: dict[str, list[Question]] = field(default_factory=dict)  # note path -> questions with ids
    sections: list[tuple[str, str]] = field(default_factory=list)  # (folder, title), learning-path order
    practice_url: str = "practice/drill/"
    without_id: int = 0


current = Drill()
_pages: dict[str, PageHtml] = {}  # note path -> its last render (kept across serve rebuilds)


def configure(config) -> None:
    """The drill script and style on every page (notes show each question's state)."""
    if SCRIPT not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(SCRIPT)
    if STYLE not in config.extra_css:
        config.extra_css.append(STYLE)


def collect(vault, section_order: list[str], practice_url: str | None) -> Drill:
    global current
    drill = Drill()
    for path in sorted(vault.notes):
        note = vault.notes[path]
        if not note.published:
            continue
        qs = parse(path, note.text)
        drill.without_id += sum(q.qid is None for q in qs)
        if any(q.qid for q in qs):
            drill.questions[path] = [q for q in qs if q.qid]
    folders = {q.section for qs in drill.questions.values() for q in qs}
    order = {name: i for i, name in enumerate(section_order)}
    for folder in sorted(folders, key=lambda s: (order.get(s, len(order)), s)):
        index = vault.notes.get(f"{folder}/index.md")
        drill.sections.append((folder, index.title if index else folder or "首页"))
    if practice_url:
        drill.practice_url = practice_url
    current = drill
    return drill


def _dir(url: str) -> str:
    """The directory a page URL's relative links start from ('a/b/' or 'a/b.html' -> 'a/')."""
    if not url or url.endswith("/"):
        return url
    return url.rsplit("/", 1)[0] + "/" if "/" in url else ""


def total() -> int:
    return sum(len(qs) for qs in current.questions.values())


def page_content(html: str, path: str, url: str, title: str, tags: list[str]) -> str:
    """Keep this page's rendered questions; add the drill parts of the home, section and practice pages."""
    if path in current.questions:
        _pages[path] = PageHtml(url, title, tuple(tags), rendered.questions(html))
    here = _dir(url)
    if path == "index.md":
        html = count_after_practice_link(html, relative(current.practice_url, here))
    section = path[: -len("/index.md")] if path.endswith("/index.md") and path.count("/") == 1 else None
    ids = [q.qid for p, qs in current.questions.items() for q in qs if q.section == section] if section else []
    if ids:
        practice = relative(current.practice_url, here)
        html = (f'<div class="drill-progress" data-ids="{" ".join(ids)}">'
                f'<a href="{practice}#section={section}">刷本节 {len(ids)} 题</a>'
                f' · <a href="{relative(f"{OUT_DIR}/cheatsheet/{section}.html", here)}">速查表</a>'
                f' · <a href="{relative(f"{OUT_DIR}/anki/llm-kb-{section}.apkg", here)}" download>Anki</a>'
                f'<span class="drill-progress-state"></span></div>\n') + html
    if path == PRACTICE_PAGE and DOWNLOADS in html:
        html = html.replace(DOWNLOADS, downloads_table(here), 1)
    return html


def count_after_practice_link(html: str, href: str) -> str:
    for m in PRACTICE_LINK.finditer(html):
        if m.group("href") in (href, "./" + href):
            return html[: m.end()] + f'<span class="drill-count">（共 {total()} 题）</span>' + html[m.end():]
    return html


def downloads_table(here: str) -> str:
    rows = [f'<tr><td>全部</td><td>{total()}</td>'
            f'<td><a href="{relative(f"{OUT_DIR}/anki/llm-kb.apkg", here)}" download>llm-kb.apkg</a></td><td></td></tr>']
    for section, title in current.sections:
        n = sum(q.section == section for qs in current.questions.values() for q in qs)
        rows.append(f'<tr><td>{htmlmod.escape(title)}</td><td>{n}</td>'
                    f'<td><a href="{relative(f"{OUT_DIR}/anki/llm-kb-{section}.apkg", here)}" download>llm-kb-{section}.apkg</a></td>'
                    f'<td><a href="{relative(f"{OUT_DIR}/cheatsheet/{section}.html", here)}">速查表</a></td></tr>')
    return ('<div class="drill-downloads"><table><thead><tr><th>分区</th><th>题数</th><th>Anki 牌组</th>'
            f'<th>打印速查表（A4）</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def entries() -> list[bank.Entry]:
    """Every question whose page was rendered, in learning-path order (section, note, position)."""
    order = {s: i for i, (s, _) in enumerate(current.sections)}
    out = []
    for path in sorted(current.questions, key=lambda p: (order.get(p.split("/")[0] if "/" in p else "", 99), p)):
        page = _pages.get(path)
        if page is None:
            continue  # not rendered in this build (a draft under serve); nothing to show
        for q in current.questions[path]:
            html = page.questions.get(q.qid)
            if html is None:
                report(Problem(path, q.line, f"question ^{q.qid}: its callout has no id on the page",
                               "put the id line right after the callout, separated by one blank line", "warning"))
                continue
            out.append(bank.Entry(q, page.title, page.url, page.tags, html))
    return out


_downloads_written: set[str] = set()  # site dirs whose decks and cheat sheets this process wrote


def write(site_dir: str, site_url: str | None, site_name: str, serving: bool = False) -> dict[str, int]:
    """Write the bank, the decks and the cheat sheets; return their sizes in bytes (for the log).

    Under ``serve`` the decks and cheat sheets are written on the first build only: they take
    about 1.5 s, which would more than double the time from an edit to the reload. The bank,
    which the practice page reads, is written every time (0.1 s).
    """
    out = Path(site_dir) / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    all_entries = entries()
    bank_file = Path(site_dir) / BANK
    bank_file.write_text(bank.to_json(all_entries, current.sections, _dir(current.practice_url)), encoding="utf-8")
    sizes = {"bank.json": bank_file.stat().st_size}
    if serving and site_dir in _downloads_written and (out / "anki").is_dir():
        return sizes
    _downloads_written.add(site_dir)
    decks = anki.write_decks(all_entries, current.sections, site_url or "/", out / "anki")
    sizes["llm-kb.apkg"] = decks[""].stat().st_size
    (out / "cheatsheet").mkdir(exist_ok=True)
    for section, title in current.sections:
        mine = [e for e in all_entries if e.q.section == section]
        if mine:
            url = f"{OUT_DIR}/cheatsheet/{section}.html"
            (Path(site_dir) / url).write_text(cheatsheet.page(title, mine, url, site_name), encoding="utf-8")
    return sizes
