"""Cache keys and the result cache: a block re-runs only when something it depends on changed."""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import os
import platform
import threading
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


@lru_cache(maxsize=8192)  # a pure function of the code: parsed once per process (serve rebuilds)
def _imported_modules(code: str) -> frozenset[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return frozenset(n for n in names if n == PACKAGE or n.startswith(PACKAGE + "."))


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


def result_key(block: Block, earlier: list[Block], device: str) -> str:
    """The key of a block's cached result: :func:`key` plus the page and the block's position.

    Two pages with the same code do not share a result: a traceback names its page and line, and a
    result is only ever the one its own page produced. The position (the block's index among the
    page's executable blocks) is in the key; its line is recorded in the entry but not keyed, so prose
    added above a block does not re-run it.
    """
    placed = {"content": key(block, earlier, device), "page": block.page, "index": block.index}
    return hashlib.sha256(json.dumps(placed, sort_keys=True).encode()).hexdigest()[:32]


def record_key(block: Block, earlier: list[Block], device: str) -> str:
    """The key of a committed run record (GPU or torch tier): the code, options and package modules
    only. A reader's build without torch (or with other versions) still matches the record of
    unchanged code; the record itself names the versions it ran with."""
    return key(block, earlier, device, env={})


@lru_cache(maxsize=4096)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_digest(rel: str) -> str | None:
    """Digest of a repository file now (None: it is gone); memoised while the file is unchanged."""
    path = ROOT / rel
    try:
        st = path.stat()
        return _file_digest(path, st.st_mtime_ns, st.st_size)
    except OSError:
        return None


def repository_modules(paths: list) -> dict[str, str]:
    """The repository modules a worker reported importing, with their digests.

    Only plain relative paths of existing files below the repository (not the virtual environment,
    whose libraries are in :func:`environment`) are kept: the list came from the sandbox.
    """
    found = {}
    for rel in paths if isinstance(paths, list) else []:
        if not isinstance(rel, str) or rel.startswith(("/", ".")) or ".." in rel.split("/") or "site-packages" in rel:
            continue
        digest = file_digest(rel)
        if digest:
            found[rel] = digest
    return found


def load(k: str, block: Block) -> dict | None:
    """The cached result for key ``k``, or None when there is none or the entry does not check out:
    it must name this key, this page and this block's position, and every repository module the block
    imported when it ran (found at run time, not guessed from its imports) must be unchanged."""
    path = CACHE_DIR / f"{k}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or (entry.get("key"), entry.get("page"), entry.get("index")) != (k, block.page, block.index):
        return None
    modules = entry.get("modules")
    if not isinstance(modules, dict) or any(file_digest(rel) != digest for rel, digest in modules.items()):
        return None
    result = entry.get("result")
    return result if isinstance(result, dict) else None


def store(k: str, block: Block, result: dict, modules: dict[str, str]) -> None:
    """Write an entry (by the runner only: the cache folder is not visible inside the sandbox)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    entry = {"key": k, "page": block.page, "index": block.index, "line": block.line, "modules": modules,
             "result": result}
    tmp = CACHE_DIR / f".{k}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    tmp.replace(CACHE_DIR / f"{k}.json")
