"""Runs the blocks of a few pages: a supervisor that imports NumPy once, and a forked child per group.

Started by :mod:`hooks.examples.runner` as ``python -m hooks.examples.worker`` inside bubblewrap
(:mod:`hooks.examples.sandbox`), or, where there is none, as a plain process (the guard rail only).
The job (JSON) comes on stdin; results go back as JSON lines on a pipe whose descriptor the job names: the runner
never reads a file the worker could have replaced.

For each group (a session's blocks, or a lone block) the supervisor forks a child, so every group
starts from the same state (NumPy imported, nothing run) without paying for a new interpreter. The
child sets its resource limits (address space, CPU time, file size, no core files), installs the
audit hook (the guard rail: no network, processes, signals, native calls, writes outside the working
folder, other processes' /proc, the repository's .git), runs the blocks and sends one line per block.
The supervisor is what the blocks cannot reach: it holds each block's deadline (a block that ignores
SIGTERM and SIGALRM and clears its own alarm is killed by SIGKILL at its timeout plus TIMEOUT_GRACE),
caps what a child may send, kills whatever a block left running (inside the sandbox's PID namespace
it sees every process), and empties the working folder between groups. It is not dumpable, so a
child cannot read its memory or its pipe to the runner through /proc.

Pages that share a worker (the runner gives it a few, to pay for the interpreter once) are separated
by that supervisor, not by the OS: one page's group runs only after every process of the previous
group is dead and the only writable folder is empty (the sandbox's root is read-only). What one page
can still do to another in the same worker is stop it (kill the supervisor): the others then fail
loudly with "the worker crashed", never with a forged result. LLM_KB_EXAMPLE_PAGES_PER_WORKER=1 gives
every page a sandbox of its own.

The audit hook is a guard rail against accidents and the common ways of doing harm, not a sandbox:
see "安全模型" in CONTRIBUTING.md for what the OS isolates and what only the guard rail does.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import random
import resource
import selectors
import shutil
import signal
import sys
import time
import traceback

OUTPUT_CAP = 64 * 1024  # characters of output kept and shown
OUTPUT_LIMIT = 1024 * 1024  # characters of output after which the block is stopped
FILE_SIZE_LIMIT = 64 * 2**20  # bytes: no file the worker writes may grow larger (RLIMIT_FSIZE)
FOLDER_LIMIT = 256 * 2**20  # bytes: all files of the working folder together (the sandbox's tmpfs size)
MESSAGE_LIMIT = 8 * 2**20  # bytes a child may send for one group (results, images)
TIMEOUT_GRACE = 2  # seconds a block gets past its timeout before the supervisor kills it
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
IMAGE_CAP = 2 * 2**20  # bytes per image shown on the page
IMAGES_CAP = 4 * 2**20  # bytes of images per block


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
    "os.chmod": ((0, 2),), "os.chown": ((0, 3),), "os.link": ((0, 2), (1, 3)), "os.symlink": ((0, None), (1, 2)),
    "os.truncate": ((0, None),), "os.utime": ((0, 3),), "os.setxattr": ((0, None),),
    "os.removexattr": ((0, None),), "os.chflags": ((0, None),), "os.lchflags": ((0, None),),
    "shutil.rmtree": ((0, None),), "shutil.move": ((0, None), (1, None)), "shutil.chown": ((0, None),),
    "os.chdir": ((0, None),),
}


def _sandbox(tmpdir: str, allow_subprocess: bool, allow_native: bool, repo: str) -> None:
    """Deny what an example never needs. Audit hooks cannot be removed once installed.

    The functions the hook relies on are bound here, so a block that replaces ``os.path.realpath``
    or ``os.readlink`` does not switch the checks off.
    """
    realpath, readlink, join, isabs, isdir, fsdecode = (os.path.realpath, os.readlink, os.path.join, os.path.isabs,
                                                        os.path.isdir, os.fsdecode)
    tmp = realpath(tmpdir)
    own_proc = f"/proc/{os.getpid()}"
    git_dir = join(realpath(repo), ".git") if repo else None
    denied = NETWORK | LIMITS
    if not allow_subprocess:
        denied |= PROCESSES
    if not allow_native:
        denied |= NATIVE

    def resolve(path, dir_fd=None) -> str:
        if isinstance(path, int):  # an open file descriptor: where it points
            return readlink(f"/proc/self/fd/{path}")
        path = fsdecode(path)
        if isinstance(dir_fd, int) and dir_fd >= 0 and not isabs(path):  # -1 or AT_FDCWD: none
            path = join(readlink(f"/proc/self/fd/{dir_fd}"), path)
        return realpath(path)

    def inside(path: str) -> bool:
        return path == tmp or path.startswith(tmp + "/")

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
            if git_dir and (path == git_dir or path.startswith(git_dir + "/")):
                raise PermissionError("examples may not read the repository's .git folder (it may hold credentials)")
            # A folder opened outside the temporary folder would let dir_fd-relative calls escape it.
            if not inside(path) and isdir(path):
                raise PermissionError(f"examples may not open folders outside their temporary folder: {path}")
        elif event in FS_CHANGES:
            for at, dir_fd_at in FS_CHANGES[event]:
                dir_fd = args[dir_fd_at] if dir_fd_at is not None and dir_fd_at < len(args) else None
                if at < len(args) and args[at] is not None and not inside(resolve(args[at], dir_fd)):
                    if event == "os.chdir":
                        raise PermissionError("examples may not leave their temporary folder (os.chdir)")
                    raise PermissionError(f"examples may only change files inside their temporary folder ({event})")
        elif event == "os.kill" and args and args[0] not in (os.getpid(), 0):
            raise PermissionError("examples may not send signals to other processes (os.kill)")

    sys.addaudithook(hook)
    if not allow_subprocess:
        _no_fork_exec()


def _no_fork_exec() -> None:
    """``_posixsubprocess.fork_exec`` starts a process without an audit event: replace it (and the
    reference ``subprocess`` keeps). A block can still load a fresh copy of the module; inside the
    sandbox such a process is seen and killed by the supervisor, outside it nothing stops it."""
    import _posixsubprocess
    import subprocess

    def fork_exec(*args, **kwargs):
        raise PermissionError("examples may not start processes (_posixsubprocess.fork_exec)")

    _posixsubprocess.fork_exec = fork_exec
    subprocess._fork_exec = fork_exec


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


def _read_regular(path: str, cap: int) -> bytes | None:
    """A file's bytes, or None when it is a link, not a regular file, or larger than ``cap``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not (st.st_mode & 0o170000 == 0o100000) or st.st_size > cap:
            return None
        return f.read(cap + 1)


