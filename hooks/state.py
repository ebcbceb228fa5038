"""What one build knows, shared between the MkDocs hooks and the Markdown extensions.

MkDocs renders pages one at a time (``on_page_markdown`` → Markdown conversion →
``on_page_content``), so the page being rendered is set here by the hooks and read by the
extensions. Every stage attaches what it learns about a page to that page's :class:`PageData`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from hooks.problems import Problem, report
from hooks.vault import VaultIndex


@dataclass
class PageData:
    """Everything the render stage learned about one page, for the site-wide outputs."""

    path: str
    title: str = ""
    url: str = ""
    tags: list[str] = field(default_factory=list)  # front matter first, then inline, no duplicates
    links: list[tuple] = field(default_factory=list)  # (target path, anchor, line, is_embed)
    ids: set[str] = field(default_factory=set)  # the ids of its elements, for anchors in links to it

    def add_tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)


@dataclass
class Build:
    vault: VaultIndex
    pages: dict[str, PageData] = field(default_factory=dict)
    page: PageData | None = None
    source: str = ""  # the note's full text
    line_offset: int = 0  # lines of front matter before the Markdown that is rendered
    problems: list[Problem] = field(default_factory=list)
    examples: dict = field(default_factory=dict)  # page path -> list of (Block, Result)
    example_stats: object = None
    nav: object = None  # the sidebar renderer (hooks.site.nav.NavRenderer), set in on_nav

    def examples_source(self) -> str:
        """Whose blocks a binding or an exec block being rendered belongs to: the note it is written in
        (inside an embed, the embedded note, at any depth), not the page that shows it."""
        return self.embedding() or self.page.path

    def example_result(self, code: str):
        """The result of this note's next block with this code (blocks render in order)."""
        for block, result in self.examples.get(self.examples_source(), []):
            if block.code == code.rstrip("\n") or block.code == code:
                if id(block) not in self._shown:
                    self._shown.add(id(block))
                    return result
        return None

    def example_value(self, name: str) -> tuple[float | None, str]:
        """A value computed by the blocks of the note it is written in: ``name`` or ``blockid.name``."""
        pairs = self.examples.get(self.examples_source(), [])
        block_id, _, var = name.rpartition(".") if "." in name else ("", "", name)
        found = [(b, r.exports[var]) for b, r in pairs if var in r.exports and (not block_id or b.block_id == block_id)]
        if not found:
            failed = [b for b, r in pairs if r.status in ("failed", "skipped")]
            why = "no block of this note computed it" + (f" ({len(failed)} blocks failed or were skipped)" if failed else "")
            return None, why
        values = {v for _, v in found}
        if len(values) > 1:
            ids = ", ".join(f"{b.block_id}={v!r}" for b, v in found)
            return None, f"several blocks define it with different values ({ids}); write `=blockid.{var}`"
        return found[-1][1], ""

    _embed_chain: list = field(default_factory=list)

    def embedding(self) -> str | None:
        """The note being embedded right now (None while rendering the page's own text)."""
        return self._embed_chain[-1][0] if self._embed_chain else None

    def render_embed(self, path: str, anchor: str | None, link: str) -> str:
        """HTML of an embedded note (or its section), rendered by the same pipeline."""
        from hooks import escape, frontmatter

        here = (self.page.path if self.page else "?", None)
        chain = [here, *self._embed_chain]
        key = (path, anchor or None)
        names = " → ".join(p + (f"#{a}" if a else "") for p, a in [*chain, key])
        if key in chain or len(chain) > MAX_EMBED_DEPTH:
            why = "embed cycle" if key in chain else f"embeds nested deeper than {MAX_EMBED_DEPTH}"
            # Named where the embed that closes the chain is written: the embedded note, at its line.
            where = self.embedding() or here[0]
            text = self.vault.notes[where].text if where in self.vault.notes else self.source
            at = text.find(link)
            self.problem(f"{why}: {names}", "remove one of the embeds in this chain",
                         line=text.count("\n", 0, at) + 1 if at >= 0 else 0, level="warning", path=where)
            return (f'<div class="admonition warning llm-kb-embed-stopped"><p>嵌入已停止（{why}）：'
                    f'{escape.html(names)}</p></div>')
        _, body = frontmatter.split(self.vault.notes[path].text, path)
        part = _section(body, anchor)
        if part is None:
            self.problem(f"embed {link}: no heading or block '{anchor}' in {path}", "fix the anchor",
                         line=self.line_of(link), level="error")
            return f'<div class="admonition failure"><p>找不到嵌入的段落：{escape.html(link)}</p></div>'
        self._embed_chain.append(key)
        # The embedded section's exec blocks are matched in order among its own note's blocks, afresh
        # for every embed (the same section may be embedded twice, or also be on its own page).
        saved = (self.source, self.line_offset, self._shown)
        self._shown = set()
        try:
            with nested_markdown() as md:
                html = md.convert(part)
        finally:
            self._embed_chain.pop()
            self.source, self.line_offset, self._shown = saved
        title = self.vault.notes[path].title
        caption = title + (" › " + anchor.lstrip("^") if anchor else "")  # author text: escaped
        return (f'<div class="llm-kb-embed" data-embed="{escape.html(path)}">'
                f'<p class="llm-kb-embed-title">{escape.html(caption)}</p>{html}</div>')

    def begin_page(self, path: str, markdown: str) -> PageData:
        note = self.vault.notes.get(path)
        self.source = note.text if note else markdown
        cut = len(self.source) - len(markdown)
        self.line_offset = self.source[:cut].count("\n") if cut >= 0 and self.source.endswith(markdown) else 0
        data = PageData(path, title=note.title if note else path)
        if note:
            for tag in note.front.tags:
                data.add_tag(tag)
        self.pages[path] = data
        self.page = data
        self._shown: set[int] = set()
        return data

    def line_of(self, snippet: str, body_line: int | None = None) -> int:
        """Line in the note of a body line number (1-based), or of the first occurrence of a snippet."""
        if body_line is not None:
            return body_line + self.line_offset
        at = self.source.find(snippet)
        return self.source.count("\n", 0, at) + 1 if at >= 0 else 0

    def problem(self, message: str, hint: str = "", *, line: int = 0, level: str = "warning",
                path: str | None = None) -> None:
        p = Problem(path or (self.page.path if self.page else "?"), line, message, hint, level)
        self.problems.append(p)
        report(p)


