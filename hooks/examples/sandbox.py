"""OS-level isolation of example workers with bubblewrap (``bwrap``), probed once per process.

Each page's worker runs as ``bwrap … python -m hooks.examples.worker`` with:

- new user, PID, network, IPC, UTS (and, where possible, cgroup) namespaces (``--unshare-all``,
  ``--unshare-user``), every capability dropped, no further user namespaces (``--disable-userns``),
  its own session (``--new-session``: no terminal to push input into) and ``--die-with-parent``;
- a file system made of read-only binds: the system's ``/usr`` (and ``/bin``, ``/lib`` … as links or
  binds), the Python installation and the repository (which holds the virtual environment); the
  repository's ``.git`` and the examples cache are covered, so neither is visible;
- a private size-capped tmpfs at ``/llm-kb-sandbox`` (its working folder, ``HOME`` and ``TMPDIR``;
  there is no ``/tmp``): the only writable path, gone when the sandbox ends; a fresh ``/proc`` that shows only the sandbox's
  processes and a minimal ``/dev``.

The environment is the worker's own short list (no tokens, no ``HOME`` secrets). Where bubblewrap is
missing or cannot create namespaces (macOS, a container without user namespaces, Ubuntu ≥ 23.10 for
a non-root user unless AppArmor allows it) the probe fails, the build log says so once, and the
examples fall back to the audit-hook guard rail alone; ``LLM_KB_REQUIRE_SANDBOX=1`` (set by ``make
test`` under CI) refuses that fallback. ``LLM_KB_SANDBOX=off`` asks for the fallback on purpose.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.llm_kb.examples")

ROOT = Path(__file__).resolve().parents[2]
WORKDIR = "/llm-kb-sandbox"  # the only writable folder, as the worker sees it (HOME, TMPDIR; there is no /tmp)
TMPFS_BYTES = 256 * 2**20  # all files of one page's worker together (a tmpfs counts against memory)
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Files of /etc a Python process and NumPy may read (the loader's cache, time zone); nothing else.
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")


@dataclass(frozen=True)
class Status:
    isolated: bool  # True: workers run inside bubblewrap
    detail: str  # one line for the build log: what isolates them, or why nothing does

    @property
    def refused(self) -> bool:
        """True when the fallback is not allowed here (LLM_KB_REQUIRE_SANDBOX=1)."""
        return not self.isolated and required()


def required() -> bool:
    return os.environ.get("LLM_KB_REQUIRE_SANDBOX", "") not in ("", "0")


def _binds(cache_dir: Path) -> list[str]:
    args: list[str] = []
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ETC:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    # The interpreter's installation (pyenv, a hosted tool cache, a framework build) and the
    # virtual environment, wherever they live.
    root = str(ROOT)
    prefixes = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable)))}
    args += ["--size", str(TMPFS_BYTES), "--tmpfs", WORKDIR]
    for prefix in sorted(prefixes):
        covered = (*SYSTEM, root, *(p for p in prefixes if p != prefix))
        if not any(prefix == s or prefix.startswith(s + "/") for s in covered):
            args += ["--ro-bind", prefix, prefix]
    args += ["--ro-bind", root, root]
    git = ROOT / ".git"  # a folder, or a file naming the main checkout's folder (a worktree)
    if git.is_dir():
        args += ["--tmpfs", str(git), "--remount-ro", str(git)]
    elif git.exists():
        args += ["--ro-bind", "/dev/null", str(git)]
    cache = os.path.realpath(cache_dir)
    if cache.startswith(root + "/"):
        os.makedirs(cache, exist_ok=True)
        args += ["--tmpfs", cache, "--remount-ro", cache]  # other pages' results: not even readable
    return args


def command(argv: list[str], cache_dir: Path, runner: str = "cpu") -> list[str]:
    """``argv`` (a command whose paths exist inside the sandbox) wrapped in bubblewrap.

    The ``gpu`` runner also gets the CUDA driver's device files (``/dev/nvidia*``, not the whole
    ``/dev``: a worker started by root is owner of root's device files), and ``interpreter`` and
    ``gpu`` a read-only /sys (what torch and the driver read about CPUs and devices); blocks of the
    ``cpu`` runner get a minimal /dev and no /sys.
    """
    devices = ["--dev", "/dev"]
    if runner == "gpu":
        for dev in sorted(Path("/dev").glob("nvidia*")):
            devices += ["--dev-bind", str(dev), str(dev)]
    system = ["--ro-bind", "/sys", "/sys"] if runner != "cpu" and os.path.isdir("/sys") else []
    return ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--hostname", "llm-kb-example",
            *_binds(cache_dir), "--proc", "/proc", *devices, *system,
            # bubblewrap builds the new root (and /dev) on tmpfs: made read-only once everything is
            # mounted, so the size-capped working folder is the only place a block can write.
            "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORKDIR, "--", *argv]


@lru_cache(maxsize=1)
def probe() -> Status:
    """Whether bubblewrap runs here: one sandboxed ``true``, once per process."""
    if os.environ.get("LLM_KB_SANDBOX", "") == "off":
        return Status(False, "LLM_KB_SANDBOX=off: examples run with the audit-hook guard rail only")
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return Status(False, "bubblewrap (bwrap) is not installed: examples run with the audit-hook guard rail "
                             "only (install it: apt-get install bubblewrap)")
    from hooks.examples import cache  # the examples cache is hidden inside the sandbox

    try:
        done = subprocess.run(command(["true"], cache.CACHE_DIR), capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.SubprocessError) as exc:
        return Status(False, f"bubblewrap does not start ({exc}): examples run with the audit-hook guard rail only")
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return Status(False, f"bubblewrap cannot create its namespaces here ({why}): examples run with the "
                             "audit-hook guard rail only")
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
    return Status(True, f"{version or 'bubblewrap'}: new user, PID, network, IPC and UTS namespaces, "
                        "repository read-only, a private tmpfs the only writable path")


@lru_cache(maxsize=1)
def announce() -> Status:
    """The probe's result, written to the build log once per process."""
    status = probe()
    if status.refused:
        log.error(f"examples: LLM_KB_REQUIRE_SANDBOX=1 refuses to run examples without the sandbox, and here "
                  f"{status.detail.split(': examples run')[0]}; no example runs (install bubblewrap, or unset "
                  "LLM_KB_REQUIRE_SANDBOX to use the guard rail)")
    else:
        log.info(f"examples: sandbox: {status.detail}")
    return status
