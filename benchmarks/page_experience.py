"""Page experience on a throttled phone: layout shift, largest contentful paint and page weight.

Loads pages of a built site in Debian's Chromium (playwright), as a 390 px phone with a mobile
network and a slow CPU (Chrome DevTools Protocol: Network.emulateNetworkConditions, 150 ms round
trip, 1.6 Mbit/s down, 750 kbit/s up, as Lighthouse's mobile profile; Emulation.setCPUThrottlingRate
4×), each page in a fresh context (cold cache). Prints per page the median over --runs of:

  CLS    cumulative layout shift (layout-shift entries without recent input), the whole visit
  LCP    largest contentful paint, ms after navigation start
  bytes  bytes transferred (gzip-compressed text, as a static host sends it), and the number of requests

By default the four richest notes: the most formulas, then the longest article. Compare two
builds by running the script on each:

    python benchmarks/page_experience.py --site site            # the site as built now
    python benchmarks/page_experience.py --site /tmp/old-site   # e.g. a build of an older commit
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers import launch_chromium  # noqa: E402

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4
# Collected in the page from its first moment: layout shifts and LCP candidates.
OBSERVE = """
window.__pe = {cls: 0, lcp: 0};
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) __pe.cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});
new PerformanceObserver(list => { for (const e of list.getEntries()) __pe.lcp = e.renderTime || e.loadTime || e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
"""


def richest(site: Path, count: int) -> list[str]:
    """The notes with the most formulas (then the longest article), as site paths."""
    scored = []
    for f in site.rglob("index.html"):
        rel = f.parent.relative_to(site).as_posix()
        if rel == "." or rel.startswith(("assets", "pagefind", "tags", "graph", "about", "reference")):
            continue
        html = f.read_text(encoding="utf-8")
        formulas = html.count('class="arithmatex"')
        scored.append((formulas, len(html), rel + "/"))
    return [p for *_, p in sorted(scored, reverse=True)[:count]]


COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml"}


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The site on 127.0.0.1, text gzip-compressed as static hosts (GitHub Pages, nginx) send it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", "") \
                    or not path.is_file():
                return super().send_head()
            import gzip
            import io

            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def visit(browser, url: str) -> dict:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.add_init_script(OBSERVE)
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_timeout(3000)  # late shifts: fonts, images, scripts after load
    result = page.evaluate("window.__pe")
    context.close()
    return {"cls": result["cls"], "lcp": result["lcp"], "bytes": sum(sizes.values()), "requests": len(sizes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, default=ROOT / "site", help="a built site (mkdocs build)")
    ap.add_argument("--pages", nargs="*", help="site paths, e.g. finetuning/lora/ (default: the 4 richest notes)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    pages = args.pages or richest(args.site, 4)
    server, base = serve(args.site)
    from playwright.sync_api import sync_playwright

    print(f"site {args.site}; phone 390 px, {NETWORK['latency']} ms RTT, "
          f"{NETWORK['downloadThroughput'] * 8 / 1e6:.1f} Mbit/s down, CPU ÷{CPU_SLOWDOWN}; median of {args.runs}")
    print(f"{'page':44} {'CLS':>6} {'LCP ms':>7} {'KiB':>7} {'req':>4}")
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for path in pages:
                runs = [visit(browser, f"{base}/{path}") for _ in range(args.runs)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{path:44} {med['cls']:6.3f} {med['lcp']:7.0f} {med['bytes'] / 1024:7.0f} {med['requests']:4.0f}")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
