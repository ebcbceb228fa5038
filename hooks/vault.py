"""The vault index: every note read once per build, and the one place that finds a note by name.

Built in ``on_files`` before anything renders. Later stages ask it (which note does ``[[x]]`` mean,
what is this note's title, is it published) and never walk the file tree or re-read a note.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from hooks import frontmatter
from hooks.obsidian import unclosed
from hooks.problems import Problem

NOTE_SUFFIX = ".md"
# Characters a [[wikilink]] cannot carry in a name: '#' starts a heading, '^' a block, '|' the text.
LINK_UNSAFE = "#^|[]"
# Obsidian's own folders (settings, deleted notes, note templates): never published, only named in the log.
OBSIDIAN_FOLDERS = frozenset({".obsidian", ".trash", "templates"})


def hidden_reason(path: str) -> str | None:
    """Why the site leaves a vault file out by its name alone (MkDocs' default ``exclude_docs``
    and mkdocs.yml's), or None. "obsidian": inside one of Obsidian's folders; "dot": a file or folder
    whose name starts with '.' (``.hidden.md``, ``..md``, ``.drafts/x.md``, ``../``), which Obsidian
    hides too."""
    parts = path.split("/")
    if OBSIDIAN_FOLDERS & set(parts[:-1]):
        return "obsidian"
    return "dot" if any(p.startswith(".") for p in parts) else None


@dataclass
class Note:
    """One Markdown file of the vault."""

    path: str  # vault-relative, e.g. "inference/kv-cache.md"
    text: str  # normalised source (UTF-8, LF line endings, no BOM), front matter included
    front: frontmatter.FrontMatter
    problems: list[Problem] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return posixpath.splitext(posixpath.basename(self.path))[0]

    @property
    def title(self) -> str:
        return self.front.title or self.stem

    @property
    def link_text(self) -> str:
        """What a link to this note without its own text shows: ``short_title``, else the title."""
        short = self.front.data.get("short_title")
        return str(short).strip() if short not in (None, "") and str(short).strip() else self.title

    @property
    def published(self) -> bool:
        return self.front.published


def decode(raw: bytes, path: str) -> tuple[str, list[Problem]]:
    """Decode a note as Obsidian would show it: UTF-8, BOM dropped, CRLF and lone CR made LF."""
    problems: list[Problem] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(path, line, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "save the note as UTF-8; the bad bytes are shown as � on the page")
        )
        text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


@dataclass
class Resolution:
    """Where a link target points: a note (or attachment) path, and any candidates it had to choose from."""

    path: str | None
    candidates: tuple[str, ...] = ()


# A note parses to the same front matter and problems as long as its text is the same. Under
# `serve` each rebuild indexes the whole vault again, and almost every note is unchanged: the
# latest index's parses are reused (0.1 s of a 0.7 s rebuild at 1,000 notes).
_Parse = tuple[str, frontmatter.FrontMatter, list[Problem]]  # text, front matter, problems found parsing
_latest_parses: dict[str, _Parse] = {}


class VaultIndex:
    """All notes and attachments of the vault, with Obsidian's name lookup."""

    def __init__(self) -> None:
        global _latest_parses
        self._reuse, self._parses = _latest_parses, {}
        _latest_parses = self._parses
        self.notes: dict[str, Note] = {}
        self.attachments: set[str] = set()
        self._by_name: dict[str, list[str]] = {}  # lower-cased basename without .md -> paths
        self._by_path: dict[str, str] = {}  # lower-cased path without .md -> path
        self._by_alias: dict[str, list[str]] = {}
        self.hidden: list[Problem] = []  # notes left out by their name (hidden_reason), named here

    # -- building -------------------------------------------------------------------------------
    def add_note(self, path: str, raw: bytes) -> Note:
        text, problems = decode(raw, path)
        parsed = self._reuse.get(path)
        if parsed is None or parsed[0] != text:
            front, body = frontmatter.split(text, path)
            parsed = (text, front, front.problems + unclosed.check(path, body, front.body_line))
        self._parses[path] = parsed
        text, front, found = parsed
        note = Note(path, text, front, problems + found)
        self.notes[path] = note
        key = path[: -len(NOTE_SUFFIX)].lower()
        twin = self._by_path.get(key)
        if twin in self.notes:
            # Before, the second note silently replaced the first in the lookup: [[name]] could no
            # longer reach it, and a checkout on Windows or macOS keeps only one of the two files.
            for this, other in ((note, twin), (self.notes[twin], path)):
                this.problems.append(Problem(this.path, 0, f"'{this.path}' and '{other}' differ only in case: "
                                             "on Windows and macOS only one of them can exist, and [[links]] "
                                             "cannot tell them apart", "rename one of the two notes"))
        else:
            self._by_path[key] = path
        unsafe = sorted(set(LINK_UNSAFE) & set(note.stem))
        if unsafe:
            note.problems.append(Problem(path, 0, f"the file name contains {' '.join(unsafe)}: a [[wikilink]] cannot "
                                         "name this note (Obsidian does not allow these characters in links)",
                                         "rename the note; until then link it with a Markdown link", "warning"))
        self._by_name.setdefault(posixpath.basename(key), []).append(path)
        for alias in front.aliases:
            self._by_alias.setdefault(alias.lower(), []).append(path)
        return note

    def add_attachment(self, path: str) -> None:
        self.attachments.add(path)
        self._by_path[path.lower()] = path
        self._by_name.setdefault(posixpath.basename(path).lower(), []).append(path)

    def add_hidden(self, path: str) -> Problem | None:
        """A note the site leaves out by its name: a warning for a dot name (a strict build fails, so
        no note vanishes unnoticed), None for Obsidian's own folders (the caller logs them)."""
        if hidden_reason(path) == "obsidian":
            return None
        problem = Problem(path, 0, "a file or folder name starting with '.' is hidden (as in Obsidian): "
                          "this note is not in the site", "rename it without the leading '.' to publish it, "
                          "or move it out of docs/", "warning")
        self.hidden.append(problem)
        return problem

    @property
    def problems(self) -> list[Problem]:
        return [p for note in self.notes.values() for p in note.problems] + self.hidden

    # -- lookup ---------------------------------------------------------------------------------
    def resolve(self, target: str, source: str) -> Resolution:
        """Find the file ``target`` names, as Obsidian does.

        Case-insensitive. A path (``folder/note``) matches from the vault root or relative to the
        source note; a bare name matches the unique file with that name, else an alias; when several
        files share the name, the one in the source's folder wins, then the shortest path.
        """
        name = target.strip()
        if name.lower().endswith(NOTE_SUFFIX):
            name = name[: -len(NOTE_SUFFIX)]
        key = name.lower().lstrip("/")
        if not key:
            return Resolution(None)
        if "/" in key:
            here = posixpath.dirname(source).lower()
            for candidate in (key, posixpath.normpath(posixpath.join(here, key))):
                if candidate in self._by_path:
                    return Resolution(self._by_path[candidate])
            # Obsidian also accepts a partial path that ends a unique file's path.
            hits = [p for k, p in self._by_path.items() if k.endswith("/" + key)]
            return _choose(hits, source)
        if key in self._by_path:  # a note at the vault root
            return Resolution(self._by_path[key])
        hits = self._by_name.get(key) or self._by_alias.get(key) or []
        return _choose(hits, source)

    def closest_names(self, target: str, limit: int = 3) -> list[str]:
        """Existing note names nearest to a broken link target, for the error message."""
        import difflib

        names = {posixpath.splitext(p)[0] for p in self.notes} | {n.stem for n in self.notes.values()}
        return difflib.get_close_matches(target.lower(), sorted(names), n=limit, cutoff=0.5)


def _choose(hits: list[str], source: str) -> Resolution:
    hits = sorted(set(hits))
    if not hits:
        return Resolution(None)
    if len(hits) == 1:
        return Resolution(hits[0])
    here = posixpath.dirname(source)
    same_folder = [h for h in hits if posixpath.dirname(h) == here]
    best = same_folder[0] if same_folder else min(hits, key=lambda h: (h.count("/"), len(h), h))
    return Resolution(best, tuple(hits))
