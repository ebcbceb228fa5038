"""Property-based: Obsidian notes generated from the grammar the vault uses, rendered by the site.

The strategies build notes out of callouts (nested, folded), lists (nested by 2 or 4 spaces or a
tab, ordered and not), tables, math (inline ``$…$``, ``$$…$$`` in a line and display blocks), code
(fences of backticks or tildes, at the top level and in callouts, and inline spans), wikilinks and
embeds, tags, highlights, comments, block ids and inline HTML. Every generated note must:

* render without an exception;
* keep every code block, code span and formula byte-identical (the text of its element, which
  the parser un-escapes);
* come out as well-formed HTML: every tag closed, in order;
* render the same way twice (no state leaks from one render into the next), and the text
  normalisations the layer applies before Markdown are idempotent.

The number of examples comes from the Hypothesis profile (tests/conftest.py): a bounded one in
``make test``, a long one in ``make fuzz``, which prints how many examples ran.
"""

from __future__ import annotations

from html.parser import HTMLParser

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

import markdown

from helpers import markdown_setup, tex_of
from hooks import frontmatter, state
from hooks.obsidian.blocks import MARKER, restructure
from hooks.obsidian.fences import fenced_lines, separate_fences
from hooks.obsidian.lists import normalise_lists
from hooks.obsidian.textscan import strip_comments
from hooks.slugs import slugify
from hooks.vault import VaultIndex, decode

OTHERS = {
    "甲.md": "---\ntitle: 甲\n---\n\n## 一\n\n第一节，带块 ^blk\n\n## 二\n\n第二节 $e^{x}$。\n",
    "乙/丙.md": "---\ntitle: 丙\n---\n\n丙的正文。\n",
}

# -- the grammar ---------------------------------------------------------------------------------
WORDS = ["注意力", "显存", "KV Cache", "English", "，", "。", "（括号）", "a_b", "x*y", "5 美元", "100%", "C#",
         "page#section", "#123", "&amp;", "&lt;", "->", "~", "^", "'", '"', "a|b", "[方括号]", "1.", "-"]
# Characters code may hold: everything Obsidian syntax is made of, tabs and leading spaces too.
CODE_CHARS = st.sampled_from(list("ab xy_*#=%$^|\\<>&[]!{}()'\"-+.:;/~\t") + ["[[甲]]", "==", "%%", "$$", "> [!note]",
                                                                            "#标签", "<b>", "&amp;", "中文", "    "])
TEX_ATOMS = ["x", "y_i", "x^2", "\\alpha", "\\frac{a}{b}", "\\sum_{i=1}^{n}", "a*b*c", "\\{x\\}", "\\_", "\\|v\\|",
             "\\mathbf{W}_q", "2", "+", "-", "=", "\\cdot", "\\sqrt{d}", "(", ")", "[", "]", "|x|", "_", "^", "~", "\\#"]

word = st.sampled_from(WORDS)
code_line = st.lists(CODE_CHARS, min_size=0, max_size=10).map("".join).filter(
    lambda s: not s.lstrip(" \t>").startswith(("```", "~~~")))
span_text = st.lists(CODE_CHARS.filter(lambda c: "\t" not in c), min_size=1, max_size=8).map("".join).map(
    lambda s: s.strip()).filter(lambda s: s and "`" not in s and not s.startswith("="))  # `=name` is a binding
tex = st.lists(st.sampled_from(TEX_ATOMS), min_size=1, max_size=6).map(" ".join)


