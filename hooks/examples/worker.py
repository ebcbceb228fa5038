"""Runs one group of blocks (a page's session, or a lone block) inside a sandboxed process.

Started by :mod:`hooks.examples.runner` as ``python -m hooks.examples.worker JOB.json`` with a clean
environment, a private temporary working folder, its own session (process group), and resource
limits: address space (``RLIMIT_AS``), CPU time (``RLIMIT_CPU``), file size (``RLIMIT_FSIZE``), no core
files. Inside, an audit hook denies network access, subprocesses, signals to other processes, changes
to files outside the temporary folder, reading other processes' ``/proc`` entries (their environment
holds the build's secrets) and the repository's ``.git``, and native symbol lookups through ctypes
(CPU runner). A per-block alarm enforces the time limit; a block that swallows the timeout or ignores
the alarm is stopped by a watchdog thread. Output is captured up to a cap, and a block that keeps printing far beyond
it is stopped. Results go to ``JOB.json.out`` as JSON.

The audit hook is a guard rail against accidents and the common ways of doing harm, not a
sandbox: see "安全模型" in CONTRIBUTING.md for what runs where with which permissions.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import signal
import sys
import threading
import time
import traceback

OUTPUT_CAP = 64 * 1024  # characters of output kept and shown
OUTPUT_LIMIT = 1024 * 1024  # characters of output after which the block is stopped
FILE_SIZE_LIMIT = 64 * 2**20  # bytes: no file the worker writes may grow larger (RLIMIT_FSIZE)
TIMEOUT_GRACE = 2  # seconds a block gets past its timeout before the watchdog stops the worker
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
IMAGE_CAP = 2 * 2**20  # bytes per image shown on the page


class OutputLimit(Exception):
    pass


class CappedWriter(io.TextIOBase):
    """Keeps the first OUTPUT_CAP characters written; counts the rest; stops the block past OUTPUT_LIMIT."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, s: str) -> int:
        room = OUTPUT_CAP - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        if self.size + self.dropped > OUTPUT_LIMIT:
            raise OutputLimit()
        return len(s)

    def getvalue(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… output truncated ({self.dropped:,} more characters)"
        return text


class BlockTimeout(Exception):
    pass


# Events denied outright (frozen sets: code that reached them could not empty them).
NETWORK = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto",
                     "socket.sendmsg", "socket.gethostbyname", "socket.gethostbyaddr"})
PROCESSES = frozenset({"os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                       "subprocess.Popen"})
# Raising a limit back (root may raise hard limits too) and finding the hook's state through the gc.
LIMITS = frozenset({"resource.setrlimit", "resource.prlimit", "gc.get_objects", "gc.get_referrers",
                    "gc.get_referents", "os.killpg"})
# ctypes.CDLL(None).unlink(...) and the like: looking up a C function, or calling one by address.
NATIVE = frozenset({"ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function"})
# Events that change the file system: for each path argument, its position and the position of the
# dir_fd it is relative to (None: no dir_fd).
FS_CHANGES: dict[str, tuple[tuple[int, int | None], ...]] = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),), "os.rename": ((0, 2), (1, 3)),
    "os.chmod": ((0, 2),), "os.chown": ((0, 3),), "os.link": ((0, 2), (1, 3)), "os.symlink": ((1, 2),),
    "os.truncate": ((0, None),), "os.utime": ((0, 3),), "os.setxattr": ((0, None),),
    "os.removexattr": ((0, None),), "os.chflags": ((0, None),), "os.lchflags": ((0, None),),
    "shutil.rmtree": ((0, None),), "shutil.move": ((0, None), (1, None)), "shutil.chown": ((0, None),),
}


