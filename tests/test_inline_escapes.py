"""hooks/obsidian/escapes.py: backslash escapes of every ASCII punctuation character and the
backslash hard line break, without taking Obsidian's math delimiters or code away."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render


def html(text: str) -> str:
    return render(text)[0]


def para(text: str) -> BeautifulSoup:
    return BeautifulSoup(html(text), "html.parser").p


def test_punctuation_python_markdown_did_not_escape_loses_its_backslash():
    p = para('引号 \\" 百分号 \\% 冒号 \\: 问号 \\? 美元 \\$5 等号 \\= 斜杠 \\/ 波浪 \\~ 竖线 \\|\n')
    assert p.get_text() == '引号 " 百分号 % 冒号 : 问号 ? 美元 $5 等号 = 斜杠 / 波浪 ~ 竖线 |'
    assert "arithmatex" not in str(p)  # an escaped dollar starts no formula


def test_escaped_angle_bracket_is_text_not_a_tag():
    out = html("\\<em>不是标签</em>\n")
    assert "&lt;em&gt;不是标签" in out and "<em>不是标签" not in out


def test_escaped_ampersand_is_not_a_character_reference():
    out = html("写作 \\&copy; 不是 ©\n")
    assert "&amp;copy;" in out
    assert BeautifulSoup(out, "html.parser").p.get_text() == "写作 &copy; 不是 ©"


def test_backslash_before_a_letter_or_cjk_stays():
    assert para("路径 C:\\Users 与 \\中\n").get_text() == "路径 C:\\Users 与 \\中"


def test_backslash_at_the_end_of_a_line_is_one_hard_break():
    p = para("第一行\\\n第二行\n")
    assert [c.name for c in p.children if c.name] == ["br"]
    assert p.get_text().replace("\n", "") == "第一行第二行"


def test_backslash_at_the_end_of_the_paragraph_stays():
    assert para("最后一个反斜杠\\\n").get_text().strip() == "最后一个反斜杠\\"


def test_math_delimiters_and_code_keep_their_backslashes():
    out = html("公式 \\(a+b\\) 与 `\\*代码\\*`\n")
    assert 'class="arithmatex"' in out
    assert BeautifulSoup(out, "html.parser").code.get_text() == "\\*代码\\*"


def test_lone_escaped_bracket_is_a_bracket():
    assert para("只有 \\[ 没有闭合\n").get_text() == "只有 [ 没有闭合"