class Expect:
    """What a generated note promises to keep: code blocks, code spans, inline and display TeX."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.spans: list[str] = []
        self.inline_math: list[str] = []
        self.display_math: list[str] = []


@st.composite
def inline(draw, expect: Expect, in_table: bool = False) -> str:
    kind = draw(st.sampled_from(["word", "word", "code", "math", "link", "tag", "mark", "bold", "html", "comment"]))
    if in_table and kind == "word":
        return draw(word.filter(lambda w: "|" not in w))  # a bare '|' separates the cells
    if kind == "code":
        text = draw(span_text.filter(lambda s: "|" not in s) if in_table else span_text)
        expect.spans.append(text)
        return f"`{text}`"
    if kind == "math":
        formula = draw(tex.filter(lambda s: "|" not in s) if in_table else tex)
        if not in_table and draw(st.booleans()):
            expect.display_math.append(formula)
            return f"$${formula}$$"
        expect.inline_math.append(formula)
        return f"${formula}$"
    if kind == "link":
        bar = "\\|" if in_table else "|"
        return draw(st.sampled_from(["[[甲]]", "[[甲#一]]", f"[[甲#二{bar}别名]]", "[[乙/丙]]", "[[甲#^blk]]", "[[丙]]"]))
    if kind == "tag":
        return draw(st.sampled_from(["#标签", "#llm/推理", "#面试-题"]))
    if kind == "mark":
        return f"=={draw(word.filter(lambda w: '|' not in w))}=="
    if kind == "bold":
        return f"**{draw(word.filter(lambda w: '|' not in w))}**"
    if kind == "html":
        return draw(st.sampled_from(["<kbd>Ctrl</kbd>", '<span class="x">文字</span>', "<sup>2</sup>", "<b>粗</b>"]))
    if kind == "comment":
        return f"%%{draw(word.filter(lambda w: '|' not in w))}%%"
    return draw(word)


@st.composite
def line(draw, expect: Expect, in_table: bool = False) -> str:
    parts = [draw(inline(expect, in_table)) for _ in range(draw(st.integers(1, 5)))]
    return " ".join(parts)


@st.composite
def block(draw, expect: Expect, depth: int = 0) -> list[str]:
    kinds = ["para", "para", "heading", "fence", "math", "list", "table", "quote", "embed", "html"]
    if depth < 3:
        kinds.append("callout")
    kind = draw(st.sampled_from(kinds))
    if kind == "heading":
        return ["#" * draw(st.integers(1, 4)) + " " + draw(line(expect))]
    if kind == "fence":
        # Leading and trailing blank lines of a block are dropped by Pygments (as on any Material
        # site): the first and last line here have text, every line between is kept as it is.
        body = draw(st.lists(code_line, min_size=1, max_size=5).filter(lambda b: b[0].strip() and b[-1].strip()))
        mark = draw(st.sampled_from(["```", "~~~", "````"]))
        expect.blocks.append("\n".join(body) + "\n")
        return [mark + draw(st.sampled_from(["", "text", "python", "bash"])), *body, mark]
    if kind == "math":
        formula = draw(st.lists(tex, min_size=1, max_size=3))
        expect.display_math.append("\n".join(formula))
        return ["$$", *formula, "$$"]
    if kind == "list":
        indent = draw(st.sampled_from(["  ", "    ", "\t"]))
        items, level = [], -1
        for _ in range(draw(st.integers(1, 6))):
            level = draw(st.integers(0, level + 1))  # the first item at the margin, then at most one deeper
            marker = draw(st.sampled_from(["-", "*", "1.", "2)"]))
            items.append(indent * level + f"{marker} " + draw(line(expect)))
        return items
    if kind == "table":
        cols = draw(st.integers(1, 3))
        rows = [[draw(line(expect, in_table=True)) for _ in range(cols)] for _ in range(draw(st.integers(1, 3)))]
        header = [draw(word).replace("|", "") or "列" for _ in range(cols)]
        return ["| " + " | ".join(header) + " |", "|" + "---|" * cols, *("| " + " | ".join(r) + " |" for r in rows)]
    if kind == "quote":
        return ["> " + draw(line(expect))]
    if kind == "embed":
        return [draw(st.sampled_from(["![[甲#二]]", "![[甲#^blk]]", "![[乙/丙]]"]))]
    if kind == "html":
        return ["<details>", f"<summary>{draw(word)}</summary>", "", draw(line(expect)), "", "</details>"]
    if kind == "callout":
        head = f"> [!{draw(st.sampled_from(['note', 'tip', 'question', 'warning', '自定义']))}]" \
               f"{draw(st.sampled_from(['', '-', '+']))} {draw(word)}"
        inner: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            if inner:
                inner.append("")
            inner += draw(block(expect, depth + 1))
        return [head, *("> " + x if x else ">" for x in inner)]
    return [draw(line(expect)) for _ in range(draw(st.integers(1, 3)))]


@st.composite
def note(draw) -> tuple[str, Expect]:
    expect = Expect()
    blocks = [draw(block(expect)) for _ in range(draw(st.integers(1, 6)))]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n", expect


_renderer: list = []


def render(text: str) -> str:
    """helpers.render with one Markdown instance for all examples (reset between renders, as MkDocs
    and the embed pool reuse theirs): building one with the site's extensions costs more than a render."""
    vault = VaultIndex()
    for path, source in {"note.md": text, **OTHERS}.items():
        vault.add_note(path, source.encode("utf-8"))
    state.current = state.Build(vault)
    state.markdown_config = markdown_setup()
    if not _renderer:
        exts, configs = state.markdown_config
        _renderer.append(markdown.Markdown(extensions=exts, extension_configs=configs))
    _, body = frontmatter.split(vault.notes["note.md"].text, "note.md")
    state.current.begin_page("note.md", body)
    return _renderer[0].reset().convert(body)


