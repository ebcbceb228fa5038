"""Build-time benchmark: our full build against the same vault with parts switched off.

Variants, all on the same generated vault, interleaved, median of --runs builds each:
  full          the site as configured (Obsidian layer, examples, tags, backlinks, graph)
  no-obsidian   the same without the Obsidian Markdown layer (hooks.pipeline removed)
  plain         plain MkDocs + Material: no hooks, no Obsidian layer, no example fences

Prints wall time and peak memory (max RSS of the build process) per variant and the ratios.
Builds run in child processes (each a fresh interpreter, as `mkdocs build` is); the examples
cache is warm after the first full build, as on a contributor's machine.

    python benchmarks/build_time.py --sizes 300 --runs 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_vault import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).parent / "mkdocs"


def config(variant: str, docs: Path, work: Path) -> Path:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^docs_dir: .*$", f"docs_dir: {docs}", text, flags=re.M)
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = text.replace("  - hooks/mkdocs_hooks.py", f"  - {ROOT / 'hooks' / 'mkdocs_hooks.py'}")
    text = text.replace("paths: [.]", f"paths: [{ROOT}]")
    if variant in ("no-obsidian", "plain"):
        text = text.replace("  - hooks.pipeline\n", "")
    if variant == "plain":
        text = re.sub(r"^hooks:\n  - .*\n", "", text, flags=re.M)
        text = re.sub(r"        - name: python\n(          .*\n){3}", "", text)
        text = text.replace("extra_javascript:\n  - assets/llm-kb/llm-kb.js\n", "")
        text = text.replace("    - navigation.instant.preview  # hover previews of wikilinks (marked data-preview)\n", "")
    path = work / f"mkdocs-{variant}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build(cfg: Path, site: Path, cache: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `mkdocs build`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(cache)}
    start = time.perf_counter()
    proc = subprocess.Popen([str(MKDOCS), "build", "-q", "-f", str(cfg), "-d", str(site)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed for {cfg.name}: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[300])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--variants", nargs="+", default=["full", "no-obsidian", "plain"])
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; runs per variant: {args.runs} (median)")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="llm-kb-bench-") as tmp:
            work = Path(tmp)
            docs = generate(work / "vault", n)
            cache = work / "cache"
            cfgs = {v: config(v, docs, work) for v in args.variants}
            build(cfgs[args.variants[0]], work / "site-warmup", cache)  # warm the examples cache
            times: dict[str, list[float]] = {v: [] for v in args.variants}
            rss: dict[str, list[float]] = {v: [] for v in args.variants}
            for _ in range(args.runs):
                for v in args.variants:  # interleaved, so drift hits every variant alike
                    t, m = build(cfgs[v], work / f"site-{v}", cache)
                    times[v].append(t)
                    rss[v].append(m)
            base = statistics.median(times[args.variants[-1]])
            for v in args.variants:
                t = statistics.median(times[v])
                print(f"{n:>6} notes  {v:<12} {t:7.2f} s  peak {max(rss[v]):6.0f} MiB  "
                      f"ratio to {args.variants[-1]}: {t / base:5.2f}")
            if "full" in times and "no-obsidian" in times:
                print(f"{n:>6} notes  Obsidian layer on/off: "
                      f"{statistics.median(times['full']) / statistics.median(times['no-obsidian']):.2f}")


if __name__ == "__main__":
    main()