def _sandbox(tmpdir: str, allow_subprocess: bool, allow_native: bool, repo: str) -> None:
    """Deny what an example never needs. Audit hooks cannot be removed once installed."""
    tmp = os.path.realpath(tmpdir)
    own_proc = f"/proc/{os.getpid()}"
    git_dir = os.path.join(os.path.realpath(repo), ".git") if repo else None
    denied = NETWORK | LIMITS
    if not allow_subprocess:
        denied |= PROCESSES
    if not allow_native:
        denied |= NATIVE

    def resolve(path, dir_fd=None) -> str:
        if isinstance(path, int):  # an open file descriptor: where it points
            return os.readlink(f"/proc/self/fd/{path}")
        path = os.fsdecode(path)
        if dir_fd is not None and not os.path.isabs(path):
            path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
        return os.path.realpath(path)

    def inside(path: str) -> bool:
        return path == tmp or path.startswith(tmp + os.sep)

    def hook(event: str, args: tuple) -> None:
        if event in denied:
            raise PermissionError(f"examples may not use {event} (no network, no subprocesses, no native calls)")
        if event == "open" and args and isinstance(args[0], (str, bytes)):
            mode, flags = (args[1] if len(args) > 1 else "r") or "r", args[2] if len(args) > 2 else 0
            path = resolve(args[0])
            writing = any(c in str(mode) for c in "wax+") or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))
            if writing and not (path == os.devnull or inside(path)):
                raise PermissionError(f"examples may only write inside their temporary folder, not {path}")
            # Another process's /proc entry holds its environment (the build's tokens) and memory.
            if path.startswith("/proc/") and path.split("/")[2].isdigit() and not (
                    path == own_proc or path.startswith(own_proc + "/")):
                raise PermissionError(f"examples may not read other processes' {path}")
            if git_dir and (path == git_dir or path.startswith(git_dir + os.sep)):
                raise PermissionError("examples may not read the repository's .git folder (it may hold credentials)")
            # A folder opened outside the temporary folder would let dir_fd-relative calls escape it.
            if not inside(path) and os.path.isdir(path):
                raise PermissionError(f"examples may not open folders outside their temporary folder: {path}")
        elif event in FS_CHANGES:
            for at, dir_fd_at in FS_CHANGES[event]:
                dir_fd = args[dir_fd_at] if dir_fd_at is not None and dir_fd_at < len(args) else None
                if at < len(args) and args[at] is not None and not inside(resolve(args[at], dir_fd)):
                    raise PermissionError(f"examples may only change files inside their temporary folder ({event})")
        elif event == "os.kill" and args and args[0] not in (os.getpid(), 0):
            raise PermissionError("examples may not send signals to other processes (os.kill)")

    sys.addaudithook(hook)


def _exports(namespace: dict) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for name, value in namespace.items():
        if name.startswith("_") or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            out[name] = value
        elif type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
            out[name] = value.item()
    return {k: v for k, v in out.items() if isinstance(v, (int, float)) and v == v and abs(v) != float("inf")}


def _collect_images(folder: str) -> list[dict]:
    """Images a block wrote into its working folder (then removed, so the next block starts clean)."""
    import base64

    images = []
    for name in sorted(os.listdir(folder)):
        mime = IMAGE_TYPES.get(os.path.splitext(name)[1].lower())
        path = os.path.join(folder, name)
        if mime and os.path.isfile(path):
            data = open(path, "rb").read()
            os.remove(path)
            if len(data) <= IMAGE_CAP:
                images.append({"name": name, "mime": mime, "data": base64.b64encode(data).decode("ascii")})
    return images


