"""Code spans as CommonMark (and Obsidian) read them.

pymdownx.inlinehilite's code spans (which replace Python-Markdown's) differ from CommonMark in
three ways this module fixes, keeping inlinehilite's rendering (``#!lang`` highlighting included):

* the content is stripped of *all* surrounding spaces; CommonMark strips one space on each side,
  and only when both sides have one and the content is not all spaces (`` `` ` `` `` shows a
  backtick, `` ` a` `` keeps its leading space);
* a line ending inside a span stays a line ending (shown as ``<br>``); CommonMark turns it into a
  space;
* an opening run of backticks without a closing run of the same length was paired with a shorter
  run; CommonMark leaves the whole run literal (```` ```foo`` ```` is text).

Code spans bind tighter than every other inline construct except raw HTML and autolinks that
*start earlier*: ``<a href="`">`` is a tag, not a code span. A span whose opening backtick lies
inside such a tag or autolink is therefore left alone (raw HTML at 90 and autolinks take it).

The value bindings of hooks/examples/bindings.py (`` `=name|value` ``) run just before this
processor and are untouched.
"""

from __future__ import annotations

import re

from markdown import Markdown
from pymdownx.inlinehilite import BACKTICK_CODE_RE, InlineHiliteException, InlineHilitePattern

from hooks.obsidian.inline_html import inside_tag


def find_span(text: str, begin: int) -> tuple[int, int | None]:
    """(content start, content end) of the code span whose opening run starts at ``begin``;
    end None when no closing run of the same length follows (then start is the first character after the run)."""
    start = begin
    while start < len(text) and text[start] == "`":
        start += 1
    ticks = start - begin
    i = start
    while True:
        i = text.find("`", i)
        if i < 0:
            return start, None
        j = i
        while j < len(text) and text[j] == "`":
            j += 1
        if j - i == ticks:
            return start, i
        i = j


def content(src: str) -> str:
    """CommonMark's code span content: line endings as spaces, one space stripped on each side when
    both sides have one and the content is not only spaces."""
    src = src.replace("\n", " ")
    if len(src) >= 2 and src[0] == " " and src[-1] == " " and src.strip(" "):
        src = src[1:-1]
    return src


class CodeSpanProcessor(InlineHilitePattern):
    def handleMatch(self, m: re.Match, data: str):
        if m.group(1):  # escaped backslashes before a backtick: as inlinehilite does
            return super().handleMatch(m, data)
        begin = m.start(0)
        start, end = find_span(data, begin)
        if end is None:
            return None, begin, start  # the whole run is literal text
        if inside_tag(data, begin):
            return None, begin, start
        src = content(data[start:end])
        m2 = self.RE_LANG.match(src)
        lang = ""
        if m2:
            lang = m2.group("lang")
            src = src[m2.end("lang"):].strip()
        self.get_settings()
        try:
            return self.handle_code(lang, src), begin, end + (start - begin)
        except InlineHiliteException:
            raise
        except Exception:  # a formatter that fails shows the span as written, as inlinehilite does
            return m.group(0), begin, m.end(0)


def register(md: Markdown, priority: float = 190) -> None:
    """Replace inlinehilite's code spans (same name and priority), keeping its configuration."""
    stock = md.inlinePatterns["backtick"]
    config = getattr(stock, "config", None)
    if config is None:
        raise RuntimeError("hooks.obsidian.codespans needs pymdownx.inlinehilite before hooks.pipeline in mkdocs.yml")
    md.inlinePatterns.register(CodeSpanProcessor(BACKTICK_CODE_RE, config, md), "backtick", priority)
