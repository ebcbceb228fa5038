"""Build benchmark: our full build against plain MkDocs + Material on the same generated vaults.

Variants, all on the same vault, interleaved, median of --runs builds each:
  full          the site as configured: Obsidian layer, examples, tags, backlinks, graph,
                Pagefind search, our sidebar renderer, page dates from git
  plain         the baseline of the issue: the same mkdocs.yml with every piece of ours off (no
                hooks, no Obsidian layer, no overrides: stock Material templates) and Material's
                own search plugin segmenting Chinese with jieba, as Material documents for a
                Chinese site (jieba 0.42.1 is installed for the benchmark into ~/.cache/llm-kb;
                it is not a dependency of the site)
  plain-nojieba (optional) plain without jieba: Chinese is then not segmented (search is broken)
  no-obsidian   (optional) full without the Obsidian Markdown layer (hooks.pipeline)

Prints, per vault size: wall time and peak memory per variant and the ratios to plain. Memory is
the peak of the whole build: every process it runs (MkDocs, Pagefind, example workers), summed,
sampled every 20 ms (proportional set size, so pages shared between processes count once); the
peak RSS of the MkDocs process alone and of its largest child are printed beside it. Then the time of each stage of the full build (hooks/timing.py); examples executed by each
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
import threading
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_vault import generate  # noqa: E402
from tests.helpers import config_text  # noqa: E402
MKDOCS = Path(sys.executable).parent / "mkdocs"


def config(variant: str, docs: Path, work: Path) -> Path:
    text = config_text(docs)
    if variant in ("no-obsidian", "plain", "plain-nojieba"):
        text = text.replace("  - hooks.pipeline\n", "")
    if variant.startswith("plain"):
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


JIEBA = "jieba==0.42.1"


def jieba_dir() -> Path:
    """A folder holding jieba for the plain baseline, installed once with pip."""
    target = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "llm-kb" / JIEBA.replace("==", "-")
    if not (target / "jieba" / "__init__.py").is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), JIEBA], check=True)
    return target


_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_memory(root: int) -> int:
    """Bytes of memory of process ``root`` and all its descendants now (PSS, or RSS where the
    kernel gives no PSS)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) * 1024
        except (OSError, AttributeError):
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
            except OSError:
                pass
    return total


class Build(NamedTuple):
    seconds: float
    tree_mib: float  # peak of all the build's processes together
    self_mib: float  # peak RSS of the MkDocs process
    child_mib: float  # peak RSS of its largest child


def build(cfg: Path, site: Path, cache: Path, timings: Path | None = None, extra_path: Path | None = None) -> Build:
    """One ``mkdocs build`` in a child process, timed, its memory sampled."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LLM_KB_EXAMPLES_CACHE": str(cache)}
    if timings:
        env["LLM_KB_TIMINGS"] = str(timings)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")]))
    rss_file = site.with_name(site.name + "-rss.json")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", MEASURED, str(rss_file), "build", "-q", "-f", str(cfg),
                             "-d", str(site)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, tree_memory(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build failed for {cfg.name}: {stderr.decode()[-2000:]}")
    rss = json.loads(rss_file.read_text(encoding="utf-8"))
    return Build(seconds, peak / 2**20, rss["self"], rss["children"])


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
    jieba = jieba_dir() if any(v == "plain" for v in args.variants) else None
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="llm-kb-bench-") as tmp:
            work = Path(tmp)
            docs = generate(work / "vault", n)
            cache = args.cache / f"examples-{n}" if args.cache else work / "cache"
            cfgs = {v: config(v, docs, work) for v in args.variants}
            build(cfgs[args.variants[0]], work / "site-warmup", cache)  # warm the examples cache
            runs: dict[str, list[Build]] = {v: [] for v in args.variants}
            stages: list[dict] = []
            for run in range(args.runs):
                for v in args.variants:  # interleaved, so drift hits every variant alike
                    record = work / f"timings-{v}-{run}.json" if v == "full" else None
                    runs[v].append(build(cfgs[v], work / f"site-{v}", cache, record,
                                         jieba if v == "plain" else None))
                    if record:
                        stages.append(json.loads(record.read_text(encoding="utf-8")))
            base = runs.get("plain")
            for v in args.variants:
                t = medians[(n, v)] = statistics.median(b.seconds for b in runs[v])
                mem = max(b.tree_mib for b in runs[v])
                ratio = (f"  time ×{t / statistics.median(b.seconds for b in base):5.2f}"
                         f"  memory ×{mem / max(b.tree_mib for b in base):4.2f} of plain" if base else "")
                print(f"{n:>6} notes  {v:<13} {t:7.2f} s  (runs {', '.join(f'{b.seconds:.1f}' for b in runs[v])})  "
                      f"peak {mem:5.0f} MiB{ratio}  [MkDocs process {max(b.self_mib for b in runs[v]):.0f} MiB, "
                      f"largest child {max(b.child_mib for b in runs[v]):.0f} MiB]")
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
