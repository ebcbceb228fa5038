"""Running the blocks a build needs: cache lookups, then sandboxed workers, pages in parallel."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from hooks.examples import cache
from hooks.examples.blocks import Block
from hooks.examples.worker import FILE_SIZE_LIMIT

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
# The worker stops a block itself 2 s after its limit (watchdog), and a loop in C code by its CPU
# limit; this must come later even on a loaded machine, where CPU seconds take longer than wall ones.
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


def _stop_group(proc: subprocess.Popen) -> None:
    """Kill whatever is left in the worker's process group, then reap the worker.

    Called while the worker is still unreaped (running or a zombie), so its group id cannot have
    been reused by an unrelated process.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _wait_unreaped(proc: subprocess.Popen, seconds: float) -> bool:
    """Wait for the worker to exit without reaping it; False when it is still running after ``seconds``."""
    deadline, pause = time.monotonic() + seconds, 0.001
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return False


def _crash_reason(returncode: int, log_path: str) -> str:
    with open(log_path, "rb") as f:
        f.seek(max(0, os.path.getsize(log_path) - 2000))
        reason = f.read().decode("utf-8", "replace")
    if returncode < 0:
        why = {signal.SIGXCPU: "used more CPU time than its time limit allows",
               signal.SIGXFSZ: f"wrote a file larger than {FILE_SIZE_LIMIT // 2**20} MB",
               signal.SIGKILL: "memory or process limit?"}.get(-returncode, "")
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else str(-returncode)
        return f"killed by {name}" + (f" ({why})" if why else "") + (f"\n{reason}" if reason else "")
    return reason or f"exit status {returncode}"


def execute(group: list[Block], runner: str) -> list[dict]:
    """Run one group in a fresh sandboxed interpreter; return one raw result per block."""
    try:
        timeouts, memory_mb = limits(group)
    except ValueError as exc:
        return [{"status": "failed", "error": str(exc)} for _ in group]
    tmpdir = tempfile.mkdtemp(prefix="llm-kb-example-")
    try:
        job = {
            "session": bool(group[0].session),
            "tmpdir": tmpdir,
            "memory_mb": memory_mb,
            "allow_subprocess": runner == "gpu",  # CUDA toolchains spawn compilers
            "allow_native": runner != "cpu",  # torch and Triton look up native symbols through ctypes
            "repo": str(cache.ROOT),
            "blocks": [{"code": b.code, "line": b.line, "filename": f"docs/{b.page}", "timeout": t}
                       for b, t in zip(group, timeouts)],
        }
        job_path = os.path.join(tmpdir, "job.json")
        with open(job_path, "w", encoding="utf-8") as f:
            json.dump(job, f)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmpdir,
            "TMPDIR": tmpdir,
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
        hard_limit = sum(timeouts) + WORKER_GRACE
        log_path = os.path.join(tmpdir, "worker.log")
        # Output the worker writes around its capture (os.write(1, …)) goes to a file it cannot grow
        # past RLIMIT_FSIZE, never into this process's memory (a pipe read here would hold all of it).
        with open(log_path, "wb") as log_file:
            proc = subprocess.Popen([sys.executable, "-m", "hooks.examples.worker", job_path], env=env, cwd=tmpdir,
                                    stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                    start_new_session=True)
        finished = False
        try:
            finished = _wait_unreaped(proc, hard_limit)
        finally:
            _stop_group(proc)  # also what a block left behind (the GPU runner may start processes)
        if not finished:
            return [{"status": "failed", "error": f"the worker did not finish within {hard_limit:g} s and was killed"}
                    for _ in group]
        try:
            with open(job_path + ".out", encoding="utf-8") as f:
                results = json.load(f)
            if len(results) == len(group):
                return results
        except (OSError, ValueError):
            pass
        return [{"status": "failed", "error": f"the worker crashed: {_crash_reason(proc.returncode, log_path)}"}
                for _ in group]
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _matching_record(records: dict | None, block: Block, earlier: list[Block]) -> bool:
    frozen = (records or {}).get(f"{block.page}#{block.block_id}")
    return bool(frozen) and frozen.get("key") == cache.record_key(block, earlier, frozen.get("device", ""))


def run_all(blocks_by_page: dict[str, list[Block]], gpu_record: dict | None = None,
            jobs: int | None = None) -> tuple[dict[tuple[str, int], Result], Stats]:
    """Results for every block, keyed by (page, index). Runs only what the cache lacks.

    ``gpu_record``: the committed run records (GPU and torch tier) by ``page#block-id``; a block
    this machine cannot run is shown from its record while the code still matches it."""
    device = gpu_device()
    stats, results = Stats(), {}
    todo: list[tuple[list[Block], list[str], str]] = []
    started = time.perf_counter()
    for page, blocks in blocks_by_page.items():
        for group in _groups(blocks):
            runner = runner_for(group[0], device)
            keys = [cache.key(b, group[:i], device if runner == "gpu" else runner or "none")
                    for i, b in enumerate(group)]
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
            hits = [cache.load(k) for k in keys]
            if all(hits):
                for b, hit in zip(group, hits):
                    results[(page, b.index)] = Result(**{**hit, "cached": True})
                stats.cached += len(group)
            else:
                todo.append((group, keys, runner))
    if todo:
        log.info(f"examples: running {sum(len(g) for g, _, _ in todo)} blocks in {len(todo)} workers")
    today = dt.date.today().isoformat()
    done = 0
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        futures = {pool.submit(execute, group, runner): (group, keys, runner) for group, keys, runner in todo}
        for future in as_completed(futures):
            group, keys, runner = futures[future]
            for b, k, raw in zip(group, keys, future.result()):
                env = {**cache.environment(), "device": gpu_device() if runner == "gpu" else "cpu"}
                result = Result(raw.get("status", "failed"), runner, raw.get("stdout", ""), raw.get("error", ""),
                                raw.get("exports", {}), raw.get("images", []), raw.get("seconds", 0.0), env, today)
                results[(b.page, b.index)] = result
                stats.ran += 1
                if result.status == "passed":
                    cache.store(k, {k2: v for k2, v in result.__dict__.items() if k2 != "cached"})
            done += 1
            if len(todo) > 20 and done % 20 == 0:
                log.info(f"examples: {done}/{len(todo)} workers done")
    stats.failed = sum(1 for r in results.values() if r.status == "failed")
    stats.seconds = time.perf_counter() - started
    return results, stats
