"""Runs one group of blocks (a page's session, or a lone block) inside a sandboxed process.

Started by :mod:`hooks.examples.runner` as ``python -m hooks.examples.worker JOB.json`` with a clean
environment, a private temporary working folder, and resource limits. Inside, an audit hook denies
network access, subprocesses and writes outside the temporary folder; a per-block alarm enforces
the time limit; stdout is captured up to a cap. Results go to ``JOB.json.out`` as JSON.
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
import time
import traceback

OUTPUT_CAP = 64 * 1024
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
IMAGE_CAP = 2 * 2**20  # bytes per image shown on the page


class CappedWriter(io.TextIOBase):
    """Keeps the first OUTPUT_CAP characters written; counts the rest."""

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
        return len(s)

    def getvalue(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n… output truncated ({self.dropped:,} more characters)"
        return text


class BlockTimeout(Exception):
    pass


def _sandbox(tmpdir: str, allow_subprocess: bool) -> None:
    """Deny what an example never needs. Audit hooks cannot be removed once installed."""
    tmp = os.path.realpath(tmpdir)
    denied_events = {"socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto", "socket.gethostbyname"}
    if not allow_subprocess:
        denied_events |= {"os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen"}

    def hook(event: str, args: tuple) -> None:
        if event in denied_events:
            raise PermissionError(f"examples may not use {event} (no network, no subprocesses)")
        if event == "open" and args and isinstance(args[0], (str, bytes)):
            mode, flags = (args[1] if len(args) > 1 else "r") or "r", args[2] if len(args) > 2 else 0
            writing = any(c in str(mode) for c in "wax+") or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))
            if writing:
                path = os.path.realpath(os.fsdecode(args[0]))
                if not (path == os.devnull or path.startswith(tmp + os.sep)):
                    raise PermissionError(f"examples may only write inside their temporary folder, not {path}")

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


def run_job(job: dict) -> list[dict]:
    results = []
    namespace: dict = {"__name__": "__main__"}
    for block in job["blocks"]:
        if not job.get("session"):
            namespace = {"__name__": "__main__"}
        random.seed(0)
        with contextlib.suppress(ImportError):
            import numpy

            numpy.random.seed(0)
        out = CappedWriter()
        started = time.perf_counter()
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
        except BaseException as exc:  # noqa: BLE001 - every failure of user code is reported
            status = "failed"
            tb = traceback.extract_tb(exc.__traceback__)
            frames = [f for f in tb if f.filename != __file__]
            error = "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))
        finally:
            signal.alarm(0)
        results.append({
            "status": status,
            "stdout": out.getvalue(),
            "error": error,
            "exports": _exports(namespace) if status == "passed" else {},
            "images": _collect_images(job["tmpdir"]),
            "seconds": round(time.perf_counter() - started, 4),
        })
    return results


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        job = json.load(f)
    limit = job["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def on_alarm(signum, frame):
        raise BlockTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    os.chdir(job["tmpdir"])
    results_path = path + ".out"
    out_file = open(results_path, "w", encoding="utf-8")  # opened before the sandbox closes writes
    _sandbox(job["tmpdir"], job.get("allow_subprocess", False))
    results = run_job(job)
    out_file.write(json.dumps(results))
    out_file.close()


if __name__ == "__main__":
    main(sys.argv[1])
