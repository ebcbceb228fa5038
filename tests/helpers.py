"""Shared test helpers: render a note through the site's real Markdown pipeline, build a vault."""

from __future__ import annotations

import functools
import json
import http.server
import importlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import markdown
import yaml

from hooks import state
from hooks.vault import VaultIndex

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).parent / "mkdocs"


class _ConfigLoader(yaml.SafeLoader):
    pass


def _python_name(loader, suffix, node):
    module, _, attr = suffix.rpartition(".")
    return getattr(importlib.import_module(module), attr)


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)


def site_config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)


def markdown_setup() -> tuple[list, dict]:
    exts, configs = [], {}
    for entry in site_config()["markdown_extensions"]:
        if isinstance(entry, dict):
            (name, conf), = entry.items()
            exts.append(name)
            configs[name] = conf or {}
        else:
            exts.append(entry)
    return exts, configs


def render(text: str, path: str = "note.md", others: dict[str, str] | None = None) -> tuple[str, state.Build]:
    """Render one note (with optional other notes in the vault) the way the site does."""
    vault = VaultIndex()
    for p, t in {path: text, **(others or {})}.items():
        vault.add_note(p, t.encode("utf-8"))
    build = state.Build(vault)
    state.current = build
    state.markdown_config = markdown_setup()
    from hooks import frontmatter

    _, body = frontmatter.split(vault.notes[path].text, path)
    build.begin_page(path, body)
    exts, configs = state.markdown_config
    html = markdown.Markdown(extensions=exts, extension_configs=configs).convert(body)
    return html, build


def tex_of(el) -> str:
    """The TeX of a rendered ``.arithmatex`` element (BeautifulSoup) with its delimiters, ``\\(…\\)`` or
    ``\\[…\\]``: KaTeX keeps the source in its MathML annotation; a formula it rejected stays as code."""
    note = el.select_one("annotation[encoding='application/x-tex']")
    tex = note.get_text() if note is not None else el.get_text()
    display = el.select_one(".katex-display, [data-display='block']") is not None
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


# Debian's chromium, driven by playwright; the flags keep it from calling any other host.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch_chromium(playwright):
    assert shutil.which("chromium") or Path(CHROMIUM).exists(), "install Debian's chromium (make browser-deps)"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_static(site: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A built site served on 127.0.0.1 (``port`` 0: any free one), in a background thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def write_vault(root: Path, notes: dict[str, str | bytes]) -> Path:
    docs = root / "docs"
    for rel, content in notes.items():
        f = docs / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return docs


def build_vault(root: Path, notes: dict[str, str | bytes] | None = None, strict: bool = True,
                docs: Path | None = None, env: dict | None = None, site_url: str | None = None,
                extra: dict | None = None) -> subprocess.CompletedProcess:
    """Build a vault with the site's real configuration (hooks, theme, extensions) into root/site."""
    if docs is None:
        docs = write_vault(root, notes or {})
    config = write_config(root, docs, site_url, extra)
    cmd = [str(MKDOCS), "build", "-f", str(config), "-d", str(root / "site")] + (["--strict"] if strict else [])
    return subprocess.run(cmd, capture_output=True, text=True, cwd=root,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                               "LLM_KB_EXAMPLES_CACHE": str(root / "cache"), **(env or {})})


def config_text(docs: Path, site_url: str | None = None, extra: dict | None = None) -> str:
    """The site's real mkdocs.yml with absolute paths, pointed at ``docs``; ``extra``: keys set in its extra:."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^docs_dir: .*$", f"docs_dir: {docs}", text, flags=re.M)
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = text.replace("  - hooks/mkdocs_hooks.py", f"  - {ROOT / 'hooks' / 'mkdocs_hooks.py'}")
    text = text.replace("paths: [.]", f"paths: [{ROOT}]")
    if site_url:
        text = re.sub(r"^site_url: .*$", f"site_url: {site_url}", text, flags=re.M)
    for key, value in (extra or {}).items():
        line = f"  {key}: {json.dumps(value)}"
        text, found = re.subn(rf"^  {re.escape(key)}: .*$", lambda _: line, text, count=1, flags=re.M)
        if not found:
            text = text.replace("\nextra:\n", f"\nextra:\n{line}\n", 1)
    return text


def write_config(root: Path, docs: Path, site_url: str | None = None, extra: dict | None = None) -> Path:
    """The site's real mkdocs.yml, pointed at a scratch vault, written to root/mkdocs.yml."""
    config = root / "mkdocs.yml"
    config.write_text(config_text(docs, site_url, extra), encoding="utf-8")
    return config


class Serve:
    """``mkdocs serve`` on a scratch vault, with its log read line by line as it comes."""

    def __init__(self, root: Path, docs: Path, *args: str, env: dict | None = None,
                 startup_timeout: float = 120) -> None:
        self.port = free_port()
        config = write_config(root, docs, site_url=f"http://127.0.0.1:{self.port}/")
        self.proc = subprocess.Popen(
            [str(MKDOCS), "serve", "-f", str(config), "-a", f"127.0.0.1:{self.port}", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=root,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(root / "cache"),
                 **(env or {})})
        self.lines: list[str] = []
        self.startup_timeout = startup_timeout
        self._new = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()

    def wait_for(self, text: str, after: int = 0, timeout: float = 120) -> int:
        """Index of the first log line from ``after`` on that contains ``text``."""
        import time

        deadline = time.monotonic() + timeout
        with self._new:
            while True:
                for i in range(after, len(self.lines)):
                    if text in self.lines[i]:
                        return i
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no '{text}' in the serve log:\n" + "\n".join(self.lines[-40:]))
                self._new.wait(min(left, 1.0))

    def get(self, path: str) -> str:
        from urllib.request import urlopen

        with urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=30) as r:
            return r.read().decode("utf-8")

    def __enter__(self) -> "Serve":
        self.wait_for("Serving on", timeout=self.startup_timeout)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
