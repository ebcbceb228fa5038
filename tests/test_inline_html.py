"""hooks/obsidian/inline_html.py: raw inline HTML and character references by the spec's grammar;
what is not a tag or a reference is escaped text."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render
from hooks.obsidian.inline_html import inside_tag


def html(text: str) -> str:
    return render(text)[0]


def test_real_tags_pass_through():
    out = html('按 <kbd>Ctrl</kbd> 与 <span class="x">标记</span> <!-- 注释 -->\n')
    assert "<kbd>Ctrl</kbd>" in out and '<span class="x">标记</span>' in out and "<!-- 注释 -->" in out


def test_malformed_tags_are_text():
    out = html('坏标签 <a h*#ref="hi"> 与 </b class="x"> 与 <c d=e f!g />\n')
    soup = BeautifulSoup(out, "html.parser")
    assert soup.find("b") is None and soup.find("c") is None
    assert '&lt;/b class="x"&gt;' in out and "&lt;c d=e f!g /&gt;" in out


def test_a_tag_over_two_lines_gets_no_line_break_inside():
    out = html('<span title="a  \nb">x</span>\n')
    assert "&lt;br" not in out and "<br" not in out.split("<span")[1].split(">")[0]


def test_character_references_only_when_real():
    out = html("&copy; &#169; &#xA9; 与 AT&T 与 &nosuchentity; 与 &#87654321;\n")
    assert "&copy; &#169; &#xA9;" in out and "AT&amp;T" in out
    assert "&amp;nosuchentity;" in out and "&amp;#87654321;" in out


def test_inside_tag():
    assert inside_tag('<a href="`">`', 9) and not inside_tag('<a href="x">`', 12)
    assert inside_tag("<https://x.org/`>", 15)


def test_a_backslash_inside_a_tag_is_no_escape_but_an_escaped_bracket_starts_no_tag():
    assert '<span title="a\\*b">' in html('<span title="a\\*b">x</span>\n')
    out = html("\\<span>文字\n")
    assert "&lt;span&gt;文字" in out and "<span>" not in out


def test_a_backslash_at_a_line_end_inside_a_tag_is_no_line_break():
    out = html('<span title="a\\\nb">x</span>\n')
    assert '<span title="a\\\nb">' in out
