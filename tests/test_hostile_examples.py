"""Hostile example code: stopped or denied, reported at ``note.md:LINE``, the machine left as it was.

One scratch vault holds one note with one block per hostile behaviour, and a victim note whose cache
entry the hostile note tries to forge; a strict build of it, inside bubblewrap
(LLM_KB_REQUIRE_SANDBOX=1: no silent fallback), must fail and name each block's line with the reason
it was stopped. Each attack is written to succeed visibly (print what it stole, raise when it got
nothing), so a block that passed would be an escape. Then the machine is checked: no file outside
the examples' folders changed, no temporary folder left, no process left, no connection made, no
secret printed, the victim's value and cache entry intact, and the build process itself did not grow
(output a block writes around the capture never reaches its memory).

Several attacks get past the audit hook (a fresh copy of ``_posixsubprocess``, ``dir_fd``-relative
opens after ``chdir``); what stops them is the OS: the sandbox's PID and network namespaces, and a
file system that holds neither the build's files nor its environment.

How each limit works: hooks/examples/worker.py and runner.py; the security model: CONTRIBUTING.md.
The rendering of failed blocks on the page is tested in test_examples_engine.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT, write_config, write_vault

SECRET = "llm-kb-test-secret-6c1f0e"
MARKER = "86399.5"  # the sleep a block leaves behind; no other process on the machine mentions it
# A fresh copy of _posixsubprocess: its fork_exec is not the one the guard rail replaced, and it
# raises no audit event (Python 3.11's argument list, as subprocess.py calls it).
FRESH_FORK_EXEC = ("import importlib.util, os, sys\n"
                   "spec = importlib.util.find_spec('_posixsubprocess')\n"
                   "fresh = importlib.util.module_from_spec(spec)\n"
                   "spec.loader.exec_module(fresh)\n"
                   "def start(argv):\n"
                   "    r, w = os.pipe()\n"
                   "    return fresh.fork_exec([a.encode() for a in argv], [argv[0].encode()], True, (w,), None, None,\n"
                   "                           -1, -1, -1, -1, -1, -1, r, w, False, True, -1, None, None, -1, -1, None, False)\n")


@dataclass
class Hostile:
    id: str
    code: str
    reason: str  # what the strict build's error for this block must say
    options: str = ""


def cases(canary: Path, canary_dir: Path, port: int, cache: Path = Path("/c"), victim_key: str = "k") -> list[Hostile]:
    git_config = ROOT / ".git"
    return [
        Hostile("loop-forever", "while True:\n    pass", "timed out after 1 s", 'timeout="1"'),
        Hostile("loop-catching-the-timeout",
                "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
                "timed out after 1 s and did not stop (the timeout was caught or ignored): the worker was stopped",
                'timeout="1"'),
        Hostile("loop-ignoring-the-alarm", "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                "while True:\n    time.sleep(1)",
                "timed out after 1 s and did not stop (the timeout was caught or ignored): the worker was stopped",
                'timeout="1"'),
        Hostile("loop-inside-c", "import itertools\nsum(itertools.repeat(1, 10 ** 15))",
                "timed out after 1 s and did not stop (the timeout was caught or ignored): the worker was stopped",
                'timeout="1"'),
        Hostile("ignore-sigterm-and-clear-own-deadline",
                "import signal\nfor s in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT):\n    signal.signal(s, signal.SIG_IGN)\n"
                "signal.alarm(0)\nwhile True:\n    try:\n        signal.alarm(0)\n    except BaseException:\n        pass",
                "timed out after 1 s and did not stop (the timeout was caught or ignored): the worker was stopped",
                'timeout="1"'),
        Hostile("allocate-20-gb", "block = bytearray(20 * 2**30)", "ran out of memory (limit 4096 MB)"),
        Hostile("raise-own-memory-limit", "block = bytearray(20 * 2**30)", "ran out of memory (limit 4096 MB)",
                'memory="40000"'),
        Hostile("raise-rlimit", "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
                "PermissionError: examples may not use resource.setrlimit"),
        Hostile("fork-1000", "import os\nchildren = [os.fork() for _ in range(1000)]",
                "PermissionError: examples may not use os.fork"),
        Hostile("spawn-processes", "import subprocess\nfor _ in range(1000):\n    subprocess.Popen(['sleep', '600'])",
                "PermissionError: examples may not use subprocess.Popen"),
        Hostile("kill-the-build", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
                "PermissionError: examples may not send signals to other processes (os.kill)"),
        Hostile("open-socket", f"import socket\nconnection = socket.socket()\nconnection.connect(('127.0.0.1', {port}))",
                "PermissionError: examples may not use socket.__new__"),
        Hostile("read-environment-secret", "import os\nprint(os.environ['LLM_KB_TEST_SECRET'])",
                "KeyError: 'LLM_KB_TEST_SECRET'"),
        Hostile("read-parent-environment", "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())",
                "PermissionError: examples may not read other processes' /proc/"),
        Hostile("read-git-credentials", f"print(open({str(ROOT / '.git' / 'config')!r}).read())",
                "PermissionError: examples may not read the repository's .git folder"),
        Hostile("write-outside-tmp", f"open({str(canary)!r}, 'w').write('改写')",
                f"PermissionError: examples may only write inside their temporary folder, not {canary}"),
        Hostile("delete-outside-tmp", f"import os\nos.remove({str(canary)!r})",
                "PermissionError: examples may only change files inside their temporary folder (os.remove)"),
        Hostile("rename-outside-tmp", f"import os\nos.rename({str(canary)!r}, 'stolen.txt')",
                "PermissionError: examples may only change files inside their temporary folder (os.rename)"),
        Hostile("remove-tree-outside-tmp", f"import shutil\nshutil.rmtree({str(canary_dir)!r})",
                "PermissionError: examples may only change files inside their temporary folder (shutil.rmtree)"),
        Hostile("escape-through-dir-fd", f"import os\nfd = os.open({str(canary.parent)!r}, os.O_RDONLY)\n"
                f"os.remove({canary.name!r}, dir_fd=fd)",
                f"FileNotFoundError: [Errno 2] No such file or directory: {str(canary.parent)!r}"),
        # The audit hook resolves a relative path against the working folder, the kernel against the
        # dir_fd: from a subfolder, '../proc/…' looks like a path inside the folder to the hook.
        Hostile("dir-fd-after-chdir",
                "import os\ntop = os.open('.', os.O_RDONLY)\nos.makedirs('a/b')\nos.chdir('a/b')\nstolen = b''\n"
                f"for target in (f'/proc/{{os.getppid()}}/environ', '/proc/1/environ', {str(git_config / 'config')!r}, {str(canary)!r}):\n"
                "    rel = os.path.relpath(target, os.path.realpath(os.path.join(os.getcwd(), '../..')))\n"
                "    try:\n        stolen += os.read(os.open(rel, os.O_RDONLY, dir_fd=top), 1 << 16)\n"
                "    except OSError as exc:\n        print(target, exc)\n"
                "print(stolen.decode())\nassert b'SECRET' in stolen or b'[core]' in stolen or '原样'.encode() in stolen, 'nothing stolen'",
                "AssertionError: nothing stolen"),
        Hostile("write-past-the-guard-rail", "import os\ntop = os.open('.', os.O_RDONLY)\nos.makedirs('a/b')\nos.chdir('a/b')\n"
                "rel = os.path.relpath('/etc/planted', os.path.realpath('../..'))\n"
                "os.write(os.open(rel, os.O_WRONLY | os.O_CREAT, dir_fd=top), b'x' * 2**20)",
                "OSError: [Errno 30] Read-only file system: '../etc/planted'"),
        Hostile("read-outside-tmp", f"print(open({str(canary)!r}).read())",
                f"FileNotFoundError: [Errno 2] No such file or directory: {str(canary)!r}"),
        Hostile("replace-realpath-then-write",
                f"import os.path\nos.path.realpath = lambda path, **kw: os.getcwd()\nopen({str(canary)!r}, 'w').write('改写')",
                f"PermissionError: examples may only write inside their temporary folder, not {canary}"),
        Hostile("symlink-own-results", "import os\nfor name in ('job.json.out', 'worker.log', 'plot.png'):\n"
                "    os.symlink(f'/proc/{os.getppid()}/environ', name)",
                "PermissionError: examples may only change files inside their temporary folder (os.symlink)"),
        Hostile("fork-exec-directly", "import _posixsubprocess, os\nr, w = os.pipe()\n"
                "_posixsubprocess.fork_exec([b'/bin/sh'], [b'/bin/sh'], True, (w,), None, None, -1, -1, -1, -1, -1, -1, "
                "r, w, False, True, -1, None, None, -1, -1, None, False)",
                "PermissionError: examples may not start processes (_posixsubprocess.fork_exec)"),
        Hostile("fork-exec-leaves-a-process", FRESH_FORK_EXEC + f"start(['/bin/sleep', '{MARKER}'])",
                f"left 1 process(es) running after it finished (they were killed): /bin/sleep {MARKER}"),
        Hostile("plant-for-the-next-page", FRESH_FORK_EXEC
                + "open('planted.py', 'w').write('value = 41')\n"
                "start(['/bin/sh', '-c', 'while :; do echo value = 41 > planted.txt; done'])",
                "left 1 process(es) running after it finished (they were killed): /bin/sh -c while :; do echo value"),
        Hostile("fork-exec-connects-to-loopback", FRESH_FORK_EXEC
                + f"pid = start([sys.executable, '-c', 'import socket; socket.create_connection((\"127.0.0.1\", {port}), 5)'])\n"
                "_, status = os.waitpid(pid, 0)\nassert status == 0, f'no connection (exit status {status >> 8})'",
                "AssertionError: no connection (exit status 1)"),
        Hostile("forge-another-pages-cache", "import json, os\n"
                f"entry = {{'key': {victim_key!r}, 'page': '受害.md', 'index': 0, 'line': 5, 'modules': {{}}, "
                "'result': {'status': 'passed', 'runner': 'cpu', 'exports': {'value': 41}, 'stdout': '41'}}\n"
                f"top = os.open('.', os.O_RDONLY)\nos.makedirs('a/b')\nos.chdir('a/b')\n"
                f"rel = os.path.relpath({str(cache / (victim_key + '.json'))!r}, os.path.realpath('../..'))\n"
                "os.write(os.open(rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, dir_fd=top), json.dumps(entry).encode())",
                # The sandbox's working folder is /llm-kb-sandbox: one step up is its root.
                f"FileNotFoundError: [Errno 2] No such file or directory: '..{cache / (victim_key + '.json')}'"),
        Hostile("native-call", f"import ctypes\nctypes.CDLL(None).unlink({str(canary).encode()!r})",
                "PermissionError: examples may not use ctypes.dlsym"),
        Hostile("print-100-mb", "for _ in range(100):\n    print('x' * 2**20)",
                "printed more than 1,048,576 characters: stopped (the first 65,536 are shown)"),
        Hostile("write-100-mb-past-the-capture", "import os\nfor _ in range(100):\n    os.write(1, b'x' * 2**20)",
                "OSError: [Errno 27] File too large"),
        Hostile("fill-the-disk", "open('big.bin', 'wb').write(b'0' * 100 * 2**20)", "OSError: [Errno 27] File too large"),
        Hostile("fill-the-disk-with-many-files",
                "for i in range(8):\n    with open(f'part-{i}.bin', 'wb') as f:\n        f.write(b'0' * 60 * 2**20)",
                "OSError: [Errno 28] No space left on device"),
        Hostile("timeout-not-a-number", "x = 1", 'timeout="forever" is not a number of seconds', 'timeout="forever"'),
    ]


def note_with(blocks: list[Hostile]) -> tuple[str, dict[str, int]]:
    text, lines = "---\ntitle: 危险的代码\n---\n\n这一页的每个代码块都在做坏事。\n", {}
    for b in blocks:
        text += "\n"
        lines[b.id] = text.count("\n") + 1
        text += f'```python exec="cpu" id="{b.id}" {b.options}\n{b.code}\n```\n'
    return text, lines


def build_measured(root: Path, notes: dict, tmpdir: Path) -> tuple[subprocess.CompletedProcess, int | None]:
    """A build like helpers.build_vault, in a process that prints its own peak memory (KiB) at exit
    (None: it did not reach its exit, e.g. a block killed it)."""
    config = write_config(root, write_vault(root, notes))
    program = ("import resource, runpy, sys\n"
               "try:\n    runpy.run_module('mkdocs', run_name='__main__')\n"
               "finally:\n    print(f'peak-rss-kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", program, "build", "--strict", "-f", str(config), "-d", str(root / "site")],
                            capture_output=True, text=True, cwd=root,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(root / "cache"),
                                 # One worker for all pages: the victim runs after the hostile page in it.
                                 "LLM_KB_EXAMPLE_WORKERS": "1",
                                 "TMPDIR": str(tmpdir), "LLM_KB_TEST_SECRET": SECRET, "LLM_KB_REQUIRE_SANDBOX": "1"})
    peak = re.search(r"peak-rss-kib=(\d+)", result.stderr)
    return result, int(peak.group(1)) if peak else None


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


@dataclass
class Run:
    result: subprocess.CompletedProcess
    lines: dict[str, int]
    blocks: list[Hostile]
    peak_kib: int | None
    baseline_kib: int | None
    root: Path
    tmpdir: Path
    canary: Path
    canary_dir: Path
    canary_stat: tuple
    connections: list
    victim_entry: Path


# Runs after 危险.md in the same worker (the runner gives a worker several pages): it must find the
# working folder empty and no other process, whatever the hostile page left.
VICTIM = ("---\ntitle: 受害\n---\n\n```python exec=\"cpu\" id=\"victim\"\nimport os\n"
          "assert os.listdir('.') == [], os.listdir('.')\n"
          "others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]\n"
          "assert others == [], others\nvalue = 42\n```\n\n值为 `=value|42`。\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("hostile")
    outside = root / "outside"
    canary_dir = outside / "不要删"
    canary_dir.mkdir(parents=True)
    (canary_dir / "内容.txt").write_text("还在", encoding="utf-8")
    canary = outside / "canary.txt"
    canary.write_text("原样", encoding="utf-8")
    canary_stat = (canary.stat().st_mtime_ns, canary.stat().st_size)
    tmpdir = root / "tmp"
    tmpdir.mkdir()
    from hooks.examples import cache
    from hooks.examples.blocks import collect

    victim_key = cache.result_key(collect("受害.md", VICTIM)[0], [], "cpu")
    cache_dir = root / "hostile" / "cache"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0)
        blocks = cases(canary, canary_dir, listener.getsockname()[1], cache_dir, victim_key)
        text, lines = note_with(blocks)
        home = "---\ntitle: 首页\n---\n\n首页。\n"
        result, peak = build_measured(root / "hostile", {"index.md": home, "危险.md": text, "受害.md": VICTIM}, tmpdir)
        connections = []
        try:
            connections.append(listener.accept())
        except BlockingIOError:
            pass
    calm = "\n".join(f'```python exec="cpu" id="b{i}"\nx = {i}\n```\n' for i in range(len(blocks)))
    _, baseline = build_measured(root / "calm", {"index.md": home, "平静.md": "---\ntitle: 平静\n---\n\n" + calm}, tmpdir)
    return Run(result, lines, blocks, peak, baseline, root, tmpdir, canary, canary_dir, canary_stat, connections,
               cache_dir / f"{victim_key}.json")


def test_the_strict_build_fails(run):
    assert run.peak_kib is not None, "the build process did not survive its examples:\n" + run.result.stderr[-3000:]
    assert run.result.returncode != 0
    assert "Traceback" not in run.result.stderr
    assert f"{len(run.blocks) + 1} ran, 0 cached, 0 skipped, {len(run.blocks)} failed" in run.result.stderr
    # The OS sandbox ran them (LLM_KB_REQUIRE_SANDBOX=1 refuses the guard rail alone), the victim's
    # page in the same worker as the hostile one.
    assert "examples: sandbox: bubblewrap" in run.result.stderr
    assert f"examples: running {len(run.blocks) + 1} blocks of 2 pages in 1 workers" in run.result.stderr


@pytest.mark.parametrize("case", [c.id for c in cases(Path("/c"), Path("/d"), 9)])
def test_hostile_block_is_stopped_and_reported_at_its_line(run, case):
    block = next(b for b in run.blocks if b.id == case)
    where = f"docs/危险.md:{run.lines[case]}: example '{case}' failed on cpu:\n"
    log = run.result.stderr
    assert where in log, log[-3000:]
    report = log.split(where, 1)[1].split("\nERROR", 1)[0].split("\nWARNING", 1)[0].split("\nINFO", 1)[0]
    assert block.reason in report, report


def test_the_machine_is_left_as_it_was(run):
    # No file outside the examples' folders changed, and no example folder is left behind.
    assert run.canary.read_text(encoding="utf-8") == "原样"
    assert (run.canary.stat().st_mtime_ns, run.canary.stat().st_size) == run.canary_stat
    assert (run.canary_dir / "内容.txt").read_text(encoding="utf-8") == "还在"
    assert sorted(p.name for p in run.canary.parent.iterdir()) == ["canary.txt", "不要删"]
    assert list(run.tmpdir.iterdir()) == []
    # No process left: not the sleep a block started past the guard rail, nor any worker.
    assert processes_mentioning(MARKER) == []
    assert processes_mentioning(str(run.tmpdir)) == []
    # No connection reached the listening socket; no secret on any page or in the log.
    assert run.connections == []
    assert SECRET not in run.result.stderr
    assert (run.root / "hostile" / "site" / "危险" / "index.html").is_file()
    for page in (run.root / "hostile" / "site").rglob("*.html"):
        assert SECRET not in page.read_text(encoding="utf-8")
    # The page whose cache entry the hostile note tried to forge shows its own value, and its entry
    # is the one the runner wrote.
    victim = (run.root / "hostile" / "site" / "受害" / "index.html").read_text(encoding="utf-8")
    assert '<span class="llm-kb-value"' in victim and ">42<" in victim
    entry = json.loads(run.victim_entry.read_text(encoding="utf-8"))
    assert (entry["page"], entry["index"], entry["result"]["exports"]) == ("受害.md", 0, {"value": 42})
    # The build process survived and did not take in the 100 MB written around the capture.
    assert run.peak_kib is not None and run.baseline_kib is not None
    assert run.peak_kib < run.baseline_kib + 64 * 1024, (run.peak_kib, run.baseline_kib)
