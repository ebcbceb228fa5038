"""Front matter as Obsidian reads it: YAML (JSON is valid YAML) between ``---`` fences on line 1.

Only a ``---`` on the very first line opens front matter; anywhere else it is a thematic break.
Invalid front matter is a :class:`~hooks.problems.Problem` naming the file and the line, never a
silent fallback (MkDocs on its own would render the broken block as page text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from hooks.problems import Problem

# libyaml's safe loader when PyYAML was built with it (the PyPI wheels are): ~10× faster per note.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FENCE_OPEN = "---"
FENCE_CLOSE = ("---", "...")


@dataclass
class FrontMatter:
    """What a note says about itself."""

    data: dict[str, Any] = field(default_factory=dict)
    body_line: int = 1  # 1-based line where the body starts
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        value = self.data.get("title")
        return str(value) if value not in (None, "") else None

    @property
    def tags(self) -> list[str]:
        return _as_list(self.data.get("tags"), split=True)

    @property
    def aliases(self) -> list[str]:
        return _as_list(self.data.get("aliases") or self.data.get("alias"), split=False)

    @property
    def published(self) -> bool:
        """``publish: false`` (Obsidian Publish) or ``dg-publish: false`` (Digital Garden) unpublish.

        Only ``true`` (or no key) publishes: a value that is not a YAML boolean (``publish: "false"``,
        a string) is an error and, until it is fixed, does not publish — a draft is never put online
        because its flag was quoted."""
        return self.unpublished_by is None

    @property
    def unpublished_by(self) -> str | None:
        """The front-matter line that keeps the note off the site (``publish: false``), if any."""
        for key in ("publish", "dg-publish"):
            value = self.data.get(key, True)
            if value is not True:
                return f"{key}: false" if value is False else f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}"
        return None


def _as_list(value: Any, *, split: bool) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace(",", " ").split() if split else [value]
        return [p.strip().lstrip("#") for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip().lstrip("#") for v in value if v is not None and str(v).strip()]
    return [str(value)]


def split(text: str, path: str) -> tuple[FrontMatter, str]:
    """Return the parsed front matter and the body text (``text`` without the front matter block)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE_OPEN:
        return FrontMatter(), text
    for end in range(1, len(lines)):
        if lines[end].rstrip() in FENCE_CLOSE:
            break
    else:
        # A lone '---' on line 1 with no closing fence is a thematic break, as in Obsidian.
        return FrontMatter(), text
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    fm = FrontMatter(body_line=end + 2)
    try:
        data = yaml.load(raw, Loader=YAML_LOADER) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and 2 + mark.line > end:
            # libyaml marks an unclosed bracket at the end of the block: name where it opened.
            mark = getattr(exc, "context_mark", None) or mark
        line = min(2 + mark.line, end) if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        fm.problems.append(
            Problem(path, line, f"invalid front matter: {reason}",
                    "fix the YAML (or JSON) between the two '---' lines; quote values that contain ': ' or '#'")
        )
        return fm, body
    if not isinstance(data, dict):
        fm.problems.append(
            Problem(path, 2, f"front matter must be a mapping of keys to values, got {type(data).__name__}",
                    "write 'key: value' lines, e.g. 'title: 标题'")
        )
        return fm, body
    fm.data = data
    for key in ("title",):
        if key in data and not isinstance(data[key], (str, int, float)):
            fm.problems.append(Problem(path, _key_line(lines, end, key), f"'{key}' must be text", f"write '{key}: 某个标题'"))
    for key in ("tags", "aliases"):
        if key in data and data[key] is not None and not isinstance(data[key], (str, list)):
            fm.problems.append(
                Problem(path, _key_line(lines, end, key), f"'{key}' must be a list or a string", f"write '{key}: [a, b]'")
            )
    for key in ("publish", "dg-publish"):
        if key in data and not isinstance(data[key], bool):
            fm.problems.append(
                Problem(path, _key_line(lines, end, key), f"'{key}' must be true or false, not {data[key]!r}: "
                        "the note is not published until it is", f"write '{key}: false' or '{key}: true' (no quotes)")
            )
    return fm, body


def _key_line(lines: list[str], end: int, key: str) -> int:
    for i in range(1, end):
        if lines[i].startswith(f"{key}:") or lines[i].lstrip("{ ").startswith(f'"{key}"'):
            return i + 1
    return 1
