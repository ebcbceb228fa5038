"""Cold and warm build of the real site (docs/): every executable block runs, then none does.

    python benchmarks/cold_build.py --runs 3            # this checkout
    python benchmarks/cold_build.py --repo /path/to/other/checkout   # the same, for another version
    python benchmarks/cold_build.py --no-torch   # as a reader's machine builds: torch tier hidden

Each warm build also prints the parts of its stages timed on their own (hooks/timing.py ``part``):
build-time math (KaTeX) and the CommonMark block layer, with what each adds to the build
(its seconds over the rest of the build: the build as it was without the feature).

A cold build starts from an empty examples cache (every block runs in its sandboxed worker); the warm
build after it finds every result in the cache. Prints, per run, the wall time of `mkdocs build
--strict`, the CPU time of all its processes (a cgroup's counter: it covers the sandboxed workers,
and it is what a busy shared machine changes least; printed where cgroups can be created), its
examples stage (hooks/timing.py), the blocks run and the sandbox line of the log, then the medians. Builds run in child processes with this interpreter, the site and cache in a
temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


CPUACCT = Path("/sys/fs/cgroup/cpuacct")  # cgroup v1; under v2 the same figure is cpu.stat's usage_usec


def cpu_group(name: str) -> Path | None:
    """A fresh cgroup whose CPU counter covers every process of a build, those inside the sandbox's
    namespaces too (rusage does not reach them); None where cgroups cannot be created (not root)."""
    for base, counter in ((CPUACCT, "cpuacct.usage"), (Path("/sys/fs/cgroup"), "cpu.stat")):
        group = base / f"llm-kb-bench-{os.getpid()}-{name}"
        try:
            group.mkdir()
        except OSError:
            continue
        if (group / counter).exists():
            return group
        group.rmdir()
    return None


def cpu_seconds(group: Path) -> float:
    if (group / "cpuacct.usage").exists():
        return int((group / "cpuacct.usage").read_text()) / 1e9
    stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
    return int(stat["usage_usec"]) / 1e6


def build(repo: Path, work: Path, cache: Path, name: str, extra_env: dict | None = None) -> tuple[float, float | None, dict, str]:
    """Wall seconds, CPU seconds of all its processes (None: not measurable here), stage timings and
    the sandbox line of one strict build."""
    timings = work / f"timings-{name}.json"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(cache),
           "LLM_KB_TIMINGS": str(timings), "PYTHONPATH": str(repo), **(extra_env or {})}
    group = cpu_group(name)
    try:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / f"site-{name}")],
                                cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if group:  # moved before it starts anything: its children inherit the group
            (group / "cgroup.procs").write_text(str(proc.pid))
        _, stderr = proc.communicate()
        seconds = time.perf_counter() - start
        cpu = cpu_seconds(group) if group else None
    finally:
        if group:
            group.rmdir()
    if proc.returncode != 0:
        raise SystemExit(f"build failed in {repo}:\n{stderr[-3000:]}")
    sandbox = next((line.split("examples: sandbox: ", 1)[1] for line in stderr.splitlines()
                    if "examples: sandbox: " in line), "no sandbox line (guard rail only, or an older version)")
    return seconds, cpu, json.loads(timings.read_text(encoding="utf-8")), sandbox


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=ROOT, help="the checkout to build (default: this one)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-torch", action="store_true",
                    help="hide the optional torch tier (LLM_KB_NO_TORCH=1): its blocks show their committed record")
    args = ap.parse_args()
    extra_env = {"LLM_KB_NO_TORCH": "1"} if args.no_torch else {}
    repo = args.repo.resolve()
    print(f"site: {repo}/docs; machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
          + ("; torch tier hidden" if args.no_torch else ""))
    cold, warm, stages = [], [], []
    parts: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="llm-kb-bench-") as tmp:
        work = Path(tmp)
        cpus: dict[str, list[float]] = {"cold": [], "warm": []}
        for run in range(args.runs):
            cache = work / f"cache-{run}"  # empty: every block runs
            for kind in ("cold", "warm"):
                seconds, cpu, timing, sandbox = build(repo, work, cache, f"{kind}-{run}", extra_env)
                (cold if kind == "cold" else warm).append(seconds)
                if kind == "cold":
                    stages.append(timing["seconds"].get("examples", 0.0))
                if cpu is not None:
                    cpus[kind].append(cpu)
                print(f"{kind} build {run + 1}: {seconds:6.2f} s wall, "
                      + (f"{cpu:6.2f} s CPU (all processes), " if cpu is not None else "")
                      + f"examples stage {timing['seconds'].get('examples', 0.0):6.2f} s, "
                      f"{timing['counts'].get('examples run', 0)} blocks run"
                      + (f"; sandbox: {sandbox}" if kind == "cold" else ""))
                if kind == "warm":
                    total = timing["seconds"]["total"]
                    for name, secs in timing.get("parts", {}).items():
                        parts.setdefault(name, []).append(secs / (total - secs))
                        print(f"    of which {name} {secs:5.2f} s: +{100 * secs / (total - secs):.1f}% on the rest of the build")
    cpu_note = (f"; CPU cold {statistics.median(cpus['cold']):.2f} s, warm {statistics.median(cpus['warm']):.2f} s"
                if cpus["cold"] and cpus["warm"] else "")
    print(f"median: cold {statistics.median(cold):.2f} s (examples {statistics.median(stages):.2f} s), "
          f"warm {statistics.median(warm):.2f} s{cpu_note}; load average now {os.getloadavg()[0]:.1f}")
    for name, ratios in parts.items():
        print(f"warm build, {name}: median +{100 * statistics.median(ratios):.1f}% on the rest of the build")


if __name__ == "__main__":
    main()
