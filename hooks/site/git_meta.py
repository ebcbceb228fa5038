"""Page history from git: when each note last changed and who wrote it, read once per build.

The whole docs tree costs two git processes per build, whatever the number of notes:

1. ``git rev-parse --is-shallow-repository --git-path shallow`` — are we in a work tree at all,
   and is its history cut off (a CI checkout with ``fetch-depth: 1``)?
2. ``git log --name-only -- .`` run in the docs folder — every commit that touched a note, newest
   first, with the files it touched. The first commit that lists a file is its last change; the
   authors of all the commits that list it are its contributors.

Why one ``git log`` and not one per page: a vault of 3,000 notes would start 3,000 git processes,
each walking the history again, and that alone would take longer than rendering the site.

Shallow clones. Git treats a commit at the shallow boundary as a root commit, so it lists every
file of its tree as if the file had been created there. For such a file the boundary's date is
only an upper bound on its last change, and its earlier authors are unknown; the page says so
("不晚于 …", "… 等") instead of presenting the boundary as the truth.

Dates are committer dates, shown as the day in the committer's own time zone. Committer dates,
unlike author dates, grow along a branch (a rebase or cherry-pick re-dates them), which is what
makes "no later than the boundary" a true statement in a shallow clone.

Names are the author names after ``.mailmap``; e-mail addresses are never shown. A renamed note
keeps only the history since its rename (following renames would need one ``git log --follow``
per file, which is exactly what this module avoids).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.llm_kb.git")

# Separators that cannot occur in a name, a date or a hash: the record separator opens a commit,
# the unit separator splits its fields. File names come NUL-terminated (-z), so spaces, newlines and
# CJK names need no unquoting; only a name containing the control character U+001E would confuse it.
_COMMIT = "\x1e"
_FIELD = "\x1f"
_FORMAT = f"{_COMMIT}%H{_FIELD}%cI{_FIELD}%aN"

# Variables that point git at some other repository. A build started from a git hook (pre-commit,
# for one) inherits GIT_DIR of that hook's repository; the docs folder must decide for itself.
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
                         "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE")

UNCOMMITTED = "未提交"
NO_LATER_THAN = "不晚于"
AND_OTHERS = "等"


@dataclass(frozen=True)
class PageHistory:
    """What git knows about one note, ready for the page template (partials/source-file.html)."""

    committed: bool
    updated: dt.date | None = None
    upper_bound: bool = False  # shallow clone: the note last changed on ``updated`` or earlier
    contributors: tuple[str, ...] = ()
    contributors_complete: bool = True  # False when older commits are cut off by a shallow clone

    @property
    def updated_label(self) -> str:
        """The date as the page shows it: ``2024-03-05``, ``不晚于 2024-03-05`` or ``未提交``."""
        if not self.committed or self.updated is None:
            return UNCOMMITTED
        day = self.updated.isoformat()
        return f"{NO_LATER_THAN} {day}" if self.upper_bound else day

    @property
    def contributors_label(self) -> str:
        """The names, comma-separated as Material writes them, ``等`` when the list is partial."""
        names = ", ".join(self.contributors)
        return f"{names} {AND_OTHERS}" if names and not self.contributors_complete else names


@dataclass
class _FileLog:
    """One file's entry while the log is read (newest commit first)."""

    updated: dt.date
    updated_is_bound: bool  # the last commit seen is the shallow boundary: the date is an upper bound
    authors: Counter[str] = field(default_factory=Counter)
    first_seen: dict[str, int] = field(default_factory=dict)  # author -> index of their newest commit
    reaches_boundary: bool = False


@dataclass
class History:
    """The git history of one docs folder. ``available`` is False outside a git work tree."""

    available: bool = False
    shallow: bool = False
    files: dict[str, _FileLog] = field(default_factory=dict)  # path relative to the docs folder

    def for_page(self, src_uri: str) -> PageHistory | None:
        """History of a note (``src_uri`` relative to the docs folder); None outside git."""
        if not self.available:
            return None
        entry = self.files.get(src_uri)
        if entry is None:
            return PageHistory(committed=False)
        # Most commits first; among equals, whoever touched the note most recently.
        names = sorted(entry.authors, key=lambda name: (-entry.authors[name], entry.first_seen[name]))
        return PageHistory(committed=True, updated=entry.updated, upper_bound=entry.updated_is_bound,
                           contributors=tuple(names), contributors_complete=not entry.reaches_boundary)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env["LC_ALL"] = "C"  # error messages in the log stay greppable whatever the machine's locale
    return subprocess.run(["git", "-c", "log.showSignature=false", *args], cwd=cwd, env=env,
                          capture_output=True, check=False)


def parse_log(output: bytes, boundary: set[str]) -> dict[str, _FileLog]:
    """Map each file of a ``git log -z --format=_FORMAT --name-only`` output to its history."""
    files: dict[str, _FileLog] = {}
    text = output.decode("utf-8", errors="surrogateescape")
    for index, chunk in enumerate(text.split(_COMMIT)[1:]):
        # A commit is "hash<US>date<US>name\0\n" followed by "path\0" for every file it touched.
        header, _, names = chunk.partition("\0")
        fields = header.split(_FIELD, 2)
        if len(fields) != 3:  # not one of our headers: nothing to learn from it
            continue
        sha, date, author = fields
        at_boundary = sha in boundary
        day = dt.datetime.fromisoformat(date).date()
        for path in names.lstrip("\n").split("\0"):
            if not path:
                continue
            entry = files.get(path)
            if entry is None:  # the log runs newest first: the first commit seen is the last change
                entry = files[path] = _FileLog(updated=day, updated_is_bound=at_boundary)
            if at_boundary:
                # The boundary lists every file of its tree, changed there or not: its author is
                # not known to have touched this file, and older history is missing.
                entry.reaches_boundary = True
                continue
            entry.authors[author] += 1
            entry.first_seen.setdefault(author, index)
    return files


def read_history(docs_dir: Path) -> History:
    """Read the history of every file under ``docs_dir`` with one ``git log``; never raises."""
    try:
        probe = _git(["rev-parse", "--is-shallow-repository", "--git-path", "shallow"], docs_dir)
    except OSError as error:  # git itself is missing
        log.info(f"page dates: git is not available ({error}); pages show no dates")
        return History()
    if probe.returncode != 0:
        reason = probe.stderr.decode("utf-8", errors="replace").strip().splitlines()
        log.info(f"page dates: {docs_dir} is not in a git work tree"
                 f" ({reason[0] if reason else 'git rev-parse failed'}); pages show no dates")
        return History()
    answers = probe.stdout.decode("utf-8", errors="replace").splitlines()
    shallow = len(answers) == 2 and answers[0].strip() == "true"  # older gits echo the unknown flag
    boundary: set[str] = set()
    if shallow:
        path = docs_dir / answers[1].strip()  # relative to docs_dir, or absolute
        boundary = set(path.read_text(encoding="ascii").split()) if path.is_file() else set()
    result = _git(["log", "-z", "--no-color", f"--format={_FORMAT}", "--name-only", "--relative",
                   "--", "."], docs_dir)
    if result.returncode != 0:
        # A work tree without a single commit yet: every note is uncommitted, not an error.
        return History(available=True, shallow=shallow)
    history = History(available=True, shallow=shallow, files=parse_log(result.stdout, boundary))
    if shallow:
        bounded = sum(1 for entry in history.files.values() if entry.updated_is_bound)
        log.info(f"page dates: shallow clone; {bounded} of {len(history.files)} files last changed at or before"
                 " the oldest fetched commit are dated '不晚于' it (fetch the full history for exact dates)")
    return history
