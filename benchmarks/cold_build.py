"""Cold and warm build of the real site (docs/): every executable block runs, then none does.

    python benchmarks/cold_build.py --runs 3            # this checkout
    python benchmarks/cold_build.py --repo /path/to/other/checkout   # the same, for another version

A cold build starts from an empty examples cache (every block runs in its sandboxed worker); the warm
build after it finds every result in the cache. Prints, per run, the wall time of `mkdocs build
--strict` and its examples stage (hooks/timing.py), the blocks run and the sandbox line of the log,
then the medians. Builds run in child processes with this interpreter, the site and cache in a
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


def build(repo: Path, work: Path, cache: Path, name: str) -> tuple[float, dict, str]:
    timings = work / f"timings-{name}.json"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(cache),
           "LLM_KB_TIMINGS": str(timings), "PYTHONPATH": str(repo)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / f"site-{name}")],
                          cwd=repo, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed in {repo}:\n{done.stderr[-3000:]}")
    sandbox = next((line.split("examples: sandbox: ", 1)[1] for line in done.stderr.splitlines()
                    if "examples: sandbox: " in line), "no sandbox line (guard rail only, or an older version)")
    return seconds, json.loads(timings.read_text(encoding="utf-8")), sandbox


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=ROOT, help="the checkout to build (default: this one)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    repo = args.repo.resolve()
    print(f"site: {repo}/docs; machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    cold, warm, stages = [], [], []
    with tempfile.TemporaryDirectory(prefix="llm-kb-bench-") as tmp:
        work = Path(tmp)
        for run in range(args.runs):
            cache = work / f"cache-{run}"  # empty: every block runs
            seconds, timing, sandbox = build(repo, work, cache, f"cold-{run}")
            cold.append(seconds)
            stages.append(timing["seconds"].get("examples", 0.0))
            print(f"cold build {run + 1}: {seconds:6.2f} s, examples stage {stages[-1]:6.2f} s, "
                  f"{timing['counts'].get('examples run', 0)} blocks run; sandbox: {sandbox}")
            seconds, timing, _ = build(repo, work, cache, f"warm-{run}")
            warm.append(seconds)
            print(f"warm build {run + 1}: {seconds:6.2f} s, examples stage {timing['seconds'].get('examples', 0.0):6.2f} s, "
                  f"{timing['counts'].get('examples run', 0)} blocks run")
    print(f"median: cold {statistics.median(cold):.2f} s (examples {statistics.median(stages):.2f} s), "
          f"warm {statistics.median(warm):.2f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
