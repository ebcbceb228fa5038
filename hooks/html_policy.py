"""What raw HTML a note may contain: decided here once, enforced by the linter and by the build.

Notes are untrusted (a pull request that only touches a note is still read in a reviewer's browser
by ``make serve``), so raw HTML is for layout and typography only — ``<details>``, ``<summary>``,
``<sub>``, ``<sup>``, ``<br>``, ``<kbd>``, ``<div>``, ``<span>``, tables, ``<img>``, links — and
never for anything that runs code or changes where the page loads from:

* elements ``script``, ``object``, ``embed``, ``applet``, ``base``, ``meta``, ``link``, ``frame``,
  ``frameset``, ``portal``;
* event-handler attributes (``on…=``) and ``srcdoc``;
* ``javascript:`` and ``vbscript:`` in any attribute (a URL, or an SVG ``<set to=…>``);
* ``data:`` URLs other than raster images (PNG, JPEG, GIF, WebP, AVIF, BMP); an SVG ``data:`` URL
  only as an ``<img src>``, where a browser never runs the SVG's scripts.

Two places apply these rules, with the same functions:

* ``make check`` (:func:`lint`) reads each note's text: every tag outside code, Markdown link and
  image targets, and ``{attr=list}`` blocks; a finding is an error at ``file:line``.
* the build (:mod:`hooks.obsidian.html_blocks` registers :func:`sanitize_fragment` and
  :func:`sanitize_tree`) checks the page as Python-Markdown made it: the raw HTML it passes through
  and the attributes of every element. What breaks a rule is reported at ``file:line`` (so a
  strict build fails) and neutralised — the tag is shown as text, the attribute dropped — so a
  non-strict build or a preview never runs it either.

Start tags are found with a regular expression that reads them as an HTML5 tokenizer does (quoted
values may hold '>'); a tag that may break a rule is parsed by Python's ``html.parser``, which decodes
entities in attribute values, so ``&#106;avascript:`` is seen as what the browser sees. A browser and
this reading can still differ on odd markup (SVG/MathML content, for one), so a raw fragment in which
anything tag-like still *looks* like it carries script (``on…=``, ``srcdoc=``, ``javascript:`` after
decoding) is shown as text as a whole.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser

from hooks.problems import Problem

FORBIDDEN_ELEMENTS = frozenset({"script", "object", "embed", "applet", "base", "meta", "link", "frame",
                                "frameset", "portal"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                            "cite", "codebase", "longdesc", "usemap", "lowsrc", "dynsrc", "ping", "manifest",
                            "icon", "archive", "profile", "srcset", "imagesrcset"})
RASTER_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"})
SVG = "image/svg+xml"
# Put before HTML the build made itself from escaped or already checked parts (an example's code and
# output): the policy does not parse it again, and removes the mark. A per-process secret, so a note
# cannot write it (it never reaches a page either).
TRUSTED = f"<!--llm-kb-checked-{secrets.token_hex(16)}-->"
HINT = ("raw HTML in a note is for layout only (CONTRIBUTING.md, 'Raw HTML'): remove it, or show it as code "
        "in backticks")

# Browsers drop ASCII whitespace and control characters inside a URL's scheme ("java\tscript:").
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_SCHEME = re.compile(r"(?:java|vb)script:", re.I)
# What a browser could read as a tag: from '<' and a letter up to the next '<' or '>' (the backstop).
_TAG_LIKE = re.compile(r"<[A-Za-z][^<>]*")
_ACTIVE_IN_TAG = re.compile(r"(?<![\w-])(?:on[a-z]+|srcdoc)[\x00-\x20]*=|^<(?:"
                            + "|".join(sorted(FORBIDDEN_ELEMENTS)) + r")(?![\w-])", re.I)


# Every finding needs one of these in the fragment's text: a handler, srcdoc, a forbidden element,
# a URL scheme (script:, data:), or a character reference other than the five that escaped text uses.
_MAYBE_ACTIVE = re.compile(r"on[a-z]+[\x00-\x20]*=|srcdoc|script|data|<[\x00-\x20/]*(?:"
                           + "|".join(sorted(FORBIDDEN_ELEMENTS)) + r")|&(?!(?:lt|gt|amp|quot|#39|#x27);)", re.I)


def _compact(value: str) -> str:
    return _IGNORED_IN_URL.sub("", value).lower()


def url_problem(tag: str, attr: str, url: str) -> str | None:
    """Why ``url`` may not be the value of ``attr`` on ``tag``; None when it may."""
    url = _compact(url)
    if url.startswith(("javascript:", "vbscript:")):
        return f"a {url.split(':')[0]}: URL"
    if url.startswith("data:"):
        mime = url[5:].split(",")[0].split(";")[0]
        if mime in RASTER_IMAGES or (mime == SVG and tag == "img" and attr == "src"):
            return None
        return f"a data: URL of type '{mime or 'text/plain'}' (only images may be data: URLs)"
    return None


def attribute_problem(tag: str, name: str, value: str | None) -> str | None:
    """Why ``name="value"`` may not appear on ``tag``; None when it may."""
    name, value = name.lower(), value or ""
    if re.fullmatch(r"on[a-z]+", name):
        return f"an event handler ({name}=)"
    if name == "srcdoc":
        return "an srcdoc= document"
    if name in URL_ATTRIBUTES:
        urls = [part.strip().split(" ")[0] for part in value.split(",")] if name.endswith("srcset") else [value]
        for url in urls:
            why = url_problem(tag, name, url)
            if why:
                return f"{why} in {name}="
        return None
    if _SCRIPT_SCHEME.search(_compact(value)):  # e.g. SVG's <set attributeName="href" to="javascript:…">
        return f"a script URL in {name}="
    return None


def element_problem(tag: str) -> str | None:
    return f"a <{tag}> element" if tag.lower() in FORBIDDEN_ELEMENTS else None


def tag_problems(tag: str, attrs: list[tuple[str, str | None]]) -> list[str]:
    found = [element_problem(tag)] + [attribute_problem(tag, k, v) for k, v in attrs]
    return [f for f in found if f]


@dataclass(frozen=True)
class Finding:
    start: int  # offset of the offending start tag in the scanned text
    end: int
    reason: str

    def tag(self, text: str) -> str:
        return text[self.start:self.end]


class _Tag(HTMLParser):
    """The name and attributes of one start tag, entity references in values decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, list] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.found is None:
            self.found = (tag, attrs)

    handle_startendtag = handle_starttag


