"""Markdown inside HTML blocks renders as on GitHub.

GitHub renders the Markdown between ``<details>``/``<div>`` tags (after a blank line); Python-Markdown
keeps such blocks raw unless they carry ``markdown="1"``. This preprocessor adds the attribute
(``markdown="span"`` on ``<summary>``) so md_in_html parses the content.

Two fragments that are not markup upset that HTML block parser, which reads the whole note,
code spans included: a ``&#`` that starts no character reference (``&#`` in a note about
entities), once a ``;`` follows anywhere later, and an end tag left open at the end of a line
(``</a`` in a code span) inside a ``<details>``/``<div>`` block. Inline HTML after the first lost
characters (``<kbd>Ctrl</kbd>`` came out as ``<kbd>Ctrlbd&gt;``); the second closed its block twice.
Either way the page's HTML was malformed. Their ``&`` or ``<`` is marked with a NUL before the
parser sees it (it then reads a lone ``&`` or ``<``, as text) and the mark is removed again: from the
element tree before headings get their ids and the table of contents is made, and from the raw
HTML put back at the end.

The raw HTML policy (:mod:`hooks.html_policy`: no scripts, handlers, ``srcdoc``, script or non-image
``data:`` URLs) is applied here to the finished page: to every raw HTML fragment before it is put
back, and to the attributes of every element (Markdown links, ``{attr=lists}``, md_in_html blocks).
What breaks it is reported at ``file:line`` and neutralised, so even a non-strict build never runs it.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from hooks import html_policy, state

# A line of nothing but inline/paragraph tags, e.g. "<p><strong>" opening an answer whose Markdown
# follows after a blank line (GitHub ends the HTML block there and renders the Markdown).
TAGS_ONLY = re.compile(r"^\s*(?:</?(?:p|strong|b|em|i|span|u|mark)\b[^>]*>\s*)+$", re.I)
CLOSE_CONTAINER = re.compile(r"</(?:details|div|section)\s*>", re.I)
OPEN_TAG = re.compile(r"^(?P<lead>[ ]{0,3}<(?P<tag>details|div|section|summary)\b)(?P<attrs>[^>]*)>", re.I)


class HtmlMarkdownPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out = []
        depth = 0  # open <details>/<div> blocks whose content is Markdown
        for line in lines:
            m = OPEN_TAG.match(line)
            if m and "markdown=" not in m.group("attrs"):
                tag = m.group("tag").lower()
                mode = "span" if tag == "summary" else "1"
                line = f'{m.group("lead")}{m.group("attrs")} markdown="{mode}">' + line[m.end():]
                depth += tag != "summary"
            elif depth and TAGS_ONLY.match(line):
                # Kept verbatim as its own raw block, so the Markdown around it still renders and the
                # browser balances the tags as it does on GitHub (nothing is sanitised).
                out.extend(["", self.md.htmlStash.store(line.strip()), ""])
                continue
            depth = max(0, depth - len(CLOSE_CONTAINER.findall(line)))
            out.append(line)
        return out


NOT_MARKUP = re.compile(r"&(?=#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]))|<(?=/[A-Za-z][^>]*$)")
MARK = "\x00"


class NotMarkupPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return [NOT_MARKUP.sub(lambda m: m.group() + MARK, line) if "&#" in line or "</" in line else line
                for line in lines]


class RemoveMarkFromTree(Treeprocessor):
    def run(self, root) -> None:
        for el in root.iter():
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if value and MARK in value:
                    kept = value.replace(MARK, "")
                    setattr(el, attr, AtomicString(kept) if isinstance(value, AtomicString) else kept)
            for key, value in el.attrib.items():
                if MARK in value:
                    el.set(key, value.replace(MARK, ""))


class RemoveMark(Postprocessor):
    def run(self, text: str) -> str:
        return text.replace(MARK, "")


def _report(md: Markdown, patterns: list[str], shown: str, reason: str, tree: bool = False) -> None:
    build = state.current
    if build is None or build.page is None or getattr(md, "llm_kb_nested", False):
        return  # an embed or an example's output: the embedded note's own page reports it
    shown = " ".join(shown.split())
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    what, done = ("HTML attribute", "removed from the page") if tree else ("raw HTML", "the tag is shown as text")
    build.problem(f"{what} {shown!r}: {reason}; {done}", html_policy.HINT, line=_locate(build, patterns),
                  level="error")


_located: dict = {"source": None, "prose": "", "used": set()}  # the page being checked


def _locate(build, patterns: list[str]) -> int:
    """The line of a finding: its first occurrence in the note's body outside code (a copy in a code
    span or the front matter is not it) that overlaps no earlier finding's."""
    if _located["source"] is not build.source:
        body_start = sum(len(line) + 1 for line in build.source.split("\n")[: build.line_offset])
        front = re.sub(r"[^\n]", " ", build.source[:body_start])  # blanked, its lines kept
        _located.update(source=build.source, used=set(), prose=front + html_policy.prose(build.source[body_start:]))
    text, used = _located["prose"], _located["used"]
    for pattern in patterns:
        matches = [m for m in re.finditer(pattern, text, re.I)
                   if not any(start < m.end() and m.start() < end for start, end in used)]
        # An occurrence that starts its line first: a raw HTML block begins a line, and the same text
        # inside an earlier line's attribute (data:text/html,<script>…) is not it.
        starts_line = [m for m in matches if not text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip(" \t>")]
        for m in starts_line or matches:
            used.add(m.span())
            return text.count("\n", 0, m.start()) + 1
    return 0


class RawHtmlPolicy(Postprocessor):
    """Raw HTML fragments (before raw_html, at 30, puts them back) made inert where they break the policy."""

    def run(self, text: str) -> str:
        # Python-Markdown's toc runs every postprocessor again for each heading's text: each stashed
        # fragment is checked (and reported) once per page.
        stash = self.md.htmlStash
        blocks = stash.rawHtmlBlocks
        seen = getattr(stash, "llm_kb_checked", None)
        if seen is None or seen[0] is not blocks:  # a new page: reset() made a new list
            seen = stash.llm_kb_checked = (blocks, [0])
        start, seen[1][0] = seen[1][0], len(blocks)
        for i, block in enumerate(blocks[start:], start):
            if isinstance(block, str):
                clean, findings = html_policy.sanitize_fragment(block)
                for f in findings:
                    _report(self.md, [re.escape(block), re.escape(f.tag(block))], f.tag(block), f.reason)
                blocks[i] = clean
            else:
                for patterns, shown, reason in html_policy.sanitize_tree(block):
                    _report(self.md, patterns, shown, reason, tree=True)
        return text


class ElementPolicy(Treeprocessor):
    """Attributes of the page's elements (Markdown links, attr_list, md_in_html) checked last."""

    def run(self, root) -> None:
        for patterns, shown, reason in html_policy.sanitize_tree(root):
            _report(self.md, patterns, shown, reason, tree=True)


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(HtmlMarkdownPreprocessor(md), "obsidian-html-markdown", priority)
    # Between this preprocessor and md_in_html's HTML block parser (20); the mark goes last.
    md.preprocessors.register(NotMarkupPreprocessor(md), "obsidian-not-markup", 21)
    md.treeprocessors.register(RemoveMarkFromTree(md), "obsidian-not-markup", 7.5)  # before ids (6), toc (5)
    md.postprocessors.register(RemoveMark(md), "obsidian-not-markup", 1)
    md.treeprocessors.register(ElementPolicy(md), "llm-kb-html-policy", 1.5)  # after inline (20), attr_list (8)
    md.postprocessors.register(RawHtmlPolicy(md), "llm-kb-html-policy", 31)