MAX_EMBED_DEPTH = 8
markdown_config: tuple[list, dict] = ([], {})  # the site's Markdown extensions, set in on_config


_idle_renderers: tuple[tuple, list] = ((), [])  # (the markdown_config they were made with, renderers)


@contextmanager
def nested_markdown():
    """A Markdown renderer with the site's extensions, for content rendered inside a page
    (embeds, Markdown printed by an example), reset and ready.

    Why pooled: building a renderer with ~25 extensions costs more than rendering a typical
    embed. A renderer is taken from the pool for the time of one ``convert`` (an embed renders
    inside another one's ``convert``, so a busy renderer is never handed out twice).
    """
    import markdown

    global _idle_renderers
    if _idle_renderers[0] is not markdown_config:
        _idle_renderers = (markdown_config, [])
    idle = _idle_renderers[1]
    if idle:
        md = idle.pop()
    else:
        extensions, configs = markdown_config
        md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        md.llm_kb_nested = True  # its text is not the page's: processors skip reporting page lines
    try:
        yield md.reset()
    finally:
        idle.append(md)


def _section(text: str, anchor: str | None) -> str | None:
    """The part of a note an embed asks for: all of it, a heading's section, or a ^block."""
    import re

    from hooks.slugs import slugify

    if not anchor:
        return text
    lines = text.split("\n")
    if anchor.startswith("^"):
        mark = re.compile(r"(?:^|\s)\^" + re.escape(anchor[1:].strip()) + r"\s*$")
        for i, line in enumerate(lines):
            if mark.search(line):
                start = i
                while start > 0 and lines[start - 1].strip() and not lines[i].lstrip().startswith(("-", "*", "+")):
                    start -= 1
                return "\n".join(lines[start : i + 1])
        return None
    heading = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
    in_fence, level, out = False, 0, []
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        h = None if in_fence else heading.match(line)
        if level:
            if h and len(h.group(1)) <= level:
                break
            out.append(line)
        elif h and slugify(h.group(2)) == slugify(anchor):
            level = len(h.group(1))
    return "\n".join(out) if level else None


current: Build | None = None  # set by hooks.mkdocs_hooks.on_files for the build in progress


def page_path() -> str:
    return current.page.path if current and current.page else "?"
