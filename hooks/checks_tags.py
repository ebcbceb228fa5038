"""Tag vocabulary: every tag a note uses must be listed in ``tags.yml`` beside the vault.

The vocabulary is a small data file at the project root (next to ``docs/``), not a note: it is the
contract for authors, and the tag page groups tags by its sections. A vault without ``tags.yml`` (a
scratch vault, a test fixture) has free tags, as in plain Obsidian. A tag outside the vocabulary is
an error at the line that names it, with the closest allowed tag as the fix, because near-duplicates
(推理 / 推理优化 / 推理性能) are exactly what the vocabulary exists to stop.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hooks.obsidian.tags import TAG
from hooks.problems import Problem
from hooks.tag_vocabulary import VOCABULARY_FILE, Vocabulary, load_vocabulary, load_vocabulary_text, vocabulary_path
from hooks.vault import VaultIndex

__all__ = ["VOCABULARY_FILE", "Vocabulary", "check", "load_vocabulary", "load_vocabulary_text", "note_tags", "vocabulary_path"]
TAG_RE = re.compile(TAG)


def note_tags(text: str, body_line: int) -> list[tuple[int, str]]:
    """(line, tag) for the front matter's ``tags`` (block or flow list) and inline ``#tags`` in prose."""
    from hooks.lint import prose_lines  # lint imports this module: import here to keep the cycle lazy

    found: list[tuple[int, str]] = []
    lines = text.split("\n")
    in_tags = False
    for i, line in enumerate(lines[: max(body_line - 2, 0)], 1):
        key = re.match(r"^(\w[\w-]*)\s*:(.*)$", line)
        if key:
            in_tags = key.group(1) == "tags"
            if in_tags and key.group(2).strip():
                value = key.group(2).strip().strip("[]")
                found += [(i, t.strip().strip("'\"").lstrip("#")) for t in re.split(r"[,\s]+", value) if t.strip()]
        elif in_tags and re.match(r"^\s*-\s+", line):
            found.append((i, line.split("-", 1)[1].strip().strip("'\"").lstrip("#")))
    body_start = body_line - 1
    for lineno, line in prose_lines(text):
        if lineno <= body_start or line.lstrip().startswith("#") and re.match(r"^\s*#+\s", line):
            continue
        # Link targets, wikilinks ([[#heading]]), URLs, HTML and math are not tags, as in the renderer.
        line = re.sub(r"\[\[[^\]]*\]\]|\]\([^)]*\)|<[^>]*>|https?://\S+|\$[^$]*\$", " ", line)
        found += [(lineno, m.group("tag").strip("/")) for m in TAG_RE.finditer(line)]
    return found


def check(vault: VaultIndex, docs: Path | None) -> list[Problem]:
    """Problems for tags outside the vocabulary (none when the vault has no ``tags.yml``)."""
    if docs is None or not vocabulary_path(docs).is_file():
        return []
    path = vocabulary_path(docs)
    try:
        vocabulary = load_vocabulary(path)
    except (ValueError, yaml.YAMLError) as exc:
        return [Problem(VOCABULARY_FILE, 0, f"tag vocabulary cannot be read: {exc}", "fix the YAML in tags.yml")]
    allowed = vocabulary.tags
    problems = []
    for note_path, note in vault.notes.items():
        if not note.published or note.front.problems:
            continue
        for line, tag in note_tags(note.text, note.front.body_line):
            if tag in allowed:
                continue
            near = vocabulary.closest(tag)
            hint = f"use '{near}' ({allowed[near]})" if near else "use a tag from tags.yml"
            problems.append(Problem(note_path, line, f"tag '{tag}' is not in the vocabulary ({VOCABULARY_FILE})",
                                    hint + ", or add the tag to tags.yml if at least 3 notes need it"))
    return problems
