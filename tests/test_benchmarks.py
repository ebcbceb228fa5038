"""The benchmark scripts (make bench) still run and measure what they say; no time is asserted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import build_time  # noqa: E402


def test_tree_memory_counts_the_children_of_a_process():
    # A child holding 64 MiB and a grandchild holding 32 MiB, written to, so resident.
    code = ("import subprocess, sys, time; b = b'x' * (64 << 20); "
            "g = subprocess.Popen([sys.executable, '-c', \"b = b'x' * (32 << 20); import time; time.sleep(60)\"]); "
            "print('ready', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while build_time.tree_memory(child.pid) < 90 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)  # the grandchild is still allocating
        total = build_time.tree_memory(child.pid)
        assert 90 * 2**20 <= total < 200 * 2**20
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # child and grandchild
        child.wait()
    assert build_time.tree_memory(child.pid) == 0  # gone: nothing counted


def test_build_benchmark_runs_both_builds_and_reports_every_figure(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "build_time.py"), "--sizes", "12", "--runs", "1",
         "--variants", "full", "plain-nojieba", "--cache", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for variant in ("full", "plain-nojieba"):
        line = re.search(rf"^\s+12 notes  {variant}\s+([\d.]+) s .* peak\s+(\d+) MiB .*"
                         rf"\[MkDocs process (\d+) MiB, largest child (\d+) MiB\]$", out, re.M)
        assert line, (variant, out)
        assert float(line[1]) > 0 and int(line[2]) > 0 and int(line[3]) > 0
    # The full build runs Pagefind (a child process); the plain one runs none.
    assert int(re.search(r"full .*largest child (\d+) MiB", out)[1]) > 0
    assert int(re.search(r"plain-nojieba .*largest child (\d+) MiB", out)[1]) == 0
    assert "examples executed per timed full build: 0" in out  # warmed by the untimed build
    for stage in ("markdown", "templates", "search index", "examples", "total"):
        assert re.search(rf"stages of full .*{stage} [\d.]+", out), stage
    assert re.search(r"search index \(pagefind/\): \d+ KiB in \d+ files", out)
    assert re.search(r"typical note note-\d+: HTML \d+ KiB", out)