def _collect_images(folder: str) -> list[dict]:
    """Images a block wrote into its working folder (then removed, so the next block starts clean)."""
    import base64

    images, total = [], 0
    for name in sorted(os.listdir(folder)):
        mime = IMAGE_TYPES.get(os.path.splitext(name)[1].lower())
        if not mime:
            continue
        path = os.path.join(folder, name)
        data = _read_regular(path, IMAGE_CAP)
        with contextlib.suppress(OSError):
            os.remove(path)
        if data is not None and len(data) <= IMAGE_CAP and total + len(data) <= IMAGES_CAP:
            total += len(data)
            images.append({"name": name, "mime": mime, "data": base64.b64encode(data).decode("ascii")})
    return images


def _folder_bytes(folder: str) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


def _repo_modules(repo: str) -> list[str]:
    """Files of the repository's own modules this interpreter has imported (not the virtual environment's)."""
    found = set()
    prefix = os.path.realpath(repo) + "/"
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            path = os.path.realpath(path)
            rel = path[len(prefix):]
            if path.startswith(prefix) and "site-packages" not in rel.split("/") and not rel.startswith("."):
                found.add(rel)
    return sorted(found)


def _send(fd: int, message: dict) -> None:
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        data = data[os.write(fd, data):]


def run_group(job: dict, group: dict, send) -> None:
    """The child: limits, guard rail, then each block of the group in order; one message per block."""
    memory = group["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # CPU time catches what the alarm cannot: a loop inside C code never returns to the interpreter
    # to run the alarm's handler. SIGXCPU at the soft limit, SIGKILL at the hard one.
    cpu = int(sum(b["timeout"] for b in group["blocks"])) + 2 * TIMEOUT_GRACE
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # No file may fill the disk (the log the runner reads is a file too).
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    def on_alarm(signum, frame):
        raise BlockTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _sandbox(job["workdir"], job.get("allow_subprocess", False), job.get("allow_native", False), job.get("repo", ""))
    namespace: dict = {"__name__": "__main__"}
    for j, block in enumerate(group["blocks"]):
        if not group.get("session"):
            namespace = {"__name__": "__main__"}
        random.seed(0)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(0)
        out = CappedWriter()
        status, error, started = "passed", "", time.perf_counter()
        # Pad with newlines so traceback line numbers are line numbers of the note.
        source = "\n" * block["line"] + block["code"]
        signal.alarm(max(1, int(block["timeout"])))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(source, block["filename"], "exec"), namespace)
        except BlockTimeout:
            status, error = "failed", f"timed out after {block['timeout']:g} s"
        except MemoryError:
            status, error = "failed", f"ran out of memory (limit {group['memory_mb']} MB)"
        except OutputLimit:
            status, error = "failed", f"printed more than {OUTPUT_LIMIT:,} characters: stopped (the first {OUTPUT_CAP:,} are shown)"
        except BaseException as exc:  # noqa: BLE001 - every failure of user code is reported
            status = "failed"
            tb = traceback.extract_tb(exc.__traceback__)
            frames = [f for f in tb if f.filename != __file__]
            error = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))
        finally:
            signal.alarm(0)
        seconds = round(time.perf_counter() - started, 4)
        if status == "passed" and _folder_bytes(job["workdir"]) > FOLDER_LIMIT:
            status, error = "failed", f"wrote more than {FOLDER_LIMIT // 2**20} MB into its folder in total"
        send({"result": j, "status": status, "stdout": out.getvalue(), "error": error,
              "exports": _exports(namespace) if status == "passed" else {},
              "images": _collect_images(job["workdir"]), "seconds": seconds,
              "modules": _repo_modules(job.get("repo", ""))})