class Progress:
    """What the worker has to report, kept where the watchdog can write it out and stop the worker."""

    def __init__(self, job: dict, out_file) -> None:
        self.job, self.out_file = job, out_file
        self.results: list[dict] = []
        self.lock = threading.Lock()
        self.block: dict | None = None  # the block running now
        self.started = 0.0
        self.deadline: float | None = None  # monotonic time after which the running block is stopped
        self.out: CappedWriter | None = None

    def begin(self, block: dict, out: CappedWriter) -> None:
        with self.lock:
            self.block, self.out, self.started = block, out, time.perf_counter()
            self.deadline = time.monotonic() + block["timeout"] + TIMEOUT_GRACE

    def end(self, result: dict) -> None:
        with self.lock:
            self.block, self.deadline = None, None
            self.results.append(result)

    def finish(self, stopped_at: int | None = None) -> None:
        """Write every result (blocks after a stopped one: not run) and close the results file."""
        for _ in self.job["blocks"][len(self.results):]:
            self.results.append({"status": "failed", "stdout": "", "exports": {}, "images": [], "seconds": 0.0,
                                 "error": f"not run: the block at line {stopped_at} of this session was stopped"})
        self.out_file.write(json.dumps(self.results))
        self.out_file.close()

    def watch(self, exit=os._exit) -> None:
        """The watchdog thread: stops the worker when a block outlives its time limit by TIMEOUT_GRACE.

        The alarm stops a block with an exception; this catches a block that swallows that exception
        or ignores SIGALRM. (A loop in C code that holds the interpreter is stopped by RLIMIT_CPU.)
        """
        while True:
            time.sleep(0.1)
            with self.lock:
                if self.deadline is None or time.monotonic() < self.deadline:
                    continue
                block = self.block
                self.results.append({
                    "status": "failed", "stdout": self.out.getvalue() if self.out else "", "exports": {},
                    "images": [], "seconds": round(time.perf_counter() - self.started, 4),
                    "error": f"timed out after {block['timeout']:g} s and did not stop (the timeout was caught "
                             "or ignored): the worker was stopped",
                })
                self.finish(stopped_at=block["line"])
                exit(0)


def run_job(job: dict, progress: Progress | None = None) -> list[dict]:
    progress = progress or Progress(job, None)
    namespace: dict = {"__name__": "__main__"}
    for block in job["blocks"]:
        if not job.get("session"):
            namespace = {"__name__": "__main__"}
        random.seed(0)
        with contextlib.suppress(ImportError):
            import numpy

            numpy.random.seed(0)
        out = CappedWriter()
        progress.begin(block, out)
        status, error = "passed", ""
        # Pad with newlines so traceback line numbers are line numbers of the note.
        source = "\n" * block["line"] + block["code"]
        signal.alarm(max(1, int(block["timeout"])))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(source, block["filename"], "exec"), namespace)
        except BlockTimeout:
            status, error = "failed", f"timed out after {block['timeout']:g} s"
        except MemoryError:
            status, error = "failed", f"ran out of memory (limit {job['memory_mb']} MB)"
        except OutputLimit:
            status, error = "failed", f"printed more than {OUTPUT_LIMIT:,} characters: stopped (the first {OUTPUT_CAP:,} are shown)"
        except BaseException as exc:  # noqa: BLE001 - every failure of user code is reported
            status = "failed"
            tb = traceback.extract_tb(exc.__traceback__)
            frames = [f for f in tb if f.filename != __file__]
            error = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))
        finally:
            signal.alarm(0)
        progress.end({
            "status": status,
            "stdout": out.getvalue(),
            "error": error,
            "exports": _exports(namespace) if status == "passed" else {},
            "images": _collect_images(job["tmpdir"]),
            "seconds": round(time.perf_counter() - progress.started, 4),
        })
    return progress.results


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        job = json.load(f)
    limit = job["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # CPU time catches what the alarm cannot: a loop inside C code never returns to the interpreter
    # to run the alarm's handler. SIGXCPU at the soft limit, SIGKILL at the hard one.
    cpu = int(sum(b["timeout"] for b in job["blocks"])) + 2 * TIMEOUT_GRACE
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # No file may fill the disk (the results file and stderr are files too).
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    os.chdir(job["tmpdir"])
    out_file = open(path + ".out", "w", encoding="utf-8")  # opened before the sandbox closes writes
    progress = Progress(job, out_file)

    def on_alarm(signum, frame):
        raise BlockTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    threading.Thread(target=progress.watch, daemon=True).start()
    _sandbox(job["tmpdir"], job.get("allow_subprocess", False), job.get("allow_native", False), job.get("repo", ""))
    run_job(job, progress)
    progress.finish()


if __name__ == "__main__":
    main(sys.argv[1])
