"""Build benchmark: our full build against plain MkDocs + Material on the same generated vaults.

Variants, all on the same vault, interleaved, median of --runs builds each:
  full          the site as configured: Obsidian layer, examples, tags, backlinks, graph,
                Pagefind search, our sidebar renderer, page dates from git
  plain         the same mkdocs.yml with every piece of ours off: no hooks, no Obsidian layer,
                no overrides (stock Material templates), and Material's own search plugin
  no-obsidian   (optional) full without the Obsidian Markdown layer (hooks.pipeline)

Prints, per vault size: wall time and peak memory (max RSS of the MkDocs process; the Pagefind
binary and example workers are separate processes, their largest peak reported apart) per variant and the ratios to
plain; the time of each stage of the full build (hooks/timing.py); examples executed by each
timed build (0: the cache is warm after the first build, a rebuild with nothing changed runs
nothing); the size of the search index and the weight of a typical note page. Between sizes it
prints the growth ratios t(3000)/t(1000). Builds run in child processes, as `mkdocs build` does.

    python benchmarks/build_time.py --sizes 300 1000 3000 --runs 3
"""

from __future__ import annotations

import argparse
import gzip
import json
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
        text = re.sub(r"^  custom_dir: .*\n", "", text, flags=re.M)
        text = re.sub(r"        - name: python\n(          .*\n){3}", "", text)
        text = re.sub(r"^extra_(css|javascript):\n(  - .*\n)+", "", text, flags=re.M)
        text = re.sub(r"^    - navigation.instant.preview.*\n", "", text, flags=re.M)
        text = text.replace("plugins:\n", "plugins:\n  - search\n", 1)
    path = work / f"mkdocs-{variant}.yml"
    path.write_text(text, encoding="utf-8")
    return path


# Runs `mkdocs build` and, as it exits, records the peak RSS of the MkDocs process itself and of
# the largest process it started (Pagefind, example workers): the kernel folds waited-for
# children into a child's rusage, so measuring from outside would mix the two.
MEASURED = """
import json, resource, runpy, sys
out, sys.argv = sys.argv[1], ["mkdocs"] + sys.argv[2:]
try:
    runpy.run_module("mkdocs", run_name="__main__")
finally:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    open(out, "w").write(json.dumps({"self": me.ru_maxrss / 1024, "children": kids.ru_maxrss / 1024}))
"""


def build(cfg: Path, site: Path, cache: Path, timings: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) of MkDocs and of its largest child process, for one build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(cache)}
    if timings:
        env["LLM_KB_TIMINGS"] = str(timings)
    rss_file = site.with_name(site.name + "-rss.json")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURED, str(rss_file), "build", "-q", "-f", str(cfg),
                           "-d", str(site)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed for {cfg.name}: {proc.stderr.decode()[-2000:]}")
    rss = json.loads(rss_file.read_text(encoding="utf-8"))
    return seconds, rss["self"], rss["children"]


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def page_weight(site: Path, page: Path) -> tuple[int, int]:
    """Bytes a first view of a page downloads (HTML, CSS, scripts, fonts it links), raw and gzip."""
    html = page.read_text(encoding="utf-8")
    raw = zipped = 0
    refs = re.findall(r'(?:href|src)="([^"#?]+\.(?:css|js))"', html)
    for body in [html.encode()] + [(page.parent / r).resolve().read_bytes() for r in refs
                                   if not r.startswith(("http:", "https:")) and (page.parent / r).resolve().is_file()]:
        raw += len(body)
        zipped += len(gzip.compress(body))
    return raw, zipped


def report_site(site: Path) -> None:
    note = next(site.glob("training/note-*/index.html"), None) or next(site.glob("*/note-*/index.html"))
    raw, zipped = page_weight(site, note)
    html = note.stat().st_size
    print(f"        typical note {note.parent.name}: HTML {html / 1024:.0f} KiB; first view with CSS/JS "
          f"{raw / 1024:.0f} KiB ({zipped / 1024:.0f} KiB gzip)")
    for name in ("pagefind", "search"):
        if (site / name).is_dir():
            print(f"        search index ({name}/): {dir_bytes(site / name) / 1024:.0f} KiB in "
                  f"{sum(1 for f in (site / name).rglob('*') if f.is_file())} files")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[300])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--variants", nargs="+", default=["full", "plain"])
    ap.add_argument("--cache", type=Path, help="keep the examples cache here between invocations "
                    "(default: a fresh one per size, warmed by an untimed build)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; runs per variant: {args.runs} (median); "
          f"builds interleaved; examples cache warmed by one untimed build")
    medians: dict[tuple[int, str], float] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="llm-kb-bench-") as tmp:
            work = Path(tmp)
            docs = generate(work / "vault", n)
            cache = args.cache / f"examples-{n}" if args.cache else work / "cache"
            cfgs = {v: config(v, docs, work) for v in args.variants}
            build(cfgs[args.variants[0]], work / "site-warmup", cache)  # warm the examples cache
            times: dict[str, list[float]] = {v: [] for v in args.variants}
            rss: dict[str, list[float]] = {v: [] for v in args.variants}
            child_rss: dict[str, list[float]] = {v: [] for v in args.variants}
            stages: list[dict] = []
            for run in range(args.runs):
                for v in args.variants:  # interleaved, so drift hits every variant alike
                    record = work / f"timings-{v}-{run}.json" if v == "full" else None
                    t, m, c = build(cfgs[v], work / f"site-{v}", cache, record)
                    times[v].append(t)
                    rss[v].append(m)
                    child_rss[v].append(c)
                    if record:
                        stages.append(json.loads(record.read_text(encoding="utf-8")))
            base = statistics.median(times["plain"]) if "plain" in times else None
            for v in args.variants:
                t = medians[(n, v)] = statistics.median(times[v])
                ratio = f"  time ×{t / base:5.2f}  memory ×{max(rss[v]) / max(rss['plain']):4.2f} of plain" if base else ""
                print(f"{n:>6} notes  {v:<12} {t:7.2f} s  (runs {', '.join(f'{x:.1f}' for x in times[v])})  "
                      f"peak {max(rss[v]):6.0f} MiB{ratio}; largest child process {max(child_rss[v]):.0f} MiB")
            if stages:
                names = list(stages[0]["seconds"])
                print("        stages of full (median s): " + " · ".join(
                    f"{k} {statistics.median(s['seconds'].get(k, 0.0) for s in stages):.2f}" for k in names))
                print("        examples executed per timed full build: "
                      + ", ".join(str(s["counts"].get("examples run", 0)) for s in stages))
                report_site(work / "site-full")
            if "plain" in args.variants:
                report_site(work / "site-plain")
    sizes = sorted(args.sizes)
    for small, large in zip(sizes, sizes[1:]):
        for v in args.variants:
            grow = medians[(large, v)] / medians[(small, v)]
            print(f"growth {v:<12} t({large})/t({small}) = {grow:.2f} (linear: {large / small:.2f})")


if __name__ == "__main__":
    main()
