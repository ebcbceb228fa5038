"""One place that reports problems as ``file:line: message``.

The build (through MkDocs' logger, so ``--strict`` turns warnings into a failed build) and the note
linter (``make check``) both report through here, so they say the same thing in the same words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("mkdocs.plugins.llm_kb")


@dataclass(frozen=True)
class Problem:
    """A problem in a note: where it is, what is wrong, and what to do about it."""

    path: str  # relative to the vault root (docs/), forward slashes
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    hint: str = ""
    level: str = "error"  # "error" or "warning"

    def format(self, prefix: str = "docs/") -> str:
        where = f"{prefix}{self.path}:{self.line}" if self.line else f"{prefix}{self.path}"
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}: {self.message}{hint}"


def report(problem: Problem) -> None:
    """Log a problem during the build: errors and warnings both fail ``mkdocs build --strict``."""
    if problem.level == "error":
        log.error(problem.format())
    else:
        log.warning(problem.format())
