"""Cache keys and the result cache: a block re-runs only when something it depends on changed."""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import os
import platform
from functools import lru_cache
from pathlib import Path

from hooks.examples.blocks import Block

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "executable_examples"
CACHE_DIR = Path(os.environ.get("LLM_KB_EXAMPLES_CACHE", ROOT / ".cache" / "examples"))


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    """What a result depends on besides the code: interpreter and library versions."""
    return {
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "triton": _version("triton"),
    }


def _imported_modules(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


def _module_file(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=None)
def module_digest(name: str) -> str:
    """Hash of a package module's source and, transitively, of the package modules it imports."""
    seen: set[Path] = set()
    digest = hashlib.sha256()
    todo = [name]
    while todo:
        path = _module_file(todo.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        source = path.read_text(encoding="utf-8")
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + source.encode())
        todo.extend(_imported_modules(source))
        todo.append(".".join(path.relative_to(ROOT).with_suffix("").parts[:-1]))  # the parent package
    return digest.hexdigest()


def key(block: Block, earlier: list[Block], device: str, env: dict | None = None) -> str:
    """The cache key of a block: everything its result depends on (``env``: the library versions,
    by default this interpreter's)."""
    codes = [b.code for b in earlier] + [block.code]
    modules = sorted(set().union(*(_imported_modules(c) for c in codes)))
    payload = {
        "code": codes,
        "options": {k: v for k, v in sorted(block.options.items()) if k != "id"},
        "modules": {m: module_digest(m) for m in modules},
        "env": environment() if env is None else env,
        "device": device,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def record_key(block: Block, earlier: list[Block], device: str) -> str:
    """The key of a committed run record (GPU or torch tier): the code, options and package modules
    only. A reader's build without torch (or with other versions) still matches the record of
    unchanged code; the record itself names the versions it ran with."""
    return key(block, earlier, device, env={})


def load(k: str) -> dict | None:
    path = CACHE_DIR / f"{k}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(k: str, result: dict) -> None:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = CACHE_DIR / f".{k}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    tmp.replace(CACHE_DIR / f"{k}.json")
