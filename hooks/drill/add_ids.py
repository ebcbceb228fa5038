"""Give every question callout of the vault a stable id and fold it (run once; safe to run again).

    python -m hooks.drill.add_ids docs          # rewrite the notes in place
    python -m hooks.drill.add_ids docs --check  # list what would change, write nothing

The id is ``q-<note>-<hash>``: the note's file name as a slug and six hex digits of the SHA-1 of the
note path and the question as first written. It is written into the note, so from then on it is
the question's identity: rewording the question or moving it does not change it (progress kept in
readers' browsers and Anki cards are keyed by it). ``> [!question]`` becomes ``> [!question]-``
(folded, as the answer-key contract asks); ``+`` (an author's choice to show it open) is kept.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from hooks.drill.questions import HEADER, parse

IGNORED_DIRS = {".obsidian", "templates", ".trash"}


def slug_for(path: str) -> str:
    """The note part of an id: the file name (the folder for an index note), ASCII letters and digits."""
    parts = path[:-3].split("/") if path.endswith(".md") else path.split("/")
    stem = parts[-2] if parts[-1] == "index" and len(parts) > 1 else parts[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "note"


def new_id(path: str, title: str, taken: set[str]) -> str:
    digest = hashlib.sha1(f"{path}\n{title}".encode("utf-8")).hexdigest()
    for width in range(6, 41):  # a longer hash only on a (very unlikely) collision
        qid = f"q-{slug_for(path)}-{digest[:width]}"
        if qid not in taken:
            return qid
    raise AssertionError(f"no free id for {path}: {title}")


def rewrite(path: str, text: str, taken: set[str]) -> tuple[str, int]:
    """The note with ids added and callouts folded; the number of questions changed."""
    lines = text.split("\n")
    changed = 0
    for q in reversed(parse(path, text)):  # from the end, so earlier line numbers stay valid
        header = lines[q.line - 1]
        if q.folded == "":
            m = HEADER.match(header)
            lines[q.line - 1] = header[: m.end("fold")] + "-" + header[m.end("fold"):]
        if q.qid is None:
            qid = new_id(path, q.title, taken)
            taken.add(qid)
            after = q.end  # index of the first line after the callout
            insert = ["", f"^{qid}"]
            if after < len(lines) and lines[after].strip():
                insert.append("")
            lines[after:after] = insert
        changed += q.folded == "" or q.qid is None
    return "\n".join(lines), changed


def notes(docs: Path) -> list[Path]:
    return [f for f in sorted(docs.rglob("*.md"))
            if not IGNORED_DIRS & set(f.relative_to(docs).parts[:-1])]


def main(argv: list[str]) -> int:
    docs = Path(next((a for a in argv if not a.startswith("--")), "docs"))
    check = "--check" in argv
    files = notes(docs)
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    taken = {q.qid for f, t in texts.items() for q in parse(f.relative_to(docs).as_posix(), t) if q.qid}
    total = 0
    for f, text in texts.items():
        new, changed = rewrite(f.relative_to(docs).as_posix(), text, taken)
        if changed:
            total += changed
            print(f"{f}: {changed} question(s) {'would get' if check else 'given'} an id / folded")
            if not check:
                f.write_text(new, encoding="utf-8")
    print(f"{total} question callouts {'to change' if check else 'changed'} in {docs}")
    return 1 if check and total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