# A start tag as an HTML5 tokenizer reads one: attributes apart by spaces or '/', values quoted
# (a '>' inside quotes does not end the tag) or unquoted up to a space or '>'. Fast enough for the
# whole page (highlighted code is thousands of <span>s); only a tag that may break a rule is parsed.
_START_TAG = re.compile(r"""<[A-Za-z][^\s/>\x00]*(?:[\s/]+(?:[^\s/>"'=][^\s/>"'=]*|=[^\s/>"'=]*)"""
                        r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)*[\s/]*>""")


def scan(text: str) -> list[Finding]:
    """The start tags in an HTML text that break the rules."""
    if "<" not in text:
        return []
    findings = []
    for m in _START_TAG.finditer(text):
        if not _MAYBE_ACTIVE.search(m.group()):
            continue
        parser = _Tag()
        try:
            parser.feed(m.group())
            parser.close()
        except (AssertionError, ValueError):  # html.parser gives up on some malformed markup
            parser.found = None
        problems = tag_problems(*parser.found) if parser.found else ["markup the HTML parser cannot read"]
        if problems:
            findings.append(Finding(m.start(), m.end(), "; ".join(problems)))
    return findings


def looks_active(text: str) -> bool:
    """The backstop: does anything tag-like in a fragment (from '<' and a letter up to the next '<'
    or '>') carry a handler, srcdoc, a forbidden element or a script URL, whatever a parser made of it?"""
    for hit in _MAYBE_ACTIVE.finditer(text):
        start = text.rfind("<", 0, hit.start() + 1)
        if start < 0 or not text[start + 1:start + 2].isalpha() or ">" in text[start:hit.start()]:
            continue  # not inside something tag-like: text
        ends = [i for i in (text.find("<", start + 1), text.find(">", start)) if i >= 0]
        tag = text[start:min(ends, default=len(text))]
        if _ACTIVE_IN_TAG.search(tag) or _SCRIPT_SCHEME.search(_compact(html.unescape(tag) if "&" in tag else tag)):
            return True
    return False


def sanitize_fragment(text: str) -> tuple[str, list[Finding]]:
    """A raw HTML fragment made inert: each offending tag shown as text — or the whole fragment,
    when something tag-like outside the tags the parser found still looks active. Returns the new
    text and what was found."""
    if text.startswith(TRUSTED) and TRUSTED not in text[len(TRUSTED):]:
        return text[len(TRUSTED):], []
    text = text.replace(TRUSTED, "")  # a mark elsewhere than at the start vouches for nothing
    if not _MAYBE_ACTIVE.search(text):
        return text, []  # the common case (highlighted code, plain markup), without parsing
    findings = scan(text)
    rest = text
    for f in findings:
        rest = rest[:f.start] + " " * (f.end - f.start) + rest[f.end:]
    if looks_active(rest):
        return html.escape(text), findings + [Finding(0, len(text), "markup that looks like it runs code")]
    out, at = [], 0
    for f in findings:
        out += [text[at:f.start], html.escape(f.tag(text))]
        at = f.end
    return "".join(out) + text[at:], findings


def sanitize_tree(root) -> list[tuple[list[str], str, str]]:
    """Elements of a Python-Markdown tree made inert, in place. Returns (patterns, shown, reason):
    regular expressions for the source of each finding (most precise first, to find its line), and
    the finding as the message shows it."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        why = element_problem(el.tag)
        if why:
            found.append(([rf"<{re.escape(el.tag)}\b"], f"<{el.tag}>", why))
            el.tag = "span"  # its text is now escaped on output (the serializer writes <script> text raw)
            el.attrib.clear()
        for name, value in list(el.attrib.items()):
            why = attribute_problem(el.tag, name, value)
            if why:
                value_re = re.escape(value or "")
                # A Markdown link or reference definition, else an HTML attribute, else the value anywhere.
                found.append(([rf"\]\(\s*<?{value_re}", rf"\]:[ \t]*<?{value_re}",
                               rf"(?<![\w-]){re.escape(name)}\s*=\s*[\"']?{value_re}", value_re],
                              f'{name}="{value}"', why))
                del el.attrib[name]
                if name in ("href", "src") and el.tag in ("a", "img"):
                    el.tag = "span"  # a link or image without its target (MkDocs expects one on <a>, <img>)
    return found


