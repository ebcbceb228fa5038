"""Wikilinks ``[[note#heading|text]]`` and embeds ``![[…]]``, resolved the way Obsidian does.

The vault index (built once per build) answers which file a name means; this module only turns
the answer into HTML. Links become ordinary relative ``.md`` links, so MkDocs rewrites them to
page URLs and validates their anchors like any Markdown link. A link to a missing note fails the
strict build with ``file:line``, the link, and the closest existing names.

Embeds: images (``![[x.png|120]]``, ``|120x80``), PDF/audio/video with native elements, and notes
(whole note, a section ``#heading``, or a block ``#^id``) rendered through the same pipeline. Cycles
and chains deeper than ``hooks.state.MAX_EMBED_DEPTH`` stop with a visible notice and a warning naming the chain.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import xml.etree.ElementTree as etree
from urllib.parse import quote, unquote, urlsplit

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from hooks import state
from hooks.slugs import slugify

# Non-greedy parts, so the '\|' that separates the label inside a table cell is not kept in the target.
WIKILINK = r"(?P<embed>!?)\[\[(?P<target>[^\]\|#\n]*?)(?:#(?P<anchor>[^\]\|\n]*?))?(?:\\?\|(?P<label>[^\]\n]*))?\]\]"
IMAGE = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
AUDIO = {".mp3", ".wav", ".ogg", ".m4a", ".flac"}
VIDEO = {".mp4", ".webm", ".mov", ".mkv"}
SIZE = re.compile(r"^(?P<w>\d+)(?:x(?P<h>\d+))?$")


def anchor_id(anchor: str) -> str:
    """The element id an Obsidian anchor points at: a block id keeps its name, a heading is slugged."""
    anchor = anchor.strip()
    return "^" + anchor[1:].strip() if anchor.startswith("^") else slugify(anchor)


def relative_md_link(source: str, target: str) -> str:
    """A link from one vault file to another, as a relative path MkDocs understands."""
    rel = posixpath.relpath(target, posixpath.dirname(source) or ".")
    return quote(rel)


class WikilinkProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        build = state.current
        target, anchor, label = m.group("target").strip(), m.group("anchor"), m.group("label")
        embed = bool(m.group("embed"))
        if build is None or build.page is None:
            el = etree.Element("span")
            el.text = label or target
            return el, m.start(0), m.end(0)
        # Inside an embed, names resolve from the embedded note (as in Obsidian) while hrefs stay
        # relative to the page being rendered, and the links are not the embedding page's own links.
        embedded = build.embedding()
        source = embedded or build.page.path
        line = build.line_of(m.group(0))
        if not target:  # [[#heading]]: a heading of this note
            path = source
        else:
            found = build.vault.resolve(target, source)
            if found.path is None:
                close = build.vault.closest_names(target)
                hint = f"did you mean {', '.join(close)}?" if close else "create the note or fix the name"
                hidden = sorted({f"U+{ord(c):04X}" for c in target if unicodedata.category(c) == "Cf"})
                if hidden:  # a zero-width or direction mark pasted into the name: invisible in the message
                    hint = f"the name contains invisible characters ({', '.join(hidden)}): delete them; " + hint
                build.problem(f"broken link {m.group(0)}: no note or file named '{target}'", hint, line=line,
                              level="error")
                el = etree.Element("span", {"class": "llm-kb-broken-link", "title": f"找不到笔记：{target}"})
                el.text = label or target
                return el, m.start(0), m.end(0)
            if found.candidates:
                build.problem(f"ambiguous link {m.group(0)}: {' and '.join(found.candidates)} share the name; "
                              f"using {found.path} as Obsidian does", "write the folder too, e.g. [[folder/name]]",
                              line=line, level="warning")
            path = found.path
        note = build.vault.notes.get(path)
        if note is not None and not note.published:
            build.problem(f"link {m.group(0)} points to an unpublished note ({path})",
                          "publish that note or remove the link", line=line, level="warning")
            el = etree.Element("span")
            el.text = label or target
            return el, m.start(0), m.end(0)
        if not embedded:
            build.page.links.append((path, anchor, line, embed))
        if embed:
            return self.embed(path, anchor, label, m, note)
        page = build.page.path
        href = "" if path == page else relative_md_link(page, path)
        if anchor:
            href += "#" + anchor_id(anchor)
        # data-preview: Material's instant preview shows the target on hover.
        el = etree.Element("a", {"href": href or "#", "class": "wikilink", "data-preview": ""})
        el.text = label if label else self.display(note.link_text if note is not None and target else target, anchor)
        return el, m.start(0), m.end(0)

    @staticmethod
    def display(shown: str, anchor: str | None) -> str:
        """The text of a link written without one. Obsidian shows the file name ('note > heading');
        the site shows what the note is called (``short_title`` or title, CONTRIBUTING.md), then the
        heading; a block id ('^q-…') is a name for machines, so a link to a block reads as the note."""
        if shown.lower().endswith(".md"):
            shown = shown[:-3]
        if anchor and not (anchor.startswith("^") and shown):
            anchor = anchor.lstrip("^")
            return f"{shown} › {anchor}" if shown else anchor
        return shown

    def embed(self, path: str, anchor: str | None, label: str | None, m: re.Match, note):
        build = state.current
        ext = posixpath.splitext(path)[1].lower()
        src = relative_md_link(build.page.path, path)
        if note is None:
            if ext in IMAGE:
                el = etree.Element("img", {"src": src, "alt": posixpath.basename(path)})
                size = SIZE.match((label or "").strip())
                if size:
                    el.set("width", size.group("w"))
                    if size.group("h"):
                        el.set("height", size.group("h"))
                elif label:
                    el.set("alt", label)
                return el, m.start(0), m.end(0)
            if ext in AUDIO:
                el = etree.Element("audio", {"src": src, "controls": "controls"})
            elif ext in VIDEO:
                el = etree.Element("video", {"src": src, "controls": "controls"})
            elif ext == ".pdf":
                el = etree.Element("iframe", {"src": src, "class": "llm-kb-pdf", "title": posixpath.basename(path)})
            else:
                el = etree.Element("a", {"href": src})
                el.text = label or posixpath.basename(path)
            return el, m.start(0), m.end(0)
        html = build.render_embed(path, anchor, m.group(0))
        placeholder = self.md.htmlStash.store(html)
        return placeholder, m.start(0), m.end(0)


class UnpublishedMarkdownLinks(Treeprocessor):
    """``[text](草稿.md)`` to an unpublished note: a file:line warning, as for ``[[草稿]]`` (MkDocs
    itself only says so at INFO), and the link shown as its text, not a dead link."""

    def run(self, root) -> None:
        build = state.current
        if build is None or build.page is None:
            return
        source = build.embedding() or build.page.path
        for el in root.iter("a"):
            href = el.get("href", "")
            target = unquote(href.split("#")[0])
            if "wikilink" in el.get("class", "") or not target.endswith(".md") or urlsplit(href).scheme \
                    or target.startswith("/"):
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            note = build.vault.notes.get(path)
            if note is not None and not note.published:
                if not getattr(self.md, "llm_kb_nested", False):
                    written = unquote(href)  # as in the note (links.py percent-encodes the URL)
                    build.problem(f"link [{''.join(el.itertext())}]({written}) points to an unpublished note ({path})",
                                  "publish that note or remove the link", line=build.line_of(f"]({written}"),
                                  level="warning")
                el.tag = "span"
                el.attrib.clear()


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(WikilinkProcessor(WIKILINK, md), "obsidian-wikilink", priority)
    # After inline (20), before MkDocs rewrites .md links to URLs (relpath, 0).
    md.treeprocessors.register(UnpublishedMarkdownLinks(md), "obsidian-unpublished-links", 2)
