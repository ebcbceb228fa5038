"""Shared test helpers: render a note through the site's real Markdown pipeline, build a vault."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
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


def write_vault(root: Path, notes: dict[str, str | bytes]) -> Path:
    docs = root / "docs"
    for rel, content in notes.items():
        f = docs / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return docs


def build_vault(root: Path, notes: dict[str, str | bytes] | None = None, strict: bool = True,
                docs: Path | None = None, env: dict | None = None, site_url: str | None = None
                ) -> subprocess.CompletedProcess:
    """Build a vault with the site's real configuration (hooks, theme, extensions) into root/site."""
    if docs is None:
        docs = write_vault(root, notes or {})
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^docs_dir: .*$", f"docs_dir: {docs}", text, flags=re.M)
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = text.replace("  - hooks/mkdocs_hooks.py", f"  - {ROOT / 'hooks' / 'mkdocs_hooks.py'}")
    text = text.replace("paths: [.]", f"paths: [{ROOT}]")
    if site_url:
        text = re.sub(r"^site_url: .*$", f"site_url: {site_url}", text, flags=re.M)
    config = root / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    cmd = [str(MKDOCS), "build", "-f", str(config), "-d", str(root / "site")] + (["--strict"] if strict else [])
    return subprocess.run(cmd, capture_output=True, text=True, cwd=root,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                               "LLM_KB_EXAMPLES_CACHE": str(root / "cache"), **(env or {})})
