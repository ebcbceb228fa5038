"""Running the blocks a build needs: cache lookups, then sandboxed workers (a few pages each) in parallel."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from hooks.examples import cache, sandbox
from hooks.examples.blocks import Block
from hooks.examples.worker import IMAGE_CAP, IMAGE_TYPES, MESSAGE_LIMIT, OUTPUT_CAP, TIMEOUT_GRACE

log = logging.getLogger("mkdocs.plugins.llm_kb.examples")
MEMORY_MB = int(os.environ.get("LLM_KB_EXAMPLE_MEMORY_MB", "4096"))


@dataclass
class Result:
    status: str  # passed | failed | skipped | frozen
    runner: str  # cpu | gpu | interpreter (Triton on CPU) | torch (PyTorch on CPU)
    stdout: str = ""
    error: str = ""
    exports: dict = field(default_factory=dict)
    images: list = field(default_factory=list)  # [{"name", "mime", "data" (base64)}]
    seconds: float = 0.0
    env: dict = field(default_factory=dict)
    date: str = ""
    cached: bool = False


@dataclass
class Stats:
    ran: int = 0
    cached: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"examples: {self.ran} ran, {self.cached} cached, {self.skipped} skipped, "
                f"{self.failed} failed ({self.seconds:.1f} s)")


def gpu_device() -> str | None:
    """The build machine's GPU name, or None. Asked of nvidia-smi so torch is never imported here."""
    if os.environ.get("LLM_KB_NO_GPU") or not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    name = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""
    return name or None


def torch_available() -> bool:
    """Whether the optional torch tier is installed (LLM_KB_NO_TORCH hides it, for tests)."""
    return not os.environ.get("LLM_KB_NO_TORCH") and cache.environment()["torch"] != "absent"


def runner_for(block: Block, device: str | None) -> str | None:
    """Which runner executes a block here: cpu, gpu, interpreter (Triton on CPU), torch (PyTorch on
    the CPU), or None (shown from the committed record, or skipped)."""
    if block.runner == "cpu":
        return "cpu"
    if block.runner == "torch":
        return "torch" if torch_available() else None
    if block.runner == "gpu":
        if device:
            return "gpu"
        if not torch_available():
            return None
        # The CPU path CI runs: Triton code through Triton's interpreter, other code with torch on the CPU.
        if "triton" in block.code:
            return "interpreter" if cache.environment()["triton"] != "absent" else None
        return "torch"
    return None


def _groups(blocks: list[Block]) -> list[list[Block]]:
    """Blocks that share a session run together, in order; every other block runs alone."""
    sessions: dict[str, list[Block]] = {}
    groups: list[list[Block]] = []
    for b in blocks:
        if b.session:
            if b.session not in sessions:
                sessions[b.session] = []
                groups.append(sessions[b.session])
            sessions[b.session].append(b)
        else:
            groups.append([b])
    return groups


MAX_TIMEOUT = float(os.environ.get("LLM_KB_EXAMPLE_MAX_TIMEOUT", "600"))
# Seconds for the worker's start and its results beyond the blocks' time limits: the last resort.
# The worker's supervisor kills a block TIMEOUT_GRACE s after its limit, and a loop in C code dies
# at its CPU limit; this must come later even on a loaded machine, where CPU seconds take longer.
WORKER_GRACE = 30


def limits(group: list[Block]) -> tuple[list[float], int]:
    """Each block's time limit and the group's memory limit, from the blocks' options.

    A note may lower a limit but never raise it past the build machine's (a note that could set
    memory="30000" or timeout="1e9" would have no limit at all); a value that is not a number is the
    note's error, reported at its line, never an exception that stops the build.
    """
    timeouts = []
    for b in group:
        try:
            timeout = float(b.options.get("timeout", 60))
        except ValueError:
            raise ValueError(f'timeout="{b.options["timeout"]}" is not a number of seconds') from None
        if not 0 < timeout < float("inf"):
            raise ValueError(f'timeout="{b.options["timeout"]}" must be a positive number of seconds')
        timeouts.append(min(timeout, MAX_TIMEOUT))
    try:
        memory = int(group[0].options.get("memory", MEMORY_MB))
    except ValueError:
        raise ValueError(f'memory="{group[0].options["memory"]}" is not a whole number of MB') from None
    return timeouts, max(1, min(memory, MEMORY_MB))


