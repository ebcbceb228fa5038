"""The question model: every interview question callout of a note, read from the vault text.

The shared format (docs/about/contributing.md, the question/answer-key contract)::

    > [!question|hot|hard]- 点积注意力为什么要除以 $\\sqrt{d_k}$？
    > 3–6 lines of answer key …
    > 详解：[[#精确表述]]

    ^q-attn-scale-why

The id line stands on its own after one blank line (Obsidian's rule for block ids on callouts), so
``[[note#^q-attn-scale-why]]`` works in Obsidian and on the site alike. Only top-level callouts
outside fenced code count; a question quoted inside another callout or a code block is an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hooks.examples.blocks import FENCE_OPEN

# '> [!question]', '> [!question|hot|hard]-', '> [!QUESTION]+ title' (aliases help/faq are other types)
HEADER = re.compile(r"^ {0,3}> ?\[!question(?P<meta>(?:\|[^\]|]*)*)\](?P<fold>[+-]?)(?:[ \t]+(?P<title>.*?))?[ \t]*$", re.I)
QUOTE = re.compile(r"^ {0,3}>")
ID_LINE = re.compile(r"^\^(?P<id>\S+)\s*$")
VALID_ID = re.compile(r"^q-[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.+?)[ \t#]*$")
DIFFICULTY = ("easy", "hard")


@dataclass
class Question:
    """One question callout: where it is, what it asks, and its answer key (Markdown)."""

    path: str  # vault-relative note path
    line: int  # 1-based line of the callout header
    title: str  # the question (Markdown, one line)
    key: str  # the answer key (Markdown, the callout body with '> ' removed); '' when none yet
    qid: str | None  # 'q-…' from the id line, None when the callout has none
    id_line: int = 0  # line of the id, 0 when none
    folded: str = ""  # '', '-' or '+' as written
    meta: tuple[str, ...] = ()  # callout metadata after '|': 'hot', 'hard', 'easy', …
    heading: str = ""  # the nearest heading above (Markdown text), '' at the top of the note
    end: int = 0  # last line of the callout body (1-based)
    problems: list[str] = field(default_factory=list)  # id lines that are there but malformed

    @property
    def section(self) -> str:
        return self.path.split("/", 1)[0] if "/" in self.path else ""

    @property
    def hot(self) -> bool:
        return "hot" in self.meta

    @property
    def difficulty(self) -> str:
        return next((m for m in self.meta if m in DIFFICULTY), "")


def parse(path: str, text: str) -> list[Question]:
    """The question callouts of one note (text with or without front matter), in order."""
    lines = text.split("\n")
    out: list[Question] = []
    fence: str | None = None
    heading = ""
    i = _body_start(lines)
    while i < len(lines):
        line = lines[i]
        m = FENCE_OPEN.match(line)
        if fence is None and m and not QUOTE.match(line):
            fence = m.group("fence")
            i += 1
            continue
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            i += 1
            continue
        h = HEADING.match(line)
        if h:
            heading = h.group("text")
        header = HEADER.match(line)
        if not header:
            i += 1
            continue
        body, j = [], i + 1
        while j < len(lines) and QUOTE.match(lines[j]) and not HEADER.match(lines[j]):
            body.append(re.sub(r"^ {0,3}> ?", "", lines[j], count=1))
            j += 1
        q = Question(path, i + 1, (header.group("title") or "").strip(), "\n".join(body).strip("\n"), None,
                     folded=header.group("fold"), heading=heading, end=j,
                     meta=tuple(m.strip().lower() for m in header.group("meta").split("|") if m.strip()))
        k = j
        while k < len(lines) and not lines[k].strip():
            k += 1
        idm = ID_LINE.match(lines[k]) if k < len(lines) and k > j else None
        if idm:
            if VALID_ID.match(idm.group("id")):
                q.qid, q.id_line = idm.group("id"), k + 1
            elif idm.group("id").lower().startswith("q-"):
                q.problems.append(f"question id '^{idm.group('id')}' (line {k + 1}) is not of the form q-[a-z0-9-]+")
        out.append(q)
        i = j
    return out


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the front matter (0 when there is none)."""
    if lines and lines[0].strip() == "---":
        for n in range(1, len(lines)):
            if lines[n].strip() in ("---", "..."):
                return n + 1
    return 0
