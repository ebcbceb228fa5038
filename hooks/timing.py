"""Where one build spends its time, stage by stage.

The hooks open and close stages (``timing.start("markdown")`` … ``timing.stop("markdown")``,
summed over pages); at the end of the build one log line gives every stage, and when the
environment variable ``LLM_KB_TIMINGS`` names a file the figures are written there as JSON
(``benchmarks/build_time.py`` reads them). "other" is what MkDocs does between our hooks:
reading sources, writing pages, copying static files.

Some work inside a stage is timed on its own (``with timing.part("math (KaTeX)"):``): the cost of
one feature, e.g. build-time math or the CommonMark block layer inside "markdown", read off one build
instead of two builds on a noisy machine. Parts are printed after the stages and are not added to
the total.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from time import perf_counter

log = logging.getLogger("mkdocs.llm_kb.timing")

_began = 0.0
_open: dict[str, float] = {}
_seconds: dict[str, float] = {}
_counts: dict[str, int] = {}
_parts: dict[str, float] = {}


def begin_build() -> None:
    global _began
    _began = perf_counter()
    _open.clear()
    _seconds.clear()
    _counts.clear()
    _parts.clear()


def start(stage: str) -> None:
    _open[stage] = perf_counter()


def stop(stage: str) -> None:
    began = _open.pop(stage, None)
    if began is not None:
        _seconds[stage] = _seconds.get(stage, 0.0) + perf_counter() - began


@contextlib.contextmanager
def part(name: str):
    """Time a piece of work inside a stage (summed over calls); reported apart, not in the total."""
    began = perf_counter()
    try:
        yield
    finally:
        _parts[name] = _parts.get(name, 0.0) + perf_counter() - began


def count(name: str, value: int) -> None:
    """A figure of the build besides time (e.g. examples executed), for the JSON record."""
    _counts[name] = _counts.get(name, 0) + value


def finish_build() -> dict[str, float]:
    """Log the stages of the build that just ended (and write them where LLM_KB_TIMINGS says)."""
    total = perf_counter() - _began if _began else 0.0
    figures = {**_seconds, "other": max(0.0, total - sum(_seconds.values())), "total": total}
    within = f" (of which {' · '.join(f'{n} {s:.2f} s' for n, s in _parts.items())})" if _parts else ""
    log.info("build stages: " + " · ".join(f"{name} {secs:.2f} s" for name, secs in figures.items()) + within)
    target = os.environ.get("LLM_KB_TIMINGS")
    if target:
        Path(target).write_text(json.dumps({"seconds": figures, "parts": _parts, "counts": _counts}), encoding="utf-8")
    return figures