SIGNAL_REASONS = {signal.SIGXCPU: "used more CPU time than its time limit allows",
                  signal.SIGXFSZ: f"wrote a file larger than {FILE_SIZE_LIMIT // 2**20} MB",
                  signal.SIGKILL: "memory or process limit?"}


def crash_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        why = SIGNAL_REASONS.get(sig, "")
        return f"the worker crashed: killed by {name}" + (f" ({why})" if why else "")
    return f"the worker crashed: exit status {os.waitstatus_to_exitcode(status)}"


def _others(keep: set[int]) -> list[tuple[int, str]]:
    """Live processes of this PID namespace besides ``keep`` (zombies are already gone)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in keep:
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read().decode("utf-8", "replace")
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read(200).replace(b"\0", b" ").decode("utf-8", "replace").strip()
            except OSError:
                continue
            if stat.rsplit(")", 1)[-1].split()[0] != "Z":
                found.append((int(entry), cmdline or stat.split("(", 1)[-1].split(")")[0]))
    return found


def _kill_leftovers(keep: set[int]) -> list[str]:
    """Kill every process of the sandbox but ``keep``, again until none is left (one that forks
    while being killed); what was found first, for the report."""
    first = found = _others(keep)
    for _ in range(1000):
        if not found:
            break
        for pid, _ in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)
        found = _others(keep)
    return [cmd for _, cmd in first]


def _empty(folder: str) -> None:
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.remove(path)


def supervise(job: dict, g: int, group: dict, channel: int) -> None:
    """Fork the group's child, hold its deadlines, relay its results with the group number."""
    blocks = group["blocks"]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            os.close(channel)
            os.setpgid(0, 0)
            run_group(job, group, lambda message: _send(write_end, message))
        finally:
            os._exit(0)
    os.close(write_end)
    isolated = job.get("isolated", False)
    watch_processes = isolated and not job.get("allow_subprocess", False)
    keep = {1, os.getpid(), pid}
    done, received, buffer = 0, 0, b""
    deadline = time.monotonic() + blocks[0]["timeout"] + TIMEOUT_GRACE
    stopped: str | None = None
    selector = selectors.DefaultSelector()
    selector.register(read_end, selectors.EVENT_READ)
    while done < len(blocks):
        left = deadline - time.monotonic()
        if left <= 0:
            stopped = (f"timed out after {blocks[done]['timeout']:g} s and did not stop (the timeout was caught "
                       "or ignored): the worker was stopped")
            break
        if not selector.select(left):
            continue
        data = os.read(read_end, 1 << 16)
        if not data:
            break
        received += len(data)
        if received > MESSAGE_LIMIT:
            stopped = f"sent more than {MESSAGE_LIMIT // 2**20} MB of results: stopped"
            break
        buffer += data
        while b"\n" in buffer and done < len(blocks):
            line, buffer = buffer.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            if not isinstance(message, dict) or message.get("result") != done:
                stopped = "sent a malformed result: stopped"
                break
            if watch_processes:
                left_running = _kill_leftovers(keep)
                if left_running:
                    message = {**message, "status": "failed", "exports": {}, "error": (
                        f"left {len(left_running)} process(es) running after it finished (they were killed): "
                        + "; ".join(left_running)[:500])}
            _send(channel, {**message, "group": g, "result": done})
            done += 1
            if done < len(blocks):
                deadline = time.monotonic() + blocks[done]["timeout"] + TIMEOUT_GRACE
        if stopped:
            break
    selector.close()
    os.close(read_end)
    if stopped or done < len(blocks):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)  # what the group started and left (the guard rail's fallback)
    if isolated:
        _kill_leftovers({1, os.getpid()})
    if done < len(blocks):
        _send(channel, {"group": g, "result": done, "status": "failed", "error": stopped or crash_reason(status)})
        line = blocks[done]["line"]
        for j in range(done + 1, len(blocks)):
            _send(channel, {"group": g, "result": j, "status": "failed",
                            "error": f"not run: the block at line {line} of this session was stopped"})
    _empty(job["workdir"])


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    sys.stdin.close()
    channel = job["channel"]  # the write end of the runner's pipe, passed to this process
    os.chdir(job["workdir"])
    # Nothing of this process is shared with a block before it runs: only library imports (the cost
    # every block would otherwise pay: NumPy, and torch/Triton/transformers on their CPU tiers), for
    # pages whose blocks use them (runner._preload), are done once, here; each group is then a fork
    # of this state.
    for name in job.get("preload", []):
        module, _, attribute = name.partition(":")
        with contextlib.suppress(Exception):  # a library that fails here fails again, reported, in the block
            loaded = importlib.import_module(module)
            if attribute:
                getattr(loaded, attribute)
    # The supervisor's memory (and its pipe to the runner) is not readable through /proc by the children.
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    for g, group in enumerate(job["groups"]):
        supervise(job, g, group, channel)
    os.close(channel)


if __name__ == "__main__":
    main()
