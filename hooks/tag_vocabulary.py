"""The tag vocabulary file (``tags.yml`` beside ``docs/``): allowed tags, their meaning and their groups.

Read by the linter (:mod:`hooks.checks_tags`, which rejects other tags) and by the tag page
(:mod:`hooks.site.tags`, which groups tags by it). No MkDocs here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

VOCABULARY_FILE = "tags.yml"


@dataclass(frozen=True)
class Vocabulary:
    """Allowed tags in page order, each with its meaning and group name."""

    groups: list[tuple[str, dict[str, str]]]  # (group name, {tag: meaning})

    @property
    def tags(self) -> dict[str, str]:
        return {tag: meaning for _, tags in self.groups for tag, meaning in tags.items()}

    def closest(self, tag: str) -> str | None:
        """The allowed tag nearest to ``tag``: same spelling in another case, a containing tag, or difflib's best."""
        allowed = list(self.tags)
        lower = {t.lower(): t for t in allowed}
        if tag.lower() in lower:
            return lower[tag.lower()]
        # 推理优化 → 推理, KV-Cache → 推理/KV-Cache: a tag that contains, or is contained in, the unknown one.
        overlap = [t for t in allowed if t.split("/")[-1].lower() in tag.lower() or tag.lower() in t.lower()]
        if overlap:
            return max(overlap, key=lambda t: (len(t.split("/")[-1]), -len(t)))
        close = difflib.get_close_matches(tag, allowed, n=1, cutoff=0.0)
        return close[0] if close else None


def vocabulary_path(docs: Path) -> Path:
    return docs.resolve().parent / VOCABULARY_FILE


def load_vocabulary(path: Path) -> Vocabulary:
    """Read ``tags.yml``; a malformed file is an error naming the file, never an empty vocabulary."""
    return load_vocabulary_text(path.read_text(encoding="utf-8"), path)


def load_vocabulary_text(text: str, path: Path | str = VOCABULARY_FILE) -> Vocabulary:
    data = yaml.safe_load(text) or {}
    groups = []
    for i, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict) or not isinstance(group.get("tags"), dict) or not group.get("name"):
            raise ValueError(f"{path}: group {i + 1} needs 'name' and a 'tags' mapping of tag: meaning")
        groups.append((str(group["name"]), {str(k): str(v) for k, v in group["tags"].items()}))
    if not groups:
        raise ValueError(f"{path}: no 'groups' with tags")
    return Vocabulary(groups)
