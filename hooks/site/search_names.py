"""The vocabulary search.js uses to understand a question: the notes' own names and reviewed synonyms.

Built with the index (hooks/site/search.py writes it gzipped into the bundle, ``NAMES_FILE``) and
read by overrides/assets/llm-kb/search.js on the first search:

- ``words``: every title (the part before its colon) and alias of a published note, and the
  reviewed ``words`` of hooks/site/search_synonyms.yml. The browser cuts a Chinese question into
  words with ``Intl.Segmenter``, whose dictionary does not know 复读机 or 显存; a known name is kept
  whole first. English names also correct typos (transfomer -> transformer).
- ``groups``: names that mean the same to a reader. From a note: its title and its first three
  aliases (authors list a note's main names first; later aliases are related terms such as
  "记忆" on the agent note, which must not turn a query about memory into one about agents). From
  the reviewed file: its ``groups``. A query word in a group also matches pages using another name
  of the group (kv缓存 finds pages that say KV Cache).
- ``notes`` (added by hooks/site/search.py, which knows Pagefind's page ids): per note, its id, its
  title and aliases. A query word in a note's title or aliases counts extra for it; the note whose
  title head or alias *is* a word of the query is the note about that word: "LoRA 显存" ranks the
  LoRA note before the serving note that merely mentions LoRA often, though Pagefind scores the
  latter higher; "MoE 的路由" ranks the MoE note first.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError

SYNONYMS = Path(__file__).with_name("search_synonyms.yml")
MAIN_ALIASES = 3  # a note's first aliases, with its title, form its synonym group
MAX_WORD = 24  # characters: longer names are sentences, not words a reader types
_TITLE_HEAD = re.compile(r"[：:]")


def normal(name: str) -> str:
    """As search.js compares names: NFKC (full-width to half-width), lower case, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().lower()


def _usable(name: str) -> bool:
    return 0 < len(name) <= MAX_WORD


def load_synonyms(path: Path = SYNONYMS) -> dict[str, list]:
    """The reviewed file: ``groups`` (lists of names) and ``words``; a bad entry names file:line."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise PluginError(f"{path}: not valid YAML ({exc}); fix the file's syntax") from exc
    if not isinstance(data, dict) or set(data) - {"groups", "words"}:
        raise PluginError(f"{path}: expected only the keys 'groups' and 'words'")
    groups, words = data.get("groups") or [], data.get("words") or []
    lines = text.splitlines()

    def where(value: object) -> str:
        needle = str(value[0] if isinstance(value, list) and value else value)
        line = next((i for i, ln in enumerate(lines, 1) if needle in ln), 0)
        return f"{path}:{line}"

    for group in groups:
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and _usable(w) for w in group):
            raise PluginError(f"{where(group)}: a synonym group is a list of at least two names of at most "
                              f"{MAX_WORD} characters, not {group!r}")
    for word in words:
        if not isinstance(word, str) or not _usable(word):
            raise PluginError(f"{where(word)}: a word is a name of at most {MAX_WORD} characters, not {word!r}")
    return {"groups": groups, "words": words}


def search_names(notes: list[tuple[str, list[str]]], reviewed: dict[str, list]) -> dict[str, list]:
    """From the notes' (title, aliases) and the reviewed synonyms: ``{"words": […], "groups": […]}``."""
    words: dict[str, None] = {}
    groups: list[list[str]] = []
    for title, aliases in notes:
        words.update(dict.fromkeys(note_names(title, aliases)))
        main = note_names(title, aliases[:MAIN_ALIASES])
        if len(main) > 1:
            groups.append(main)
    for group in reviewed["groups"]:
        groups.append(list(dict.fromkeys(map(normal, group))))
        words.update(dict.fromkeys(map(normal, group)))
    words.update(dict.fromkeys(map(normal, reviewed["words"])))
    return {"words": sorted(words), "groups": groups}


def note_names(title: str, aliases: list[str]) -> list[str]:
    """A note's names as the query sees them: the head of its title and every alias."""
    head = normal(_TITLE_HEAD.split(title, 1)[0])
    return [n for n in dict.fromkeys([head, *map(normal, aliases)]) if _usable(n)]


def note_entries(notes: dict[str, tuple[str, list[str]]]) -> list[list[str]]:
    """``[[page id, title, alias, …], …]`` (as search.js compares them) for the notes by page id."""
    return [[pid, normal(title), *[n for n in map(normal, aliases) if _usable(n)]]
            for pid, (title, aliases) in sorted(notes.items())]


def write_names(path: Path, names: dict[str, list]) -> None:
    """Gzipped JSON (search.js reads it with DecompressionStream): a third of the bytes."""
    data = json.dumps(names, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0))
