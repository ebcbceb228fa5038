"""hooks/obsidian/links.py: Markdown links, images and reference links as CommonMark reads them,
with wikilinks, footnotes and the HTML policy unchanged."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render
from hooks.obsidian.links import label_end, normalize_url, plain_text


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(render(text)[0], "html.parser")


def anchors(text: str) -> list[tuple[str, str | None, str]]:
    return [(a["href"], a.get("title"), a.get_text()) for a in soup(text).find_all("a")]


def test_destination_forms():
    assert anchors('[甲](</有 空格>) [乙](a(b)c "题") [丙](/x \'单\') [丁](/y (括号)) [戊](a\\)b)\n') == [
        ("/%E6%9C%89%20%E7%A9%BA%E6%A0%BC", None, "甲"), ("a(b)c", "题", "乙"), ("/x", "单", "丙"),
        ("/y", "括号", "丁"), ("a)b", None, "戊")]


def test_a_destination_with_a_space_is_no_link():
    assert anchors("[链接](/有 空格)\n") == []


def test_entities_and_escapes_in_destination_and_title_are_decoded():
    assert anchors('[x](/f&ouml;\\* "t&amp;\\"")\n') == [("/f%C3%B6*", 't&"', "x")]


def test_links_do_not_nest_but_images_hold_links():
    assert anchors("[外 [内](/in)](/out)\n") == [("/in", None, "内")]
    img = soup("![图 [说明](/u) *强调*](/p.png)\n").img
    assert img["alt"] == "图 说明 强调" and img["src"] == "/p.png"


def test_reference_labels_fold_case_and_the_first_definition_wins():
    text = "[Straße][] [STRASSE] [甲][b]\n\n[strasse]: /one\n[B]: /two\n\n[strasse]: /three\n"
    assert anchors(text) == [("/one", None, "Straße"), ("/one", None, "STRASSE"), ("/two", None, "甲")]


def test_no_space_between_text_and_label_and_undefined_labels_stay_text():
    assert anchors("[foo] [bar]\n\n[bar]: /b\n") == [("/b", None, "bar")]
    assert anchors("[foo][nope]\n\n[foo]: /f\n") == []


def test_an_empty_label_defines_nothing():
    s = soup("[]\n\n[]: /uri\n")
    assert s.find("a") is None and "[]: /uri" in s.get_text()


def test_bracket_inside_a_raw_tag_does_not_end_the_text():
    assert anchors('[文字 <span title="]">](/u)\n') == [("/u", None, "文字 ")]


def test_obsidian_forms_are_untouched():
    out, _ = render("[[其他笔记|别名]] 脚注[^1] #标签 [链接 #标签](/u)\n\n[^1]: 说明\n")
    s = BeautifulSoup(out, "html.parser")
    assert s.find(class_="llm-kb-broken-link") is not None  # the wikilink, to a note that does not exist here
    assert s.find("sup", id="fnref:1") is not None
    assert [a["href"] for a in s.find_all("a", class_="tag")]


def test_script_urls_are_still_removed_and_reported():
    out, build = render("[点我](javascript:alert(1))\n")
    assert BeautifulSoup(out, "html.parser").find("a") is None
    assert any("javascript" in p.message for p in build.problems)


def test_helpers():
    assert label_end("[a [b] c] d", 0) == 8 and label_end("[a <b x=']'> c", 0) == -1
    assert normalize_url("注意力.md#小节") == "%E6%B3%A8%E6%84%8F%E5%8A%9B.md#小节"
    assert plain_text("*a* `b` ![c](d)") == "a b c"


def test_definitions_over_several_lines_and_footnotes_beside_them():
    text = "[多行] 与脚注[^1]\n\n[多行]:\n  </有 空格>\n  '标题\n  第二行'\n\n[^1]: 脚注内容\n"
    s = soup(text)
    a = s.find("a", href="/%E6%9C%89%20%E7%A9%BA%E6%A0%BC")
    assert a is not None and a["title"] == "标题\n第二行" and a.get_text() == "多行"
    assert s.find("sup", id="fnref:1") is not None and "脚注内容" in s.find(class_="footnote").get_text()


def test_a_definition_cannot_interrupt_a_paragraph():
    s = soup("段落第一行\n[r]: /u\n\n[r]\n")
    assert s.find("a") is None and "[r]: /u" in s.p.get_text()


def test_definitions_inside_details_and_script_urls_in_definitions():
    assert anchors("<details>\n<summary>答</summary>\n\n见 [定义]。\n\n[定义]: /d\n\n</details>\n") == [("/d", None, "定义")]
    out, build = render("[坏]\n\n[坏]: javascript:alert(1)\n")
    assert BeautifulSoup(out, "html.parser").find("a") is None
    assert any("javascript" in p.message and p.line == 3 for p in build.problems)
