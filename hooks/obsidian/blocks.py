"""Block structure decided the CommonMark way, before Python-Markdown's block parser sees the page.

Obsidian reads block structure as CommonMark does (list items nest by their content column, lazy
continuation lines, a fence may be indented 1–3 spaces and closed by a longer fence, a change of
bullet starts a new list, tabs count to the next tab stop …); Python-Markdown follows the original
Markdown's 4-space rules. So the page is parsed first by markdown-it-py, a CommonMark parser, for
its blocks only (no inline parsing), and re-emitted as a flat sequence of leaf blocks, each at the
left margin and separated by blank lines, between *marker* lines that stand for the containers:

    \\x1a3\\x1a            open container 3 (a record: <ul>, <ol start=…>, <li> tight or loose,
                          <blockquote>, an Obsidian callout), or a leaf made here (<hN>, <hr>)
    …leaves…
    \\x1a/3\\x1a           close container 3

Python-Markdown and pymdown then handle every leaf as at the top level of a page: superfences
stashes canonical fences (indented code is re-emitted as a fence, so its tabs stay), tables,
footnotes, definitions, ``$$`` math, raw HTML and paragraphs render as before; the
:class:`ContainerProcessor` turns the markers back into real elements, so the tree processors that
come later (task lists, block ids, callout ids, table of contents) see ``<li>`` and ``<blockquote>``
as before. A tight list item's paragraphs are unwrapped into the item, as CommonMark renders them.

Link reference definitions are CommonMark's too (markdown-it-py's rule: definitions over several
lines, a definition cannot interrupt a paragraph, the first of a label wins): they are taken out of
the page and handed to Python-Markdown's ``md.references`` (read by :mod:`hooks.obsidian.links`);
a footnote definition ``[^1]:`` shares their shape and is left to the footnotes extension. URLs are
normalised as :mod:`hooks.obsidian.links` does, and a script URL is kept for hooks/html_policy.py to
remove and report, as for every link.

Not taken from CommonMark: HTML blocks end where CommonMark ends them, then
Python-Markdown's own raw HTML handling runs on them (Markdown inside ``<details>``, see
:mod:`hooks.obsidian.html_blocks`). A ``$$`` display block is one leaf even when a TeX line in
it looks like a list item or a heading.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown import Markdown, util
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.reference import reference
from markdown_it.token import Token
from pymdownx.superfences import RE_NESTED_FENCE_START

from hooks import timing
from hooks.obsidian import callouts
from hooks.obsidian.links import normalize_url
from hooks.obsidian.textscan import DISPLAY_MARK

MARK = "\x1a"  # never in a note (removed first): brackets a container's number on a marker line
MARKER = re.compile(r"^\x1a(/?)(\d+)\x1a$")
CALLOUT_HEADER = re.compile(r"^\[!(?P<type>[^\]\s|]+)(?:\|(?P<meta>[^\]]*))?\](?P<fold>[+-]?)(?:[ \t]+(?P<title>.*?))?[ \t]*$")
# A language as superfences takes it: an info string it would refuse (the fence then showed as a
# paragraph) keeps only its first word, CommonMark's language, or nothing.
# HTML blocks whose Markdown inside renders (GitHub's way, hooks.obsidian.html_blocks): left to
# Python-Markdown's HTML parser. Every other HTML block is kept verbatim, as CommonMark does.
MARKDOWN_INSIDE = re.compile(r"</?(?:details|div|section|summary)\b", re.I)
LANGUAGE = re.compile(r"^[\w#.+-]+$")


@dataclass
class Record:
    """One element the markers stand for."""
    tag: str  # ul, ol, li, blockquote, callout, h1…h6, hr
    attrs: dict[str, str] = field(default_factory=dict)
    tight: bool = False  # li: paragraphs unwrapped
    text: str = ""  # heading text, callout title
    fold: str = ""  # callout fold marker
    kind: str = ""  # callout type as written


def _math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``$$`` … ``$$`` on lines of their own: one leaf, whatever its TeX lines look like."""
    if state.is_code_block(start):
        return False
    pos, line_end = state.bMarks[start] + state.tShift[start], state.eMarks[start]
    first = state.src[pos:line_end]
    if not first.startswith("$$") or len(DISPLAY_MARK.findall(first)) % 2 == 0:
        return False
    last = start + 1
    while last < end:
        if state.isEmpty(last) or state.sCount[last] < state.blkIndent:
            return False  # a blank line or the container's end comes first: not a block
        line = state.src[state.bMarks[last] + state.tShift[last]:state.eMarks[last]]
        if DISPLAY_MARK.search(line):
            break
        last += 1
    else:
        return False
    if silent:
        return True
    token = state.push("math_block", "", 0)
    token.content = state.getLines(start, last + 1, state.blkIndent, False)
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _reference(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """CommonMark's link reference definition, except a footnote definition ``[^1]: …``."""
    if state.src.startswith("[^", state.bMarks[start] + state.tShift[start]):
        return False
    return reference(state, start, end, silent)


def _parser() -> MarkdownIt:
    # The preset's nesting limit (20) drops everything deeper without a word; Obsidian nests on.
    # markdown-it's recursion per level is shallow (300 levels parse); the element tree built from
    # it stops nesting near Python's recursion limit (ContainerProcessor).
    parser = MarkdownIt("commonmark", {"maxNesting": 1000})
    # Blocks only (and link reference definitions, see the module docstring).
    parser.disable(["inline", "text_join"])
    parser.block.ruler.at("reference", _reference)
    parser.normalizeLink = normalize_url  # type: ignore[method-assign]
    parser.validateLink = lambda url: True  # type: ignore[method-assign]  # html_policy judges URLs
    parser.block.ruler.before("code", "math_block", _math_block,
                              {"alt": ["paragraph", "blockquote", "list"]})
    return parser


PARSER = _parser()


class Emitter:
    """Re-emits markdown-it's block tokens as leaves at the margin between marker lines."""

    def __init__(self, records: list[Record], stash=None) -> None:
        self.records = records
        self.stash = stash or (lambda html: html)
        self.out: list[str] = []

    def marker(self, record: Record) -> int:
        self.records.append(record)
        number = len(self.records) - 1
        self.block([f"{MARK}{number}{MARK}"])
        return number

    def close(self, number: int) -> None:
        self.block([f"{MARK}/{number}{MARK}"])

    def block(self, lines: list[str]) -> None:
        self.out.extend(lines)
        self.out.append("")

    def emit(self, tokens: list[Token], i: int = 0, stop: int | None = None) -> None:
        stop = len(tokens) if stop is None else stop
        while i < stop:
            i = self.token(tokens, i)

    def token(self, tokens: list[Token], i: int) -> int:
        tok = tokens[i]
        kind = tok.type
        if kind.endswith("_open"):
            close = _closing(tokens, i)
            if kind == "paragraph_open":
                self.paragraph(tokens[i + 1].content)
            elif kind == "heading_open":
                self.marker(Record(tok.tag, text=tokens[i + 1].content))
            elif kind == "blockquote_open":
                self.quote(tokens, i, close)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = tok.attrGet("start")
                attrs = {"start": str(start)} if start is not None and int(start) != 1 else {}
                number = self.marker(Record(tok.tag, attrs))
                self.emit(tokens, i + 1, close)
                self.close(number)
            elif kind == "list_item_open":
                paragraphs = [t for t in tokens[i + 1:close] if t.type == "paragraph_open" and t.level == tok.level + 1]
                number = self.marker(Record("li", tight=any(p.hidden for p in paragraphs)))
                self.emit(tokens, i + 1, close)
                self.close(number)
            else:  # tables and other blocks the commonmark preset does not make: never here
                self.emit(tokens, i + 1, close)
            return close + 1
        if kind == "hr":
            self.marker(Record("hr"))
        elif kind == "code_block":
            self.fence(_fence_for(tok.content), "", tok.content)
        elif kind == "fence":
            self.fence(tok.markup, _info(tok.markup + tok.info), tok.content)
        elif kind == "html_block" and not MARKDOWN_INSIDE.search(tok.content):
            # Raw HTML as CommonMark ends it, kept verbatim (no <p> around it, no Markdown in it).
            self.marker(Record("html", text=self.stash(tok.content.rstrip("\n"))))
        elif kind in ("html_block", "math_block"):
            lines = tok.content.rstrip("\n").split("\n")
            # Up to 3 spaces before the first tag change nothing in CommonMark; Python-Markdown's
            # HTML block parser (Markdown inside <div>/<details>) needs the tag at the margin.
            lead = min(3, len(lines[0]) - len(lines[0].lstrip(" ")))
            self.block([line[min(lead, len(line) - len(line.lstrip(" "))):] for line in lines])
        return i + 1

    def paragraph(self, content: str) -> None:
        lines = content.split("\n")
        # A continuation line that Python-Markdown would read as a heading or a quote (CommonMark
        # made it part of the paragraph: it was indented 4 or more) keeps its character escaped.
        self.block(lines[:1] + ["\\" + line if line[:1] in "#>" and line else line for line in lines[1:]])

    def fence(self, fence: str, info: str, content: str) -> None:
        body = content[:-1].split("\n") if content else []
        self.block([fence + info, *body, fence])

    def quote(self, tokens: list[Token], i: int, close: int) -> None:
        first = tokens[i + 1] if i + 1 < close else None
        header = None
        if first is not None and first.type == "paragraph_open":
            head, _, rest = tokens[i + 2].content.partition("\n")
            header = CALLOUT_HEADER.match(head)
        if header is None:
            number = self.marker(Record("blockquote"))
            self.emit(tokens, i + 1, close)
            self.close(number)
            return
        number = self.marker(Record("callout", text=header.group("title") or "", fold=header.group("fold"),
                                    kind=header.group("type"), attrs={"meta": header.group("meta") or ""}))
        if rest.strip():
            self.paragraph(rest)
        self.emit(tokens, _closing(tokens, i + 1) + 1, close)
        self.close(number)


def _info(opening: str) -> str:
    """The info string superfences will accept for this opening fence line."""
    m = RE_NESTED_FENCE_START.match(opening)
    info = opening.lstrip(opening[0])
    if m and not m.group("unrecognized"):
        return info
    words = info.split()
    return " " + words[0] if words and LANGUAGE.match(words[0]) else ""


def _closing(tokens: list[Token], i: int) -> int:
    """Index of the token closing the one opened at ``i``."""
    level = tokens[i].level
    closing = tokens[i].type[:-5] + "_close"
    j = i + 1
    while not (tokens[j].type == closing and tokens[j].level == level):
        j += 1
    return j


def _fence_for(content: str, base: str = "```") -> str:
    """A fence no line of the code can close: longer than any run of its character at a line start."""
    char = base[0]
    runs = [len(m.group()) for m in re.finditer(rf"^[ ]*({re.escape(char)}+)", content, re.M)]
    return char * max(len(base), 3, *(run + 1 for run in runs))


def restructure(lines: list[str], records: list[Record], stash=None,
                references: dict[str, tuple[str, str | None]] | None = None) -> list[str]:
    """The page as leaves between container markers (see the module docstring); ``stash`` keeps a
    raw HTML block and returns its placeholder; the page's link reference definitions are added to
    ``references`` (normalised label → (URL, title)), the first of a label winning."""
    source = "\n".join(lines).replace(MARK, "")
    emitter = Emitter(records, stash)
    env: dict = {}
    try:
        tokens = PARSER.parse(source, env)
    except RecursionError:  # nesting beyond any note's: Python-Markdown reads the page its own way
        return source.split("\n")
    if references is not None:
        for label, ref in env.get("references", {}).items():
            references.setdefault(label, (ref["href"], ref["title"] or None))
    emitter.emit(tokens)
    return emitter.out


class BlockStructurePreprocessor(Preprocessor):
    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.records: list[Record] = []

    def run(self, lines: list[str]) -> list[str]:
        self.records.clear()  # one page per run (Markdown.reset keeps the processors)
        with timing.part("block structure (markdown-it)"):
            return restructure(lines, self.records, self.md.htmlStash.store, self.md.references)


class ContainerProcessor(BlockProcessor):
    """Turns marker blocks back into the elements they stand for."""

    def __init__(self, parser, records: list[Record]) -> None:
        super().__init__(parser)
        self.records = records

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.startswith(MARK) and MARKER.match(block) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        closing, number = MARKER.match(blocks.pop(0)).groups()
        index = int(number)
        if closing or index >= len(self.records):
            return  # a marker whose container was opened elsewhere (raw HTML around it): nothing to build
        record = self.records[index]
        if record.tag == "hr":
            etree.SubElement(parent, "hr")
            return
        if record.tag == "html":
            last = parent[-1] if len(parent) else None
            if last is None:
                parent.text = AtomicString((parent.text or "") + record.text)
            else:
                last.tail = AtomicString((last.tail or "") + record.text)
            return
        if record.tag.startswith("h") and record.tag[1:].isdigit():
            etree.SubElement(parent, record.tag).text = record.text
            return
        end = f"{MARK}/{index}{MARK}"
        inner: list[str] = []
        while blocks and blocks[0] != end:
            inner.append(blocks.pop(0))
        if blocks:
            blocks.pop(0)
        if record.tag == "callout":
            element = callouts.box(parent, record.kind, record.fold, record.text, record.attrs.get("meta", ""))
        else:
            element = etree.SubElement(parent, record.tag, record.attrs)
        if util.nearing_recursion_limit():  # absurd nesting: the rest is shown as text
            element.text = "\n\n".join(b for b in inner if not MARKER.match(b))
            return
        self.parser.parseBlocks(element, inner)
        if record.tight:
            _unwrap_paragraphs(element)


def _unwrap_paragraphs(item: etree.Element) -> None:
    """A tight list item shows its paragraphs' text without <p> (as Python-Markdown's tight lists)."""
    for p in [child for child in item if child.tag == "p" and not child.attrib]:
        index = list(item).index(p)
        text = p.text or ""
        if index == 0:
            item.text = (item.text or "") + text
        else:
            prev = item[index - 1]
            prev.tail = (prev.tail or "") + text
        children = list(p)
        item.remove(p)
        for offset, child in enumerate(children):
            item.insert(index + offset, child)
        if children:
            children[-1].tail = (children[-1].tail or "") + (p.tail or "")


def register(md: Markdown, priority: float, block_priority: float) -> None:
    pre = BlockStructurePreprocessor(md)
    md.preprocessors.register(pre, "obsidian-blocks", priority)
    md.parser.blockprocessors.register(ContainerProcessor(md.parser, pre.records), "obsidian-containers", block_priority)
