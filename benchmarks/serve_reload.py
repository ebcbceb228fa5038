"""Serve benchmark: how long `mkdocs serve` takes to show an edit, on a generated vault.

Starts the server the way `make serve` does (`--dirty`: hooks/incremental.py re-renders only
the pages an edit reaches) and, for comparison, without `--dirty` (every page rendered again).
Edits the body of one note --edits times (a sentence appended, the title unchanged) and prints
the median seconds from the write to the server's "Reloading browsers", from the write to its
"Detected file changes" (MkDocs' file watcher), MkDocs' own "Documentation built in" figure and
the stages of the rebuild (hooks/timing.py).

    python benchmarks/serve_reload.py --size 1000 --edits 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_vault import generate  # noqa: E402

from tests.helpers import Serve  # noqa: E402


def measure(root: Path, docs: Path, dirty: bool, edits: int) -> tuple[list[float], list[float], list[float], list[dict]]:
    note = docs / "training" / "note-2.md"
    waits, seen, built, stages = [], [], [], []
    # The first start runs every example (a fresh cache): minutes, not what is measured here.
    with Serve(root, docs, *(["--dirty"] if dirty else []), startup_timeout=1800) as serve:
        serve.wait_for("search index", timeout=600)  # the first build's background index is done
        for i in range(edits):
            time.sleep(1.1)  # a new mtime for MkDocs' dirty check
            mark = len(serve.lines)
            start = time.perf_counter()
            note.write_text(note.read_text(encoding="utf-8") + f"\n编辑 {i}：多写一句。\n", encoding="utf-8")
            serve.wait_for("Detected file changes", after=mark, timeout=600)
            seen.append(time.perf_counter() - start)
            at = serve.wait_for("Reloading browsers", after=mark, timeout=600)
            waits.append(time.perf_counter() - start)
            log = "\n".join(serve.lines[mark:at])
            found = re.search(r"Documentation built in ([\d.]+) seconds", log)
            built.append(float(found.group(1)) if found else float("nan"))
            line = re.search(r"build stages: (.*)", log)  # hooks/timing.py, logged by every build
            stages.append({k: float(v) for k, v in re.findall(r"([\w ,]+?) ([\d.]+) s", line.group(1))} if line else {})
    return waits, seen, built, stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; vault: {args.size} generated notes; {args.edits} edits each")
    with tempfile.TemporaryDirectory(prefix="llm-kb-serve-") as tmp:
        root = Path(tmp)
        docs = generate(root / "vault", args.size)
        for dirty in (True, False):
            waits, seen, built, stages = measure(root, docs, dirty, args.edits)
            mode = "serve --dirty (make serve)" if dirty else "serve (full rebuilds)"
            print(f"{args.size:>6} notes  {mode:<28} edit → reload: median {statistics.median(waits):.2f} s "
                  f"(each: {', '.join(f'{w:.2f}' for w in waits)}); edit seen after {statistics.median(seen):.2f} s; MkDocs build {statistics.median(built):.2f} s")
            if stages and stages[0]:
                print("        stages of the rebuild (median s): " + " · ".join(
                    f"{k.strip()} {statistics.median(s.get(k, 0.0) for s in stages):.2f}" for k in stages[0]))


if __name__ == "__main__":
    main()
