"""The page-level Obsidian layer, one feature at a time, asserting the HTML structure."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from helpers import render, tex_of


def soup(text: str, **kw) -> BeautifulSoup:
    return BeautifulSoup(render(text, **kw)[0], "html.parser")


# -- callouts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("written,canonical,css", [
    ("note", "note", "note"), ("summary", "abstract", "abstract"), ("TLDR", "abstract", "abstract"),
    ("todo", "todo", "info"), ("hint", "tip", "tip"), ("Done", "success", "success"),
    ("faq", "question", "question"), ("caution", "warning", "warning"), ("missing", "failure", "failure"),
    ("error", "danger", "danger"), ("bug", "bug", "bug"), ("example", "example", "example"),
    ("cite", "quote", "quote"), ("info", "info", "info"),
])
def test_callout_types_and_aliases(written, canonical, css):
    box = soup(f"> [!{written}] 标题\n> 正文一行").select_one(".callout")
    assert box["data-callout"] == canonical
    assert css in box["class"] and "admonition" in box["class"]
    assert box.select_one(".admonition-title").get_text() == "标题"
    assert box.select_one("p:not(.admonition-title)").get_text() == "正文一行"


def test_unknown_callout_type_looks_like_note_and_keeps_its_name():
    box = soup("> [!面试官追问]\n> 下一个问题").select_one(".callout")
    assert "note" in box["class"] and box["data-callout"] == "面试官追问"
    assert box.select_one(".admonition-title").get_text() == "面试官追问"


def test_callout_title_markdown_fold_and_title_only():
    s = soup("> [!tip]- 为什么 **除以** $\\sqrt{d}$\n> 答案\n\n> [!warning]+ 展开的\n> 内容\n\n> [!info] 只有标题")
    collapsed, expanded = s.select("details.callout")
    assert collapsed.summary.strong.get_text() == "除以" and collapsed.summary.select_one(".arithmatex")
    assert not collapsed.has_attr("open") and expanded.has_attr("open")
    title_only = s.select_one("div.callout")
    assert title_only.get_text(strip=True).startswith("只有标题") and len(title_only.find_all("p")) == 1


def test_callout_nesting_spacing_and_rich_bodies():
    text = (
        "   >[!question] 外层\n"
        ">\n"
        "> > [!note] 内层\n"
        "> > > [!tip] 第三层\n"
        "> > > 深处\n"
        ">\n"
        "> - 列表一\n"
        ">   - 嵌套二\n"
        ">\n"
        "> | a | b |\n"
        "> |---|---|\n"
        "> | 1 | 2 |\n"
        ">\n"
        "> ```python\n"
        "> x = [i*2 for i in range(3)]  # [!note] 不是 callout\n"
        "> ```\n"
        ">\n"
        "> $$\n"
        "> a_{ij} = b^*\n"
        "> $$\n"
    )
    s = soup(text)
    outer = s.select_one('[data-callout="question"]')
    inner = outer.select_one('[data-callout="note"]')
    assert inner.select_one('[data-callout="tip"]').select_one("p:not(.admonition-title)").get_text() == "深处"
    assert outer.select_one("ul > li > ul > li").get_text() == "嵌套二"
    assert outer.select_one("table td").get_text() == "1"
    assert "x = [i*2 for i in range(3)]  # [!note] 不是 callout" in outer.select_one("pre").get_text()
    assert "a_{ij} = b^*" in outer.select_one("div.arithmatex").get_text()


# -- highlights, comments ------------------------------------------------------------------------
def test_highlights_next_to_chinese_and_around_bold_and_math():
    s = soup("中文==高亮==紧挨着，==**加粗**==和==$x^2$==")
    marks = s.find_all("mark")
    assert [m.get_text() for m in marks][:2] == ["高亮", "加粗"]
    assert marks[1].strong and marks[2].select_one(".arithmatex")


def test_comments_removed_everywhere_but_code():
    html, _ = render("前 %%内联注释%% 后\n\n%%\n整段\n注释\n%%\n\n`%%代码里%%`\n\n```\n%%围栏里%%\n```\n\n    %%缩进代码%%\n")
    assert "内联注释" not in html and "整段" not in html
    assert "%%代码里%%" in html and "%%围栏里%%" in html and "%%缩进代码%%" in html


def test_unclosed_comment_hides_the_rest_and_is_reported():
    html, build = render("可见\n\n%% 没有结束\n\n隐藏的内容")
    assert "可见" in html and "隐藏的内容" not in html
    assert any("unclosed %% comment" in p.message and p.line == 3 for p in build.problems)


# -- math ----------------------------------------------------------------------------------------
def test_math_forms_are_protected_from_markdown():
    s = soup("行内 $a_1 * b_2 * c$，美元 5 美元。行中 $$\\sum_i x_i$$ 结束。双重 \\($y_{k}$\\)。方括号 \\[z^*\\] 行内。\n\n"
             "$$\nE = mc^2 \\_ \\{x\\}\n$$\n")
    spans = [tex_of(x) for x in s.select(".arithmatex")]
    assert "\\(a_1 * b_2 * c\\)" in spans
    assert "\\[\\sum_i x_i\\]" in spans and "\\(y_{k}\\)" in spans and "\\[z^*\\]" in spans
    assert any("E = mc^2 \\_ \\{x\\}" in t for t in spans)
    assert "$" not in s.get_text().replace("$HOME", "")
    assert not s.find("em")


def test_dollar_in_code_is_not_math():
    s = soup("运行 `echo $HOME` 和 `$PATH`")
    assert not s.select(".arithmatex") and s.find("code").get_text() == "echo $HOME"


# -- tags ----------------------------------------------------------------------------------------
def test_tags_inline_nested_chinese_and_at_line_start():
    html, build = render("#注意力 在行首\n\n正文 #llm/推理/kv-cache 和 #面试。\n\n# 真标题\n")
    s = BeautifulSoup(html, "html.parser")
    assert [a.get_text() for a in s.select("a.tag")] == ["#注意力", "#llm/推理/kv-cache", "#面试"]
    assert s.find("h1").get_text().startswith("真标题") and len(s.find_all("h1")) == 1
    assert build.page.tags == ["注意力", "llm/推理/kv-cache", "面试"]


def test_not_tags():
    s = soup("编号 #123，网址 [链接](page.md#section)，转义 \\#不是，代码 `#code`，词内a#b，C# 语言")
    assert not s.select("a.tag")


def test_front_matter_and_inline_tags_merge():
    _, build = render("---\ntags: [基础, 数学]\n---\n正文 #数学 #新标签\n")
    assert build.page.tags == ["基础", "数学", "新标签"]


# -- lists and line breaks -----------------------------------------------------------------------
def test_list_right_after_paragraph_and_two_space_nesting():
    s = soup("要点如下：\n- 一\n  - 一点一\n    - 一点一点一\n- 二\n\n3) 第三\n4) 第四\n")
    top = s.find("ul")
    assert [li.get_text().split("\n")[0] for li in top.find_all("li", recursive=False)] == ["一", "二"]
    assert top.li.ul.li.ul.li.get_text() == "一点一点一"
    ol = s.find("ol")
    assert ol["start"] == "3" and len(ol.find_all("li")) == 2


def test_tab_and_three_space_nesting():
    s = soup("1. 甲\n   1. 乙\n2. 丙\n\n- a\n\t- b\n")
    assert s.find("ol").li.ol.li.get_text() == "乙"
    assert s.find("ul").li.ul.li.get_text() == "b"


def test_single_newline_is_a_line_break():
    assert soup("第一行\n第二行").find("p").find("br") is not None


# -- headings, ids, html -------------------------------------------------------------------------
def test_heading_slugs_are_github_style_and_unique_against_raw_ids():
    s = soup('<a id="q1"></a>\n\n## Q1\n\n## 为什么要除以 √d？\n\n## 为什么要除以 √d？\n')
    ids = [el["id"] for el in s.find_all(id=True)]
    assert len(ids) == len(set(ids))
    h2 = s.find_all("h2")
    assert h2[0]["id"] == "q1_1" and h2[1]["id"] == "为什么要除以-d" and h2[2]["id"] == "为什么要除以-d_1"


def test_markdown_inside_details_renders():
    s = soup("<details>\n<summary>答案 **展开**</summary>\n\n- 第一点\n- 第二点\n\n</details>\n")
    assert s.find("details").find("ul") and s.find("summary").find("strong")


def test_footnotes_tasks_strike_mermaid():
    s = soup("句子[^1]。~~删除~~\n\n- [ ] 待办\n- [x] 完成\n\n```mermaid\ngraph LR; A-->B\n```\n\n[^1]: 脚注。")
    assert s.select_one(".footnote") and s.find("del").get_text() == "删除"
    assert len(s.select("input[type=checkbox]")) == 2
    assert s.select_one("pre.llm-kb-mermaid") and "A-->B" in s.select_one("pre.llm-kb-mermaid").get_text()


def test_code_is_sacred():
    code = "x = '[[link]] #tag ==mark== %%c%% $m$ > [!note]'\n  - not a list\n"
    for fence in ("```", "~~~"):
        s = soup(f"段落\n{fence}python\n{code}{fence}\n")
        assert s.find("code").get_text() == code
    s = soup("行内 `[[a]] #t ==m== $x$`")
    assert s.find("code").get_text() == "[[a]] #t ==m== $x$"


def test_list_edge_cases_from_real_notes():
    s = soup("- 甲\n- 乙\n---\n**总结**\n- 丙\n\n2.\n    第二题的内容\n3. 第三题\n")
    assert [li.get_text() for li in s.find("ul").find_all("li")] == ["甲", "乙"]
    assert s.find("hr") and s.find_all("ul")[1].li.get_text() == "丙"
    ol = s.find("ol")
    assert ol["start"] == "2" and [li.get_text().strip() for li in ol.find_all("li")] == ["第二题的内容", "第三题"]


def test_highlight_with_space_before_closing_marks():
    s = soup("==整句高亮，含 **粗体** 与 $x$。  ==后文")
    assert s.find("mark").strong and s.find("mark").select_one(".arithmatex")
    assert s.find("mark").get_text().endswith("。")


def test_details_answer_with_tags_spanning_markdown_blocks():
    text = ("<details>\n  <summary>查看答案</summary>\n  <p><strong>\n\n答案：先做这些：\n1. 第一步\n2. 第二步\n\n"
            "</strong></p>\n</details>\n")
    html, _ = render(text)
    s = BeautifulSoup(html, "html.parser")
    assert [li.get_text() for li in s.find("details").find_all("li")] == ["第一步", "第二步"]
    assert "<p><strong>" in html and "</strong></p>" in html


def test_bullets_after_an_ordered_item_and_cjk_bold():
    s = soup("1. 存储选择：\n- 文件系统\n- 对象存储\n\n通过**子词（Subword）**技术")
    assert s.find("ol").li.get_text().strip() == "存储选择：" and len(s.find("ul").find_all("li")) == 2
    assert s.find("strong").get_text() == "子词（Subword）"


def test_lists_inside_plain_blockquotes():
    s = soup("> 请回答：\n> 1. 第一\n> 2. 第二\n")
    assert [li.get_text() for li in s.select("blockquote ol li")] == ["第一", "第二"]
