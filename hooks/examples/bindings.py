"""Numbers in prose bound to computed values: `` `=name` ``, `` `=name:.2f` ``, `` `=name|40.0 GB` ``.

In Obsidian these read as inline code; on the site they become the value a block of the same note
computed (any top-level int/float variable; ``blockid.name`` picks one block). With ``|text`` the
written text is shown, after checking that its first number equals the computed value at the
precision it is written with — a hand-written number that drifted from the code fails the build.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from hooks import state

# Any code span is matched whole, so a binding shown inside a wider span (``…`=name`…``) stays
# literal; only a single-backtick span whose content has the binding form is a binding.
CODE_SPAN = r"(?<!`)(?P<ticks>`+)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)"
BINDING = re.compile(r"=(?P<name>[A-Za-z_][\w.-]*)(?::(?P<fmt>[^|`]+))?(?:\|(?P<text>[^`]+))?")
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?P<pct>\s*%)?")


def written_matches(text: str, value: float) -> tuple[bool, str]:
    """Does the first number in ``text`` equal ``value`` at the precision it is written with?"""
    m = NUMBER.search(text)
    if not m:
        return False, "the written text has no number"
    token = m.group(0).replace(",", "").rstrip("% ")
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = 10 ** int(exponent) if exponent else 1
    written = float(token)
    # '12.5%' may bind a fraction (0.125) or a value already in percent (12.5).
    targets = (value, value * 100) if m.group("pct") else (value,)
    tolerance = 0.5 * 10 ** (-decimals) * scale * (1 + 1e-9)
    ok = any(math.isclose(written, t, rel_tol=1e-9, abs_tol=tolerance) for t in targets)
    return ok, f"written {m.group(0).strip()}, computed {value:.{max(decimals, 2) + 2}g}"


class BindingProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        b = BINDING.fullmatch(m.group("body")) if m.group("ticks") == "`" else None
        if b is None:
            return None, None, None  # an ordinary code span: left to the backtick processor
        build = state.current
        name, fmt, text = b.group("name"), b.group("fmt"), b.group("text")
        value, why = build.example_value(name) if build else (None, "no build")
        el = etree.Element("span", {"class": "llm-kb-value"})
        # Inside an embed the value is the embedded note's; a problem with it is reported once, at
        # the line where it is written, when that note's own page renders (not at every embedding page).
        report = build is not None and build.embedding() is None
        if value is None:
            report and build.problem(f"`={name}`: {why}",
                                    "bind to a top-level int/float variable of an exec block in this note",
                                    line=build.line_of(m.group(0)), level="error")
            el.set("class", "llm-kb-value llm-kb-value-missing")
            el.text = AtomicString(text or f"⟨{name}?⟩")  # atomic: shown as written, never parsed as HTML
            return el, m.start(0), m.end(0)
        el.set("data-value", repr(value))
        el.set("title", f"由本页代码块计算：{name} = {value!r}")
        if text:
            ok, detail = written_matches(text, value)
            if not ok:
                report and build.problem(f"`={name}|{text}`: the prose disagrees with the code ({detail})",
                              "update the number in the text, or fix the code",
                              line=build.line_of(m.group(0)), level="error")
                el.set("class", "llm-kb-value llm-kb-value-mismatch")
            el.text = AtomicString(text)
        else:
            el.text = AtomicString(_formatted(value, fmt, name, m.group(0)))
        return el, m.start(0), m.end(0)


def _formatted(value: float, fmt: str | None, name: str, written: str) -> str:
    """The value in the note's format spec; a spec Python rejects (`=x:zz`) is a file:line error."""
    if not fmt:
        return f"{value:,}" if isinstance(value, int) else f"{value:.6g}"
    try:
        return format(value, fmt)
    except (ValueError, TypeError) as exc:
        build = state.current
        build.problem(f"`={name}:{fmt}`: '{fmt}' is not a format for {type(value).__name__} ({exc})",
                      "write a Python format spec such as `=name:.2f` or `=name:,`", line=build.line_of(written),
                      level="error")
        return f"{value!r}"


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(BindingProcessor(CODE_SPAN, md), "example-binding", priority)
