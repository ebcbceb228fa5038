"""The Obsidian layer, in the order it runs on each page: read this file first.

One Python-Markdown extension (``hooks.pipeline`` in mkdocs.yml) that registers each feature's
processors with an explicit priority relative to the stock ones. Higher priority runs first.

Preprocessors (on lines):
    32   obsidian-comments      %%…%% removed (never in HTML or search); fenced code keeps them
    31   obsidian-blocks        block structure read the CommonMark way (markdown-it-py): every leaf
                                re-emitted at the margin between container markers; indented code
                                and fences as canonical fences; link reference definitions taken out into
                                md.references (hooks.obsidian.blocks)
    30   normalize_whitespace   the stock one, replaced: tabs and lines of spaces kept inside fenced code
    (25  fenced_code_block      superfences stashes fenced code; everything below sees placeholders)
    22   obsidian-html-markdown Markdown inside <details>/<div> as on GitHub
    21   obsidian-not-markup    a '&#' that starts no character reference, and a '</x' left open at a
                                line's end, marked so the HTML block parser reads them as text (the
                                mark is removed by a tree- and a postprocessor)
    (20  html_block             raw HTML stashed)
(superfences custom fence, mkdocs.yml: ```python exec="cpu"``` → code + output + badge,
 hooks.examples.fence; the blocks already ran before rendering, see hooks.examples)
Block processors (on blocks):
    110  obsidian-containers    container markers → <ul>/<ol>/<li>/<blockquote>/callouts, <hN>, <hr>
    80   obsidian-math-paragraph '$$a$$ text … $$b$$' is a paragraph, not one display block (arithmatex at 79.9)
    70   hashheader             '# Heading' needs a space; '#tag' is not a heading
    21   obsidian-callout       > [!type] callouts in Markdown the block reader did not see (inside
                                raw HTML); the stock blockquote at 20 gets Obsidian's list rules there
Inline processors (on text; code spans at 190 go first, except bindings):
    191  example-binding        `=name|40.0 GB` → a value computed by the note's exec blocks
    190  backtick               CommonMark code spans (inlinehilite's, replaced; hooks.obsidian.codespans)
    189.95 obsidian-math        inline $$…$$, \\[…\\], \\( $…$ \\) (before arithmatex at 189.9)
    185  obsidian-wikilink      [[note#h|text]], ![[embeds]] (before escapes, so [[a\\|b]] works in tables)
    184  autolink               <scheme:…>, <a@b.c> per CommonMark (hooks.obsidian.autolinks)
    183  link, image_link       [text](url "t"), [text][ref], ![alt](src) per CommonMark (hooks.obsidian.links;
                                replaces the six stock link/reference/image processors)
    181  html                   raw inline HTML per the spec's grammar (hooks.obsidian.inline_html), before
                                escapes: a backslash inside a tag is no escape
    180  escape                 every ASCII punctuation escapable; '\\' at a line's end is <br> (hooks.obsidian.escapes)
    80   entity                 only real character references (hooks.obsidian.inline_html)
    75   obsidian-tag           #tags
    65   obsidian-highlight     ==highlight== (before the emphasis processors at 60)
    (nl2br                      single newlines are line breaks, Obsidian's default)
Tree processors (on the element tree):
    7    obsidian-block-ids     '^id' ending a paragraph or list item becomes its id
    6    obsidian-heading-ids   GitHub slugs, unique against hand-written ids (before toc at 5)
"""

from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.nl2br import BR_RE, SubstituteTagInlineProcessor
from pymdownx.highlight import HighlightExtension

from hooks.examples import bindings
from hooks.obsidian import (autolinks, blockids, blocks, callouts, codespans, comments, escapes, fences, headings, highlights,
                            html_blocks, inline_html, links, math, tags, wikilinks)


class ObsidianExtension(Extension):
    def __init__(self, **kwargs) -> None:
        self.config = {
            "line_breaks": [True, "Show single newlines as line breaks (Obsidian's 'strict line breaks' off)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        keep_blank_code_lines(md)
        comments.register(md, 32)
        blocks.register(md, 31, block_priority=110)
        fences.register(md)
        html_blocks.register(md, 22)
        headings.register(md, header_priority=70, id_priority=6)
        callouts.register(md, 21)
        bindings.register(md, 191)
        codespans.register(md, 190)
        math.register(md, 189.95)
        wikilinks.register(md, 185)
        autolinks.register(md, 184)
        links.register(md, 183)
        escapes.register(md, 180)
        inline_html.register(md, html_priority=181, entity_priority=80)
        tags.register(md, 75)
        highlights.register(md, 65)
        blockids.register(md, 7)
        if self.getConfig("line_breaks"):
            md.inlinePatterns.register(SubstituteTagInlineProcessor(BR_RE, "br"), "nl", 5)


def keep_blank_code_lines(md: Markdown) -> None:
    """Obsidian shows a code block's leading and trailing blank lines; Pygments strips them unless
    told not to (pymdownx.highlight's stripnl, read by superfences on every page)."""
    for ext in md.registeredExtensions:
        if isinstance(ext, HighlightExtension):
            ext.setConfig("stripnl", False)


def makeExtension(**kwargs) -> ObsidianExtension:
    return ObsidianExtension(**kwargs)
