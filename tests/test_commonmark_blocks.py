"""Block structure as CommonMark (and Obsidian) reads it: one test per rule issue 23 fixed, on
fixtures written for these tests, rendered through the site's real pipeline."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render, tex_of


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(render(text)[0], "html.parser")


def items(ul) -> list[str]:
    return [li.get_text(" ", strip=True) for li in ul.find_all("li", recursive=False)]


def test_paragraph_indented_after_a_list_is_not_swallowed_and_the_next_list_is_a_list():
    s = soup("- 第一项\n- 第二项\n\n  缩进两格的段落（复制粘贴留下的）\n\n- 第三项\n- 第四项\n")
    # Two spaces reach the item's content column: the paragraph is the second item's, and the list
    # goes on (loose now: a blank line between items); the lines after it are items, not a paragraph.
    (ul,) = s.find_all("ul")
    assert items(ul) == ["第一项", "第二项 缩进两格的段落（复制粘贴留下的）", "第三项", "第四项"]
    assert [p.get_text() for p in ul.find_all("li")[1].find_all("p")] == ["第二项", "缩进两格的段落（复制粘贴留下的）"]


def test_paragraph_indented_less_than_the_content_column_ends_the_list():
    s = soup("1. 步骤一\n2. 步骤二\n\n 只缩进一格，不属于列表\n\n- 另一个列表\n- 第二行\n")
    ol, ul = s.find("ol"), s.find("ul")
    assert items(ol) == ["步骤一", "步骤二"]
    para = ol.find_next_sibling("p")
    assert para.get_text() == "只缩进一格，不属于列表"
    assert items(ul) == ["另一个列表", "第二行"]


def test_fence_indented_one_to_three_spaces_is_code_with_that_indent_removed():
    s = soup("说明：\n   ```python\n   def f():\n       return 1\n   ```\n")
    code = s.select_one("pre code").get_text()
    assert code == "def f():\n    return 1\n"
    assert "```" not in s.get_text()


def test_four_backtick_fence_closed_by_a_longer_one_keeps_inner_fences():
    s = soup("````markdown\n```\n内部的围栏\n```\n``````\n\n之后的段落\n")
    assert s.select_one("pre code").get_text() == "```\n内部的围栏\n```\n"
    assert s.find("p").get_text() == "之后的段落"


def test_unclosed_fence_in_a_callout_ends_with_the_callout():
    s = soup("> [!note] 代码\n> ```\n> x = 1\n\n外面的文字\n")
    assert s.select_one(".callout pre code").get_text() == "x = 1\n"
    assert s.find("p", class_=False).get_text() == "外面的文字"


def test_nesting_follows_each_items_content_column():
    s = soup("1. 外层\n   - 三格缩进：嵌套\n     - 再嵌套\n2. 第二\n")
    outer = s.find("ol")
    assert items(outer) == ["外层 三格缩进：嵌套 再嵌套", "第二"]
    assert outer.li.ul.li.ul.li.get_text() == "再嵌套"
    # Less than the content column: a sibling, not a child.
    siblings = soup("- 甲\n - 乙\n  - 丙\n").find("ul")
    assert items(siblings) == ["甲", "乙", "丙"] and siblings.find("ul") is None


def test_bullet_or_delimiter_change_starts_a_new_list():
    s = soup("- 一\n- 二\n* 三\n\n1. 四\n2) 五\n")
    assert [items(lst) for lst in s.find_all(["ul", "ol"])] == [["一", "二"], ["三"], ["四"], ["五"]]
    assert s.find_all("ol")[1]["start"] == "2"


def test_ordered_list_not_starting_at_one_does_not_interrupt_a_paragraph():
    s = soup("共有三点 2. 不是列表\n3. 仍是段落\n\n段落\n1. 这是列表\n")
    first = s.find("p")
    assert "3. 仍是段落" in first.get_text() and not first.find_next_sibling("ol").find(string="仍是段落")
    assert items(s.find("ol")) == ["这是列表"]


def test_thematic_break_then_dashes_is_two_breaks_not_a_heading():
    s = soup("***\n---\n")
    assert len(s.find_all("hr")) == 2 and not s.find(["h1", "h2"])


def test_tabs_count_to_the_next_tab_stop_in_list_items():
    s = soup("-\t带制表符的项\n\t-\t嵌套项\n")
    outer = s.find("ul")
    assert outer.li.contents[0].strip() == "带制表符的项"
    assert items(outer.li.ul) == ["嵌套项"]


def test_tabs_inside_indented_code_are_kept():
    s = soup("段落\n\n\tcol1\tcol2\n")
    assert s.select_one("pre code").get_text() == "col1\tcol2\n"


def test_callout_nested_right_under_its_parents_paragraph_line():
    s = soup("> [!question] 外层问题\n> 外层正文\n> > [!tip] 提示\n> > 内层正文\n")
    outer = s.select_one(".callout")
    inner = outer.select_one(".callout")
    assert inner["data-callout"] == "tip" and inner.select_one(".admonition-title").get_text() == "提示"
    assert outer.find("p", class_=False).get_text() == "外层正文"  # no stray '>' glued to it
    assert "[!tip]" not in s.get_text() and ">" not in s.get_text()


def test_tag_beginning_an_ordered_list_item_is_one_link():
    s = soup("1. #概念 自注意力\n2. #面试/高频 缩放\n")
    tags = s.select("a.tag")
    assert [a.get_text() for a in tags] == ["#概念", "#面试/高频"]
    assert not s.select("a a") and not s.find(["h1", "h2"])


def test_doubled_math_delimiters_with_spaces_leave_no_dollar_in_the_tex():
    s = soup("指数 \\( $e^{x}$ \\) 与显示 \\[ $\\sum_i x_i$ \\]\n")
    tex = [tex_of(m) for m in s.select(".arithmatex")]
    assert tex == ["\\(e^{x}\\)", "\\[\\sum_i x_i\\]"]


def test_tight_and_loose_lists_and_task_items():
    tight = soup("- [ ] 待办\n- [x] 完成\n")
    assert not tight.select("li p") and len(tight.select("li input[type=checkbox]")) == 2
    loose = soup("- 甲\n\n- 乙\n")
    assert [p.get_text() for p in loose.select("li > p")] == ["甲", "乙"]


def test_obsidian_features_inside_nested_containers():
    s = soup("> [!note] 笔记\n> - 见 [[不存在的笔记|别名]] 与 ==重点== #标签\n>   - 公式 $x^2$ %%隐藏%%\n")
    li = s.select_one(".callout ul li")
    assert li.select_one("mark").get_text() == "重点" and li.select_one("a.tag").get_text() == "#标签"
    assert li.select_one("ul li .arithmatex") and "隐藏" not in s.get_text()


def test_comment_spanning_list_like_lines_hides_them():
    s = soup("开头\n%%\n- 不显示\n> 也不显示\n%%\n结尾\n")
    assert "不显示" not in s.get_text() and not s.find(["ul", "blockquote"])


def test_display_math_lines_that_look_like_list_items_stay_math():
    s = soup("- 项\n\n  $$\n  a\n  - b\n  + c\n  $$\n")
    assert tex_of(s.select_one("li .arithmatex")).split() == ["\\[", "a", "-", "b", "+", "c", "\\]"]
    assert len(s.find_all("li")) == 1


def test_exec_fence_options_survive_inside_a_list_item():
    # A fence in a list item reaches superfences at the margin with its info string intact.
    s = soup("1. 代码：\n\n   ```text title=\"示例.txt\"\n   a\tb\n   ```\n")
    block = s.select_one("li .highlight")
    assert block is not None and block.find("code").get_text().endswith("a\tb\n")
    assert "示例.txt" in s.select_one("li").get_text()


def test_block_id_on_a_list_item():
    s = soup("- 重要的一点 ^point-a\n- 另一点\n")
    item = s.select_one('li[id="^point-a"]')  # the anchor of [[note#^point-a]]
    assert item is not None and item.get_text() == "重要的一点"


def test_callout_metadata_survives_the_block_layer_at_top_level_and_nested():
    html = soup("> [!question|hot]- 为什么？\n> 要点\n\n^q-why-abc123\n\n- 列表\n  > [!tip|hard] 提示\n  > 内容\n")
    question = html.select_one("details[data-callout='question']")
    assert question is not None and question["data-callout-metadata"] == "hot" and question["id"] == "^q-why-abc123"
    assert question.select_one("summary").get_text() == "为什么？"
    tip = html.select_one("li div[data-callout='tip']")
    assert tip is not None and tip["data-callout-metadata"] == "hard"
    assert "|" not in html.get_text()
