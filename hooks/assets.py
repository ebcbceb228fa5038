"""Third-party browser assets: installed from npm at setup (package.json), copied into the site here.

Nothing is committed and nothing is fetched from another host when a page is viewed: each asset
below becomes a file of the site under ``assets/vendor/``. Pages do not link them: the site's
script (overrides/assets/llm-kb/llm-kb.js) loads each one only on a page that needs it (KaTeX
where there is math, Mermaid where there is a diagram, force-graph when a graph scrolls into
view), so a typical note downloads a few hundred KiB instead of the 4 MiB of all of them.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = "assets/vendor"

# Files inside node_modules; llm-kb.js names the same paths under assets/vendor/.
ASSETS: list[str] = [
    "katex/dist/katex.min.css",
    "katex/dist/katex.min.js",
    "katex/dist/contrib/auto-render.min.js",
    "mermaid/dist/mermaid.min.js",
    "force-graph/dist/force-graph.min.js",
    "ts-fsrs/dist/index.umd.js",  # FSRS scheduling for the practice page (hooks/drill, drill.js)
]
# KaTeX's CSS names its fonts relatively (fonts/KaTeX_*.woff2); modern browsers take the woff2.
FONT_GLOB = "katex/dist/fonts/*.woff2"


def _missing() -> list[str]:
    return [rel for rel in ASSETS if not (NODE_MODULES / rel).is_file()]


def require() -> None:
    """Stop the build early, with the fix, when setup did not install the front-end assets."""
    missing = _missing()
    if missing:
        raise PluginError(
            f"front-end assets missing from {NODE_MODULES}: {', '.join(missing)} — run 'make setup' "
            "(it installs them from npm with the Node.js that pip put in .venv)"
        )


def files(config: MkDocsConfig) -> list[File]:
    """The vendor files as MkDocs files, so ``build`` copies them and ``serve`` serves them."""
    rels = ASSETS + [
        str(p.relative_to(NODE_MODULES)) for p in sorted(NODE_MODULES.glob(FONT_GLOB))
    ]
    out = []
    for rel in rels:
        f = File(rel, src_dir=str(NODE_MODULES), dest_dir=config.site_dir, use_directory_urls=False)
        f.dest_uri = f"{VENDOR_DIR}/{rel}"  # url and abs_dest_path derive from it
        out.append(f)
    return out


def add_to(files_: Files, config: MkDocsConfig) -> None:
    for f in files(config):
        files_.append(f)
