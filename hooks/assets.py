"""Third-party browser assets: installed from npm at setup (package.json), copied into the site here.

Nothing is committed and nothing is fetched from another host when a page is viewed: each asset
below becomes a file of the site under ``assets/vendor/``. Math is rendered at build time
(hooks.mathrender), so of KaTeX only the stylesheet (linked by every page, mkdocs.yml extra_css)
and its fonts are shipped, no script. The scripts are not linked: the site's script
(overrides/assets/llm-kb/llm-kb.js) loads each one only on a page that needs it (Mermaid where there
is a diagram, force-graph when a graph scrolls into view). Mermaid (3.5 MB) is copied into the site
only when some note has a diagram.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = "assets/vendor"

# Files inside node_modules; llm-kb.js names the same paths under assets/vendor/.
# font-display: swap: text with formulas paints before KaTeX's fonts arrive (block kept it invisible)
KATEX_CSS = "katex/dist/katex-swap.min.css"
MERMAID = "mermaid/dist/mermaid.min.js"
ASSETS: list[str] = [
    KATEX_CSS,
    MERMAID,
    "force-graph/dist/force-graph.min.js",
    "ts-fsrs/dist/index.umd.js",  # FSRS scheduling for the practice page (hooks/drill, drill.js)
]
# A ```mermaid (or ~~~mermaid) fence, as superfences reads it (mkdocs.yml custom_fences).
DIAGRAM = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*mermaid\b", re.M)
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


def has_diagram(text: str) -> bool:
    return DIAGRAM.search(text) is not None


def files(config: MkDocsConfig, diagrams: bool = True) -> list[File]:
    """The vendor files as MkDocs files, so ``build`` copies them and ``serve`` serves them;
    Mermaid only when ``diagrams`` (some published note has one)."""
    rels = [rel for rel in ASSETS if diagrams or rel != MERMAID] + [
        str(p.relative_to(NODE_MODULES)) for p in sorted(NODE_MODULES.glob(FONT_GLOB))
    ]
    out = []
    for rel in rels:
        f = File(rel, src_dir=str(NODE_MODULES), dest_dir=config.site_dir, use_directory_urls=False)
        f.dest_uri = f"{VENDOR_DIR}/{rel}"  # url and abs_dest_path derive from it
        out.append(f)
    return out


def add_to(files_: Files, config: MkDocsConfig, diagrams: bool = True) -> None:
    for f in files(config, diagrams):
        files_.append(f)
