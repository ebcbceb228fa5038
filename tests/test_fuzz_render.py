"""Property-based: notes mixing Obsidian constructs with code that holds Obsidian syntax.

Whatever the mix, rendering never raises and every code block and code span comes out
byte-identical (HTML-escaped, which the parser undoes).
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import render

SYNTAX = ["[[甲]]", "![[甲#一]]", "#标签", "==高亮==", "%%注释%%", "$x_1$", "$$y$$", "\\(z\\)", "> [!note]",
          "^blk", "**粗**", "- 列表", "1) 项", "| a | b |", "<b>", "&amp;", "`", "~~", "\\", "#123", "$HOME"]
word = st.sampled_from(SYNTAX + ["文字", "English", " ", "，", "。"])
code_text = st.lists(word, min_size=1, max_size=8).map("".join).filter(lambda s: "`" not in s and s.strip())
prose = st.lists(word, min_size=1, max_size=10).map(" ".join)


@st.composite
def note(draw):
    parts, codes, spans = [], [], []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["para", "fence", "tilde", "span", "callout", "list", "math"]))
        if kind in ("fence", "tilde"):
            body = "\n".join(draw(st.lists(code_text, min_size=1, max_size=4)))
            mark = "```" if kind == "fence" else "~~~"
            codes.append(body)
            parts.append(f"{mark}text\n{body}\n{mark}")
        elif kind == "span":
            c = draw(code_text).strip()
            spans.append(c)
            parts.append(f"前 `{c}` 后")
        elif kind == "callout":
            parts.append(f"> [!{draw(st.sampled_from(['note', 'tip', 'unknown']))}] {draw(prose)}\n> {draw(prose)}")
        elif kind == "list":
            parts.append(f"段落\n- {draw(prose)}\n  - {draw(prose)}")
        elif kind == "math":
            parts.append(f"$$\n{draw(code_text)}\n$$")
        else:
            parts.append(draw(prose))
    return "\n\n".join(parts) + "\n", codes, spans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note())
def test_code_survives_byte_identical(case):
    text, codes, spans = case
    html, _ = render(text, others={"甲.md": "---\ntitle: 甲\n---\n## 一\n内容\n"})
    soup = BeautifulSoup(html, "html.parser")
    blocks = [c.get_text() for c in soup.select("pre > code")]
    for body in codes:
        assert body + "\n" in blocks, (body, blocks)
    inline = [c.get_text() for c in soup.find_all("code") if c.parent.name != "pre"]
    for span in spans:
        assert span in inline, (span, inline)
