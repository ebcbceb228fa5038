"""Record GPU results: run every exec="gpu" block on this machine's GPU and write the committed record.

    python -m hooks.examples.record docs      # on a machine with a CUDA GPU (the CI 'gpu' job)

The record (executable_examples/gpu_record.json) lets builds without a GPU show each result with its
provenance (device, driver, versions, date). A block whose code (or imported modules, or versions)
changed since its record no longer matches its key, and the page says it is not yet verified on GPU.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from hooks.examples import cache, runner
from hooks.examples.blocks import collect
from hooks.frontmatter import split



def record_path() -> Path:
    """The committed GPU record (LLM_KB_GPU_RECORD overrides it, for tests)."""
    return Path(os.environ.get("LLM_KB_GPU_RECORD", cache.ROOT / "executable_examples" / "gpu_record.json"))


def driver_version() -> str:
    out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""


def main(docs: Path) -> int:
    device = runner.gpu_device()
    if not device:
        print("no CUDA GPU on this machine (nvidia-smi found none): nothing recorded", file=sys.stderr)
        return 2
    path = record_path()
    record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    failed = 0
    for note in sorted(docs.rglob("*.md")):
        rel = note.relative_to(docs).as_posix()
        text = note.read_text(encoding="utf-8")
        if not split(text, rel)[0].published:
            continue
        blocks = collect(rel, text)
        for block in (b for b in blocks if b.runner == "gpu"):
            group = [b for b in blocks[: block.index] if block.session and b.session == block.session] + [block]
            result = runner.execute(group, "gpu")[-1]
            if result.get("status") != "passed":
                failed += 1
                print(f"{block.where}: failed on {device}:\n{result.get('error')}", file=sys.stderr)
                continue
            record[f"{rel}#{block.block_id}"] = {
                "key": cache.key(block, group[:-1], device),
                "device": device,
                "driver": driver_version(),
                "env": {**cache.environment(), "device": device},
                "date": dt.date.today().isoformat(),
                "stdout": result.get("stdout", ""),
                "exports": result.get("exports", {}),
                "seconds": result.get("seconds", 0.0),
            }
            print(f"{block.where}: verified on {device} in {result.get('seconds', 0):.3f} s")
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")))