# -- the linter: the rules on a note's text -----------------------------------------------------
_FENCE = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.S)
# Math is text to KaTeX ('x_{<t}' is no tag); the build still checks whatever it did not take as math.
_MATH = re.compile(r"\$\$.*?\$\$|(?<![\\$])\$(?![\s$])[^\n$]+?(?<!\s)\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
_MD_LINK = re.compile(r"(?P<image>!?)\[[^\]\n]*\]\(\s*<?(?P<url>(?:[^()<>\s]|\([^()\s]*\))+)")
_REF_DEF = re.compile(r"^[ \t>]*\[[^\]\n]+\]:[ \t]*<?(?P<url>\S+?)>?(?:\s|$)", re.M)
_ATTR_LIST = re.compile(r"\{:?(?P<attrs>[^{}\n]*=[^{}\n]*)\}")


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) replaced by spaces, newlines kept (offsets and lines stay)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def prose(text: str) -> str:
    """The note with code (fenced, indented, inline) and comments blanked out, lines kept."""
    from hooks.obsidian.textscan import code_span_ranges, indented_code_lines

    lines = text.split("\n")
    fence = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is None and m:
            fence, lines[i] = m.group("fence"), ""
        elif fence is not None:
            closing = _FENCE.match(line)
            if closing and closing.group("fence")[0] == fence[0] and len(closing.group("fence")) >= len(fence) \
                    and not line[closing.end():].strip():
                fence = None
            lines[i] = ""
    for i in indented_code_lines(lines):
        lines[i] = ""
    text = "\n".join(lines)
    for pattern in (_HTML_COMMENT, _OBSIDIAN_COMMENT, _MATH):
        for m in reversed(list(pattern.finditer(text))):
            text = _blank(text, m.start(), m.end())
    for start, end in reversed(code_span_ranges(text)):
        text = _blank(text, start, end)
    return text


def check_text(path: str, text: str, first_line: int = 1) -> list[Problem]:
    """Problems of the raw HTML policy in a note's body (its first line is ``first_line``)."""
    if "<" not in text and ":" not in text and "{" not in text:
        return []
    body = prose(text)

    def line(offset: int) -> int:
        return first_line + body.count("\n", 0, offset)

    def problem(offset: int, what: str, why: str, kind: str = "raw HTML") -> Problem:
        shown = what if len(what) <= 80 else what[:79] + "…"
        return Problem(path, line(offset), f"{kind} {shown!r}: {why}", HINT)

    findings = scan(body)
    problems = [problem(f.start, f.tag(body), f.reason) for f in findings]
    rest = body
    for f in findings:
        rest = _blank(rest, f.start, f.end)
    for m in _TAG_LIKE.finditer(rest):  # the backstop, as in the build
        if looks_active(m.group()):
            problems.append(problem(m.start(), m.group(), "markup that looks like it runs code"))
    for m in _MD_LINK.finditer(body):
        why = url_problem("img" if m.group("image") else "a", "src" if m.group("image") else "href", m.group("url"))
        if why:
            problems.append(problem(m.start(), m.group(0) + ")", why, "link"))
    for m in _REF_DEF.finditer(body):
        why = url_problem("a", "href", m.group("url"))
        if why:
            problems.append(problem(m.start("url"), m.group("url"), why, "link"))
    for m in _ATTR_LIST.finditer(body):
        for f in scan(f"<p {m.group('attrs')}>"):
            problems.append(problem(m.start(), m.group(0), f.reason, "attribute list"))
    return problems


def lint(vault) -> list[Problem]:
    """``make check``: the policy on every published note of the vault."""
    from hooks import frontmatter

    out = []
    for path, note in vault.notes.items():
        if note.published:
            front, body = frontmatter.split(note.text, path)
            out += check_text(path, body, front.body_line)
    return out
