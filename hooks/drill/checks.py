"""``make check`` rules for the question callouts (called from hooks/lint.py).

- a question without a stable ``^q-…`` id: error (progress and Anki cards are keyed by it);
- the same id twice in the vault: error;
- a malformed id line (``^q-Foo_bar``): error;
- a question without an answer key: warning for now (keys are being written section by section).
"""

from __future__ import annotations

from collections import defaultdict

from hooks.drill.questions import Question, parse
from hooks.problems import Problem
from hooks.vault import VaultIndex


def vault_questions(vault: VaultIndex) -> list[Question]:
    """Every question of every published note, in path order."""
    return [q for path in sorted(vault.notes) if vault.notes[path].published
            for q in parse(path, vault.notes[path].text)]


def check(vault: VaultIndex) -> list[Problem]:
    problems: list[Problem] = []
    where: dict[str, list[Question]] = defaultdict(list)
    for q in vault_questions(vault):
        for message in q.problems:
            problems.append(Problem(q.path, q.line, message, "ids are lowercase ASCII: ^q-note-topic"))
        if q.qid is None and not q.problems:
            problems.append(Problem(q.path, q.line, f"question has no id: {q.title[:40]}",
                                    "run 'python -m hooks.drill.add_ids docs' (adds ^q-… after the callout)"))
        if q.qid:
            where[q.qid].append(q)
        if not q.key.strip():
            problems.append(Problem(q.path, q.line, f"question has no answer key: {q.title[:40]}",
                                    "write 3–6 lines in the callout body, ending with 详解：[[#heading]]", "warning"))
    for qid, qs in where.items():
        if len(qs) > 1:
            for q in qs:
                others = ", ".join(f"{o.path}:{o.id_line}" for o in qs if o is not q)
                problems.append(Problem(q.path, q.id_line, f"duplicate question id ^{qid} (also {others})",
                                        "give one of them a new id; keep the old one where readers' progress is"))
    return problems
