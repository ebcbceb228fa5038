"""hooks/obsidian/codespans.py: code spans as CommonMark reads them (one space stripped on each side,
line endings as spaces, backtick runs matched by length), bindings and highlighting untouched."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render
from hooks.obsidian.codespans import content, find_span


def codes(text: str) -> list[str]:
    return [c.get_text() for c in BeautifulSoup(render(text)[0], "html.parser").find_all("code")]


def test_one_space_is_stripped_on_each_side_only_when_both_sides_have_one():
    assert codes("`` `反引号` `` 与 ` 前空格` 与 `  缩进 `\n") == ["`反引号`", " 前空格", " 缩进"]


def test_a_span_of_spaces_keeps_them():
    # (BeautifulSoup shortens a whitespace-only string; the HTML itself is checked)
    assert "<code>  </code>" in render("空格 `  ` 结束\n")[0]


def test_line_ending_inside_a_span_is_a_space_not_a_break():
    out = render("代码 `a\nb` 之后\n")[0]
    assert codes("代码 `a\nb` 之后\n") == ["a b"]
    assert "<br" not in BeautifulSoup(out, "html.parser").code.decode()


def test_unmatched_opening_run_is_literal():
    soup = BeautifulSoup(render("三个 ```不闭合`` 的反引号\n")[0], "html.parser")
    assert soup.find("code") is None
    assert soup.p.get_text() == "三个 ```不闭合`` 的反引号"


def test_a_tag_that_starts_earlier_wins_over_a_backtick_inside_it():
    out = render('<span title="`">` 之后\n')[0]
    assert "<code>" not in out and '<span title="`">' in out


def test_value_binding_still_renders_as_a_value():
    out = render("显存约 `=mem|40 GB`\n")[0]
    assert 'class="llm-kb-value' in out and "<code>" not in out


def test_helpers():
    assert find_span("``a`b``", 0) == (2, 5)
    assert find_span("```a``", 0) == (3, None)
    assert content(" x ") == "x" and content("  ") == "  " and content("a\nb") == "a b"
