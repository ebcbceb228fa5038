"""Record run results: run every block of one tier on this machine and write the committed record.

    python -m hooks.examples.record docs                 # GPU tier, on a machine with a CUDA GPU (CI 'gpu' job)
    python -m hooks.examples.record --tier torch docs    # torch tier, on any machine with requirements-gpu.txt

The records (executable_examples/gpu_record.json, executable_examples/torch_record.json) let builds
that cannot run a block show its result with its provenance (device, driver, versions, date) instead
of a blank. A block whose code (or imported package modules) changed since its record no longer
matches its key: the page says it is not verified, and tests/test_run_records.py fails until the
tier is recorded again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from hooks.examples import cache, runner
from hooks.examples.blocks import collect
from hooks.frontmatter import split

TIERS = ("gpu", "torch")
# Libraries a torch-tier result depends on besides those in cache.environment(), named in the record.
EXTRA_VERSIONS = ("transformers", "peft")


def record_path(tier: str = "gpu") -> Path:
    """A tier's committed record (LLM_KB_GPU_RECORD / LLM_KB_TORCH_RECORD override it, for tests)."""
    default = cache.ROOT / "executable_examples" / f"{tier}_record.json"
    return Path(os.environ.get(f"LLM_KB_{tier.upper()}_RECORD", default))


def load() -> dict:
    """Every committed record, by ``page#block-id`` (a page's GPU and torch blocks have distinct ids)."""
    merged: dict = {}
    for tier in TIERS:
        path = record_path(tier)
        if path.is_file():
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def driver_version() -> str:
    out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""


def tier_blocks(docs: Path, tier: str):
    """(note path, block, its session's earlier blocks) for every published block of the tier."""
    for note in sorted(docs.rglob("*.md")):
        rel = note.relative_to(docs).as_posix()
        text = note.read_text(encoding="utf-8")
        if not split(text, rel)[0].published:
            continue
        blocks = collect(rel, text)
        for block in (b for b in blocks if b.runner == tier):
            yield rel, block, [b for b in blocks[: block.index] if block.session and b.session == block.session]


def main(docs: Path, tier: str = "gpu") -> int:
    if tier == "gpu":
        device = runner.gpu_device()
        if not device:
            print("no CUDA GPU on this machine (nvidia-smi found none): nothing recorded", file=sys.stderr)
            return 2
    else:
        device = "cpu"
        if not runner.torch_available():
            print("torch is not installed: run 'LLM_KB_WITH_TORCH=1 make torch-deps' first", file=sys.stderr)
            return 2
    path = record_path(tier)
    record = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    failed = 0
    for rel, block, earlier in tier_blocks(docs, tier):
        group = earlier + [block]
        result = runner.execute(group, tier)[-1]
        if result.get("status") != "passed":
            failed += 1
            print(f"{block.where}: failed on {device}:\n{result.get('error')}", file=sys.stderr)
            continue
        versions = {name: cache._version(name) for name in EXTRA_VERSIONS} if tier == "torch" else {}
        record[f"{rel}#{block.block_id}"] = {
            "key": cache.record_key(block, earlier, device),
            "device": device,
            "driver": driver_version() if tier == "gpu" else "",
            "env": {**cache.environment(), **versions, "device": device},
            "date": dt.date.today().isoformat(),
            "stdout": result.get("stdout", ""),
            "exports": result.get("exports", {}),
            "seconds": result.get("seconds", 0.0),
        }
        print(f"{block.where}: verified on {device} in {result.get('seconds', 0):.3f} s")
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="?", default="docs", type=Path)
    parser.add_argument("--tier", choices=TIERS, default="gpu")
    args = parser.parse_args()
    sys.exit(main(args.docs, args.tier))
