"""CommonMark conformance: the spec's examples rendered through the site's Markdown setup.

Every example of the CommonMark spec (../shared/reference/commonmark-spec-0.31.2.txt beside the
checkout; never committed) is rendered with the extensions of mkdocs.yml, Obsidian layer included,
and compared with the spec's HTML after both are normalised (:func:`normalise`):

* a soft line break counts as ``<br>`` (Obsidian shows single newlines as line breaks);
* heading ids and the permalink anchors of ``toc`` are ignored;
* highlighted code (pymdownx.highlight/Pygments) counts as ``<pre><code>`` with the same text: the
  site shows a fence's language by its highlighting, not by a ``language-x`` class (mkdocs.yml
  leaves pygments_lang_class off), so that class is not compared; empty code counts as one newline
  (Pygments ends all code with one); attribute order, entity spelling and whitespace between block tags are ignored,
  as the spec's own normaliser does.

Prints the pass rate per section (``*`` block sections, ``+`` inline sections with a floor in
tests/test_commonmark_conformance.py) and overall; ``--show SECTION`` prints each failing example of a
section with both HTMLs, ``--failures`` lists failing example numbers per section. Deliberate
differences are explained in docs/about/commonmark.md.

    python benchmarks/commonmark_conformance.py [--spec PATH] [--show "List items"] [--failures]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "reference" / "commonmark-spec-0.31.2.txt"
FENCE = "`" * 32

# Sections the block-structure work (issue 23) answers for, and the pass rate each must reach.
BLOCK_SECTIONS = ("Lists", "List items", "Block quotes", "Fenced code blocks", "Indented code blocks",
                  "Tabs", "Thematic breaks", "Paragraphs")
# Sections the inline layer (hooks/obsidian/{escapes,codespans,autolinks,inline_html,links}.py, with the
# reference definitions read in blocks.py) answers for, and the pass rate each must reach.
INLINE_SECTIONS = ("Backslash escapes", "Entity and numeric character references", "Code spans", "Links", "Images",
                   "Autolinks", "Raw HTML", "Hard line breaks", "Link reference definitions")


@dataclass(frozen=True)
class Example:
    number: int
    section: str
    markdown: str
    html: str


def read_spec(path: Path) -> list[Example]:
    """The examples of a spec file, numbered from 1 as on spec.commonmark.org; '→' is a tab."""
    examples: list[Example] = []
    section, state, md, out = "", 0, [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if state == 0:
            if line.startswith(FENCE + " example"):
                state, md, out = 1, [], []
            elif line.startswith("#"):
                section = line.lstrip("#").strip()
        elif state == 1:
            if line == ".":
                state = 2
            else:
                md.append(line)
        elif line == FENCE:
            examples.append(Example(len(examples) + 1, section, _text(md), _text(out)))
            state = 0
        else:
            out.append(line)
    return examples


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines).replace("→", "\t")


BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "details", "dialog", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "title", "meta", "link", "iframe",
}
NEWLINE = "\x00"  # a line break inside text, decided at the end: soft break or layout


class _Normaliser(HTMLParser):
    """A flat, canonical token list of an HTML fragment (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0  # inside <pre>: text is kept as is, tags inside are dropped (highlighting)
        self.skip: list[bool] = []  # per open div/a/span: was its start tag dropped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attrs_d = dict(attrs)
        classes = (attrs_d.get("class") or "").split()
        if tag == "a" and "headerlink" in classes:
            self.skip.append(True)
            self.pre += 1000  # drop the permalink's text: counted like code-internal text, then removed
            return
        if tag in ("div", "span", "a", "code") and (self.pre or "highlight" in classes):
            self.skip.append(True)
            return
        if tag in ("div", "span", "a", "code"):
            self.skip.append(False)
        if tag == "pre":
            self.pre += 1
            self.out.append("<pre><code>")
            return
        if re.fullmatch(r"h[1-6]", tag):
            attrs = [(k, v) for k, v in attrs if k != "id"]
        kept = sorted((k, html.escape(v or "", quote=True)) for k, v in attrs)
        self.out.append("<" + tag + "".join(f' {k}="{v}"' for k, v in kept) + ">")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("div", "span", "a") and self.skip:
            self.skip.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "span", "a", "code"):
            if tag == "code" and self.pre and not self.skip:
                return
            dropped = self.skip.pop() if self.skip else False
            if tag == "a" and self.pre >= 1000:
                self.pre -= 1000
                return
            if dropped:
                return
            if tag == "code" and self.pre:
                return
        if tag == "pre":
            self.pre -= 1
            if self.out[-1] == "<pre><code>":
                self.out.append("\n")  # empty code: Pygments always ends code with a newline
            self.out.append("</code></pre>")
            return
        if self.pre and tag in ("code",):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.pre >= 1000:
            return
        if self.pre:
            self.out.append(html.escape(data, quote=False))
            return
        text = re.sub(r"[ \t]*\n[ \t\n]*", NEWLINE, data)
        text = re.sub(r"[ \t]+", " ", text)
        self.out.append(html.escape(text, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def _is_block(token: str) -> bool:
    m = re.match(r"</?([a-z0-9]+)", token)
    return bool(m) and (m.group(1) in BLOCK_TAGS or token.startswith("<pre><code") or token == "</code></pre>")


def normalise(fragment: str) -> str:
    """Canonical form of an HTML fragment for comparing renderers (see the module docstring)."""
    parser = _Normaliser()
    parser.feed(fragment)
    parser.close()
    return _join(parser.out)


def _join(tokens: list[str]) -> str:
    pieces: list[str] = []
    in_pre = False
    for tok in tokens:
        if tok.startswith("<pre><code"):
            in_pre = True
            if pieces and not pieces[-1].startswith("<"):
                pieces[-1] = pieces[-1].rstrip(" " + NEWLINE)
            pieces.append(tok)
        elif tok == "</code></pre>":
            in_pre = False
            pieces.append(tok)
        elif in_pre:
            pieces.append(tok)
        elif tok.startswith("<"):
            if _is_block(tok) and pieces and not pieces[-1].startswith("<"):
                pieces[-1] = pieces[-1].rstrip(" " + NEWLINE)
            if tok in ("<br>", "<br />"):
                tok = "<br>"
                if pieces and not pieces[-1].startswith("<"):
                    pieces[-1] = pieces[-1].rstrip(" ")
            pieces.append(tok)
        else:
            if pieces and (_is_block(pieces[-1]) or pieces[-1] == "<br>"):
                tok = tok.lstrip(" " + NEWLINE)
            if pieces and not pieces[-1].startswith("<"):
                pieces[-1] += tok
            else:
                pieces.append(tok)
    result = "".join(p for p in pieces if p).strip(" " + NEWLINE)  # the fragment's own ends are layout
    # A newline left in text is a soft break: shown as <br> on the site.
    return result.replace(NEWLINE, "<br>").replace("<br><br>", "<br>")


def render_function():
    """A function rendering one Markdown text with the site's extensions and the Obsidian layer."""
    sys.path.insert(0, str(ROOT))
    import markdown

    from hooks import state
    from hooks.vault import VaultIndex
    from tests.helpers import markdown_setup  # the extensions and their settings from mkdocs.yml

    exts, configs = markdown_setup()
    state.markdown_config = (exts, configs)
    md = markdown.Markdown(extensions=exts, extension_configs=configs)

    def render(text: str) -> str:
        vault = VaultIndex()
        vault.add_note("note.md", text.encode("utf-8"))
        build = state.Build(vault)
        state.current = build
        build.begin_page("note.md", text)
        return md.reset().convert(text)

    return render


@dataclass
class Result:
    example: Example
    got: str
    passed: bool


def run(spec: Path) -> list[Result]:
    render = render_function()
    results = []
    for ex in read_spec(spec):
        try:
            got = render(ex.markdown)
        except Exception as exc:  # a crash is a failure of that example, shown with --show
            got = f"<!-- exception: {type(exc).__name__}: {exc} -->"
        results.append(Result(ex, got, normalise(got) == normalise(ex.html)))
    return results


def by_section(results: list[Result]) -> dict[str, tuple[int, int]]:
    table: dict[str, tuple[int, int]] = {}
    for r in results:
        ok, total = table.get(r.example.section, (0, 0))
        table[r.example.section] = (ok + r.passed, total + 1)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, default=SPEC)
    ap.add_argument("--show", action="append", default=[], help="print the failures of this section")
    ap.add_argument("--example", type=int, action="append", default=[], help="print this example")
    ap.add_argument("--failures", action="store_true", help="list failing example numbers per section")
    args = ap.parse_args(argv)
    if not args.spec.is_file():
        print(f"skipped: the CommonMark spec is not at {args.spec} (it stays outside the repository)")
        return 0
    results = run(args.spec)
    table = by_section(results)
    width = max(map(len, table))
    for section, (ok, total) in table.items():
        mark = "*" if section in BLOCK_SECTIONS else "+" if section in INLINE_SECTIONS else " "
        print(f"{mark} {section:<{width}}  {ok:>3}/{total:<3}  {100 * ok / total:5.1f}%")
    ok = sum(r.passed for r in results)
    print(f"  {'all':<{width}}  {ok:>3}/{len(results):<3}  {100 * ok / len(results):5.1f}%")
    if args.failures:
        for section in table:
            failed = [r.example.number for r in results if r.example.section == section and not r.passed]
            if failed:
                print(f"{section}: {' '.join(map(str, failed))}")
    for r in results:
        if (r.example.section in args.show and not r.passed) or r.example.number in args.example:
            print(f"--- example {r.example.number} ({r.example.section}) {'ok' if r.passed else 'FAIL'}")
            print(r.example.markdown.replace("\t", "→"), end="")
            print("--- expected\n" + normalise(r.example.html))
            print("--- got\n" + normalise(r.got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