# -- the properties ------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"}


class Balance(HTMLParser):
    """Checks that every element is closed, in order (void elements excepted)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '(nothing)'}>")
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]
        else:
            self.stack.pop()


def well_formed_errors(html: str) -> list[str]:
    parser = Balance()
    parser.feed(html)
    parser.close()
    return parser.errors + [f"<{t}> never closed" for t in parser.stack]


@given(note())
def test_generated_notes_render_well_formed_with_code_and_math_intact(case):
    text, expect = case
    html = render(text)
    assert well_formed_errors(html) == [], text
    soup = BeautifulSoup(html, "html.parser")
    blocks = [c.get_text() for c in soup.select("pre > code")]
    for body in expect.blocks:
        assert body in blocks, (text, body, blocks)
    spans = [c.get_text() for c in soup.find_all("code") if c.parent.name != "pre"]
    for span in expect.spans:
        assert span in spans, (text, span, spans)
    maths = [tex_of(m) for m in soup.select(".arithmatex")]
    for formula in expect.inline_math:
        assert f"\\({formula}\\)" in maths, (text, formula, maths)
    for formula in expect.display_math:
        assert any(m.startswith("\\[") and m.endswith("\\]") and m[2:-2].strip("\n") == formula for m in maths), \
            (text, formula, maths)
    assert render(text) == html


@given(note())
def test_normalisations_are_idempotent(case):
    text, _ = case
    lines = text.split("\n")
    once = normalise_lists(lines)
    assert normalise_lists(once) == once
    fenced = separate_fences(lines)
    assert separate_fences(fenced) == fenced
    stripped, unclosed = strip_comments(text, fenced_lines(lines))
    assert unclosed is None and strip_comments(stripped, fenced_lines(lines)) == (stripped, None)


@given(note())
def test_block_reader_balances_its_container_markers(case):
    # Every container the CommonMark block reader opens is closed once, after it, on a line of its own.
    text, _ = case
    records: list = []
    out = restructure(text.split("\n"), records)
    opened = [int(m.group(2)) for m in map(MARKER.match, out) if m and not m.group(1)]
    closed = [int(m.group(2)) for m in map(MARKER.match, out) if m and m.group(1)]
    containers = [i for i in opened if records[i].tag in ("ul", "ol", "li", "blockquote", "callout")]
    assert sorted(closed) == sorted(containers) and len(set(opened)) == len(opened)
    for i in containers:
        assert out.index(f"\x1a{i}\x1a") < out.index(f"\x1a/{i}\x1a")


@given(st.booleans(), st.text(st.sampled_from(list("abc 中文\r\n\ufeff\t")), max_size=40))
def test_decoding_is_idempotent(bom, text):
    # One byte-order mark is the encoding's; a second one is a character of the text (kept).
    once, _ = decode(("\ufeff" if bom else "").encode("utf-8") + text.lstrip("\ufeff").encode("utf-8"), "n.md")
    assert decode(once.encode("utf-8"), "n.md")[0] == once
    assert "\r" not in once and not once.startswith("\ufeff")


@given(st.text(st.sampled_from(list("Ab 中文-_.?!（）#`*<>&'") + ["√", "é"]), max_size=30))
def test_heading_slugs_are_idempotent(name):
    assert slugify(slugify(name)) == slugify(name)