# Pages one worker runs at most (one sandbox, one interpreter and NumPy import): 1 gives every page
# its own sandbox. Otherwise a build starts one worker per core (LLM_KB_EXAMPLE_WORKERS overrides) (more only for a vault of thousands
# of pages), because each start costs about 0.3 s of CPU: on 2 cores, 48 workers of 3 pages spent
# 21 s in the examples stage of a cold build, 9 of 16 pages 15.5 s, 2 of 71 pages 13.6 s.
PAGES_PER_WORKER = max(1, int(os.environ.get("LLM_KB_EXAMPLE_PAGES_PER_WORKER", "100")))


def worker_batches(pages: list, workers: int, per_worker: int) -> list[list]:
    """Pages dealt round-robin to max(workers, pages / per_worker) workers (never more than the pages).

    Dealt, not cut in runs: neighbouring notes of one section tend to be alike in cost (the vector
    database and MoE notes run seconds, most run milliseconds), so dealing spreads the heavy ones."""
    n = min(len(pages), max(workers, -(-len(pages) // per_worker)))
    return [pages[i::n] for i in range(n)] if n else []
# Bytes one worker may send back in total (every block's output and images): its supervisor allows
# a group MESSAGE_LIMIT, so more can only come from a worker that no longer does what it should.
RESULTS_SLACK = 2**20
LOG_TAIL = 2000  # characters of the worker's own stderr shown when it crashed
IMAGE_MIMES = frozenset(IMAGE_TYPES.values())


def _text(value, cap: int) -> str:
    return value[:cap] if isinstance(value, str) else ""


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")


def checked(message: dict) -> dict:
    """A block's result as the worker sent it, reduced to what the page may show: a known status,
    capped text, finite numbers under identifier names, images of the known types. The worker ran a
    note's code, so nothing it sends is trusted."""
    status = message.get("status")
    images = []
    for image in message.get("images") if isinstance(message.get("images"), list) else []:
        if (isinstance(image, dict) and image.get("mime") in IMAGE_MIMES and isinstance(image.get("data"), str)
                and len(image["data"]) <= IMAGE_CAP * 4 // 3 + 4 and re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", image["data"])):
            images.append({"name": os.path.basename(_text(image.get("name"), 200)), "mime": image["mime"],
                           "data": image["data"]})
    exports = message.get("exports") if isinstance(message.get("exports"), dict) else {}
    return {
        "status": status if status in ("passed", "failed") else "failed",
        "stdout": _text(message.get("stdout"), OUTPUT_CAP + 200),
        "error": _text(message.get("error"), 20_000) or ("" if status in ("passed", "failed") else
                                                         "the worker sent a malformed result"),
        "exports": {k: v for k, v in exports.items() if isinstance(k, str) and k.isidentifier() and _number(v)},
        "images": images,
        "seconds": message["seconds"] if _number(message.get("seconds")) and message["seconds"] >= 0 else 0.0,
        "modules": [m for m in message.get("modules", []) if isinstance(m, str)][:1000]
        if isinstance(message.get("modules"), list) else [],
    }


def _log_tail(log) -> str:
    log.seek(0, os.SEEK_END)
    log.seek(max(0, log.tell() - LOG_TAIL))
    return log.read().decode("utf-8", "replace").strip()


def _job(groups: list[list[Block]], runner: str, workdir: str, isolated: bool, channel: int) -> dict:
    return {
        "workdir": workdir,
        "isolated": isolated,
        "channel": channel,
        "allow_subprocess": runner == "gpu",  # CUDA toolchains spawn compilers
        "allow_native": runner != "cpu",  # torch and Triton look up native symbols through ctypes
        "repo": str(cache.ROOT),
        "preload": _preload(groups, runner),
        "groups": [{"session": bool(group[0].session), "memory_mb": memory,
                    "blocks": [{"code": b.code, "line": b.line, "filename": f"docs/{b.page}", "timeout": t}
                               for b, t in zip(group, timeouts)]}
                   for group, (timeouts, memory) in groups],
    }


def _preload(groups: list[tuple[list[Block], tuple[list[float], int]]], runner: str) -> list[str]:
    """What the worker imports once before it forks a child per group ("module" or "module:attribute",
    the attribute loading a lazy package's part): NumPy where a block (or a repository module it may
    import) uses it, so a page of plain arithmetic does not pay for it. On the CPU tiers of torch and
    Triton, those too, and transformers' model base and peft where a page uses them: otherwise every
    block pays 3 s of CPU for torch and 5 more for transformers (a cold build with the torch tier
    spent 56 s in the examples stage, 27 s with these, on 2 cores). Importing them starts no thread and touches no
    device, so a fork starts from the state a fresh import gives, default random seeds included.
    Never on a GPU: CUDA must not be initialised before a fork."""
    code = [b.code for group, _ in groups for b in group]
    uses = lambda *words: any(w in c for c in code for w in words)  # noqa: E731
    out = ["numpy"] if runner != "cpu" or uses("numpy", "executable_examples") else []
    if runner in ("torch", "interpreter"):
        out.append("torch")
        if runner == "interpreter":
            out.append("triton")
        if uses("transformers", "executable_examples.reference", "from executable_examples import reference"):
            out.append("transformers:PreTrainedModel")
        if uses("peft"):
            out.append("peft")
    return out


def _environment(runner: str, workdir: str, isolated: bool) -> dict[str, str]:
    # Inside the sandbox only the system's folders exist: a PATH naming the build's own is no use there.
    path = f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin" if isolated else os.environ.get("PATH", "/usr/bin:/bin")
    env = {
        "PATH": path,
        "HOME": workdir,
        "TMPDIR": workdir,
        "PYTHONPATH": str(cache.ROOT),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # keep old-OpenBLAS workarounds
        if name in os.environ:
            env[name] = os.environ[name]
    if runner in ("interpreter", "torch"):
        env["TRITON_INTERPRET"] = "1"  # a torch block may call a Triton kernel on CPU tensors too
    return env


def execute_groups(groups: list[list[Block]], runner: str) -> list[list[dict]]:
    """Run groups (of one or more pages) in one sandboxed worker; one checked result per block of each group.

    The worker sends its results over a pipe (never a file it could swap for a link), at most
    MESSAGE_LIMIT bytes a group in all; its stderr goes to an unnamed file of this process. Where bubblewrap
    works the worker runs inside it (hooks/examples/sandbox.py); otherwise in a private temporary
    folder with the guard rail only, or not at all when LLM_KB_REQUIRE_SANDBOX=1 refuses that.
    """
    out: list[list[dict] | None] = [None] * len(groups)
    runnable = []
    for i, group in enumerate(groups):
        try:
            runnable.append((i, group, limits(group)))
        except ValueError as exc:
            out[i] = [{"status": "failed", "error": str(exc)} for _ in group]
    status = sandbox.announce()
    if status.refused:
        for i, group, _ in runnable:
            out[i] = [{"status": "failed", "error": "not run: LLM_KB_REQUIRE_SANDBOX=1 and the sandbox is "
                       f"unavailable ({status.detail.split(': examples run')[0]})"} for _ in group]
        runnable = []
    if runnable:
        for i, raw in zip([i for i, _, _ in runnable], _run_worker([(g, lim) for _, g, lim in runnable], runner, status.isolated)):
            out[i] = raw
    return [[checked(r) for r in raw] for raw in out]


def _run_worker(groups: list[tuple[list[Block], tuple[list[float], int]]], runner: str, isolated: bool) -> list[list[dict]]:
    results: list[list[dict | None]] = [[None] * len(g) for g, _ in groups]
    workdir = sandbox.WORKDIR if isolated else tempfile.mkdtemp(prefix="llm-kb-example-")
    read_end, write_end = os.pipe()
    hard_limit = sum(sum(t) + TIMEOUT_GRACE * len(t) for _, (t, _) in groups) + WORKER_GRACE
    problem = ""
    try:
        job = _job(groups, runner, workdir, isolated, write_end)
        argv = [sys.executable, "-m", "hooks.examples.worker"]
        if isolated:
            argv = sandbox.command(argv, cache.CACHE_DIR, runner)
        with tempfile.TemporaryFile() as log:
            # Output the worker writes around its capture (os.write(1, …)) goes to this unnamed file,
            # which it cannot grow past RLIMIT_FSIZE, never into this process's memory.
            proc = subprocess.Popen(argv, env=_environment(runner, workdir, isolated), cwd=workdir if not isolated else None,
                                    stdin=subprocess.PIPE, stdout=log, stderr=log, pass_fds=(write_end,),
                                    start_new_session=True)
            os.close(write_end)
            write_end = -1
            try:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.write(json.dumps(job).encode("utf-8"))
                    proc.stdin.close()
                problem = _receive(read_end, results, time.monotonic() + hard_limit, hard_limit,
                                   MESSAGE_LIMIT * len(groups) + RESULTS_SLACK)
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the sandbox (its PID namespace dies with it) or the worker
                proc.wait()
            if any(r is None for group in results for r in group):
                problem = problem or f"the worker crashed: {_log_tail(log) or f'exit status {proc.returncode}'}"
    finally:
        for fd in (read_end, write_end):
            if fd >= 0:
                os.close(fd)
        if not isolated:
            shutil.rmtree(workdir, ignore_errors=True)
    return [[r if r is not None else {"status": "failed", "error": problem} for r in group] for group in results]


def _receive(fd: int, results: list[list[dict | None]], deadline: float, hard_limit: float, cap: int) -> str:
    """Read the worker's result lines into ``results`` until it closes the pipe; a problem, or ''."""
    received, buffer = 0, b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"the worker did not finish within {hard_limit:g} s and was killed"
            if not selector.select(left):
                continue
            data = os.read(fd, 1 << 16)
            if not data:
                return ""
            received += len(data)
            if received > cap:
                return f"the worker sent more than {cap / 2**20:.0f} MB of results and was killed"
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                    g, j = message["group"], message["result"]
                    if results[g][j] is None:
                        results[g][j] = message
                except (ValueError, KeyError, TypeError, IndexError):
                    return "the worker sent a malformed result and was killed"


def execute(group: list[Block], runner: str) -> list[dict]:
    """Run one group alone (the GPU record does this); one checked result per block."""
    return execute_groups([group], runner)[0]


def _matching_record(records: dict | None, block: Block, earlier: list[Block]) -> bool:
    frozen = (records or {}).get(f"{block.page}#{block.block_id}")
    return bool(frozen) and frozen.get("key") == cache.record_key(block, earlier, frozen.get("device", ""))


def run_all(blocks_by_page: dict[str, list[Block]], gpu_record: dict | None = None,
            jobs: int | None = None) -> tuple[dict[tuple[str, int], Result], Stats]:
    """Results for every block, keyed by (page, index). Runs only what the cache lacks: the groups that
    missed, a few pages per sandboxed worker, workers in parallel.

    ``gpu_record``: the committed run records (GPU and torch tier) by ``page#block-id``; a block
    this machine cannot run is shown from its record while the code still matches it."""
    device = gpu_device()
    stats, results = Stats(), {}
    todo: dict[tuple[str, str], list[tuple[list[Block], list[str]]]] = {}
    started = time.perf_counter()
    fields = set(Result.__dataclass_fields__) - {"cached"}
    for page, blocks in blocks_by_page.items():
        for group in _groups(blocks):
            runner = runner_for(group[0], device)
            matching = [_matching_record(gpu_record, b, group[:i]) for i, b in enumerate(group)]
            # Without a GPU, a GPU block whose record matches shows the GPU's result; its CPU path
            # (torch or Triton's interpreter) runs in tests/test_note_examples.py, and here otherwise.
            if runner is None or (group[0].runner == "gpu" and runner != "gpu" and all(matching)):
                for i, b in enumerate(group):
                    frozen = (gpu_record or {}).get(f"{b.page}#{b.block_id}")
                    if matching[i]:
                        results[(page, b.index)] = Result("frozen", b.runner, frozen.get("stdout", ""),
                                                          exports=frozen.get("exports", {}), env=frozen.get("env", {}),
                                                          date=frozen.get("date", ""))
                    else:
                        results[(page, b.index)] = Result("skipped", b.runner or "gpu",
                                                          error="stale run record: the code changed since" if frozen else "")
                    stats.skipped += 1
                continue
            keys = [cache.result_key(b, group[:i], device if runner == "gpu" else runner) for i, b in enumerate(group)]
            hits = [cache.load(k, b) for k, b in zip(keys, group)]
            if all(hits):
                for b, hit in zip(group, hits):
                    results[(page, b.index)] = Result(**{k: v for k, v in hit.items() if k in fields}, cached=True)
                stats.cached += len(group)
            else:
                todo.setdefault((page, runner), []).append((group, keys))
    # A worker takes several pages (PAGES_PER_WORKER) of one runner: it pays for an interpreter and
    # NumPy once, and its supervisor separates the pages (see hooks/examples/worker.py).
    # Without the OS sandbox nothing but the guard rail stands between pages that share a worker, so
    # each page then gets its own.
    per_worker = PAGES_PER_WORKER if todo and sandbox.probe().isolated else 1
    workers = jobs or int(os.environ.get("LLM_KB_EXAMPLE_WORKERS", "0")) or os.cpu_count() or 2
    batches: list[tuple[str, list[tuple[list[Block], list[str]]]]] = []
    for kind in sorted({runner for _, runner in todo}):
        pages = [items for (_, runner), items in todo.items() if runner == kind]
        for batch in worker_batches(pages, workers if per_worker > 1 else len(pages), per_worker):
            batches.append((kind, [item for items in batch for item in items]))
    if todo:
        log.info(f"examples: running {sum(len(g) for items in todo.values() for g, _ in items)} blocks "
                 f"of {len(todo)} pages in {len(batches)} workers")
    today = dt.date.today().isoformat()
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(execute_groups, [g for g, _ in items], runner): (items, runner)
                   for runner, items in batches}
        for future in as_completed(futures):
            items, runner = futures[future]
            env = {**cache.environment(), "device": gpu_device() if runner == "gpu" else "cpu"}
            for (group, keys), raws in zip(items, future.result()):
                for b, k, raw in zip(group, keys, raws):
                    result = Result(raw["status"], runner, raw["stdout"], raw["error"], raw["exports"], raw["images"],
                                    raw["seconds"], env, today)
                    results[(b.page, b.index)] = result
                    stats.ran += 1
                    if result.status == "passed":
                        cache.store(k, b, {k2: v for k2, v in result.__dict__.items() if k2 != "cached"},
                                    cache.repository_modules(raw["modules"]))
            done += 1
            if len(batches) > 20 and done % 20 == 0:
                log.info(f"examples: {done}/{len(batches)} workers done")
    stats.failed = sum(1 for r in results.values() if r.status == "failed")
    stats.seconds = time.perf_counter() - started
    return results, stats
