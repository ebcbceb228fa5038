"""Bad notes: the build keeps working or fails clearly, and never loses a note.

Each case is a note (or a few files) with one kind of bad input and its exact outcome:

* ``clean``   it renders, no warning or error names it, and what it says is on its page;
* ``warning`` / ``error``  exactly the listed ``docs/file:line: message`` lines name it (a strict
  build fails on either), and the page is still built with its content.

All cases share one scratch vault and one build (the outcome is still asserted per case). Covered
elsewhere, not repeated here: embed cycles and 20-deep embed chains
(``test_build.py::test_embed_cycles_and_deep_chains_stop_with_a_warning``), and every note of the
real vault built or unpublished (``test_build.py::test_no_note_is_silently_missing``). The table in
docs/about/reliability.md lists these cases and their outcomes.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from helpers import Serve, build_vault, write_vault


@dataclass
class Site:
    root: Path
    log: str

    def html(self, note: str) -> str:
        return (self.root / "site" / url_of(note) / "index.html").read_text(encoding="utf-8")

    def page(self, note: str) -> BeautifulSoup:
        return BeautifulSoup(self.html(note), "lxml")

    def article(self, note: str) -> BeautifulSoup:
        return self.page(note).select_one("article")

    def reaches(self, note: str, href: str) -> bool:
        """Whether a relative link on a note's page leads to a built page."""
        target = (self.root / "site" / url_of(note) / unquote(href.split("#")[0])).resolve()
        return (target / "index.html").is_file()


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes]
    outcome: str  # clean | warning | error
    expect: list[str] = field(default_factory=list)  # the exact problem lines, without the level
    check: Callable[[Site], None] | None = None


def url_of(note: str) -> str:
    return note[: -len("index.md")] if note.endswith("index.md") else note[:-3] + "/"


def front(title: str) -> str:
    return f"---\ntitle: {title}\n---\n\n"


# -- the cases ------------------------------------------------------------------------------------
def _nested_callouts() -> str:
    lines = ["> " * depth + f"[!note] 第 {depth} 层" for depth in range(1, 51)]
    return front("五十层 callout") + "\n".join(lines) + "\n" + "> " * 50 + "第 50 层的内容\n"


def _check_nested_callouts(site: Site) -> None:
    boxes = site.article("坏/五十层callout.md").select(".callout")
    assert len(boxes) == 50
    deepest = boxes[-1]
    assert len(deepest.find_parents(class_="callout")) == 49
    assert deepest.select_one(".admonition-title").get_text() == "第 50 层"
    assert deepest.find("p", class_=False).get_text() == "第 50 层的内容"


def _nested_lists() -> str:
    bullets = "\n".join("  " * depth + f"- 无序第 {depth} 层" for depth in range(50))
    numbered = "\n".join("\t" * depth + f"1. 有序第 {depth} 层" for depth in range(50))
    return front("五十层列表") + bullets + "\n\n中间的段落。\n\n" + numbered + "\n"


def _check_nested_lists(site: Site) -> None:
    article = site.article("坏/五十层列表.md")
    for tag, word in (("ul", "无序"), ("ol", "有序")):
        items = [li for li in article.find_all("li") if word in li.get_text()]
        deepest = next(li for li in items if li.get_text(strip=True) == f"{word}第 49 层")
        assert len(deepest.find_parents(tag)) == 50
        assert all(f"{word}第 {d} 层" in article.get_text() for d in range(50))


PARAGRAPH = "注意力机制把每个词元与其他词元的相关程度算成权重，再按权重汇总取值向量；这一段只用来把笔记撑到五兆字节。"


def _big_note() -> str:
    head = front("五兆字节的笔记") + "## 开头\n\n第一段。\n\n"
    tail = "\n## 结尾\n\n[[五十层列表]] 之后是全文最后一句：到此为止。\n"
    body = (PARAGRAPH + "\n\n") * ((5 * 2**20 - len((head + tail).encode())) // len((PARAGRAPH + "\n\n").encode()) + 1)
    return head + body + tail


def _check_big_note(site: Site) -> None:
    note = "坏/五兆字节.md"
    assert len(_big_note().encode()) >= 5 * 2**20
    html = site.html(note)
    expected = _big_note().count(PARAGRAPH)
    assert html.count(f"<p>{PARAGRAPH}</p>") == expected
    assert "第一段。" in html and "到此为止。" in html


def _many_links() -> str:
    lines = [f"- 第 {i} 条：[[五十层列表]]、[[五兆字节#结尾|别名 {i}]]" for i in range(5000)]
    return front("一万个双链") + "\n".join(lines) + "\n"


def _check_many_links(site: Site) -> None:
    links = site.article("坏/一万个双链.md").select("a.wikilink")
    assert len(links) == 10_000
    assert {link["href"] for link in links} == {"../%E4%BA%94%E5%8D%81%E5%B1%82%E5%88%97%E8%A1%A8/",
                                                  "../%E4%BA%94%E5%85%86%E5%AD%97%E8%8A%82/#结尾"}
    assert all(site.reaches("坏/一万个双链.md", link["href"]) for link in links[:2])
    backlinks = site.page("坏/五十层列表.md").select(".llm-kb-backlinks a")
    assert [a.get_text() for a in backlinks].count("一万个双链") == 1


UNCLOSED_FENCE = front("未闭合的代码块") + "前面的段落。\n\n```python\nx = 1\n\n后面的文字 [[不存在的笔记]] #不是标签\n"


def _check_unclosed_fence(site: Site) -> None:
    article = site.article("坏/未闭合围栏.md")
    code = article.select_one("pre code").get_text()
    assert "x = 1" in code and "后面的文字 [[不存在的笔记]] #不是标签" in code
    assert not article.select("a.tag") and not article.select(".llm-kb-broken-link")


UNCLOSED_FENCE_CALLOUT = front("callout 里未闭合的代码块") + "> [!example] 示例\n> ```python\n> y = 2\n\ncallout 之后的正文。\n"


def _check_unclosed_fence_in_callout(site: Site) -> None:
    article = site.article("坏/callout里未闭合.md")
    box = article.select_one(".callout")
    assert box.select_one("pre code").get_text().strip() == "y = 2"
    after = [p for p in article.find_all("p") if p.get_text() == "callout 之后的正文。"]
    assert after and not after[0].find_parents(class_="callout")


UNCLOSED_MATH = front("未闭合的公式") + "行内 $$E=mc^2$$ 是闭合的。\n\n$$\na^2 + b^2\n\n后面的正文。\n"


def _check_unclosed_math(site: Site) -> None:
    text = site.article("坏/未闭合公式.md").get_text()
    assert "a^2 + b^2" in text and "后面的正文。" in text


UNCLOSED_COMMENT = (front("未闭合的注释") + "看得见的段落。\n\n```text\n%% 代码里的百分号不是注释 %%\n```\n\n"
                    "%% 这条注释没有结束\n\n看不见的段落。\n")


def _check_unclosed_comment(site: Site) -> None:
    article = site.article("坏/未闭合注释.md")
    text = article.get_text()
    assert "看得见的段落。" in text and "%% 代码里的百分号不是注释 %%" in article.select_one("pre").get_text()
    assert "这条注释没有结束" not in text and "看不见的段落" not in text


def _check_body_published(note: str, words: str) -> Callable[[Site], None]:
    def check(site: Site) -> None:
        assert words in site.article(note).get_text()
    return check


def _check_line_two(site: Site) -> None:
    article = site.article("坏/第二行.md")
    assert article.find("hr") and article.find("h2").get_text().startswith("title: 这不是元数据")
    assert site.page("坏/第二行.md").title.get_text().startswith("第二行")


LATIN1 = front("非 UTF-8 字节").encode() + "第一段正常。\n\n".encode() + b"caf\xe9 au lait\n\n" + "最后一段也在。\n".encode()
LATIN1_AT = LATIN1.index(b"caf\xe9") + 3


def _check_latin1(site: Site) -> None:
    text = site.article("坏/编码.md").get_text()
    assert "第一段正常。" in text and "caf\ufffd au lait" in text and "最后一段也在。" in text


def _check_title(note: str, title: str, *words: str) -> Callable[[Site], None]:
    def check(site: Site) -> None:
        page = site.page(note)
        assert page.title.get_text().startswith(title)
        text = page.select_one("article").get_text()
        assert all(w in text for w in words) and "\r" not in site.html(note) and "\ufeff" not in site.html(note)
    return check


def _check_crlf(site: Site) -> None:
    _check_title("坏/crlf.md", "CRLF 笔记", "第一项", "正文")(site)
    assert site.article("坏/crlf.md").select_one("ul > li > ul > li").get_text() == "嵌套项"


def _check_lone_cr(site: Site) -> None:
    _check_title("坏/cr.md", "旧 Mac 换行")(site)
    paragraph = next(p for p in site.article("坏/cr.md").find_all("p") if "第一行" in p.get_text())
    assert paragraph.find("br") and paragraph.get_text().split() == ["第一行", "第二行"]


TABS = (front("制表符") + "名称\t数值\t说明\n\n- 外层\n\t- 内层（制表符缩进）\n\t\t- 第三层\n\n"
        "段落后的缩进代码：\n\n\tprint(\"tab\")\n")


def _check_tabs(site: Site) -> None:
    article = site.article("杂/制表符.md")
    assert article.select_one("ul > li > ul > li > ul > li").get_text() == "第三层"
    assert article.select_one("pre code").get_text() == 'print("tab")\n'
    assert "名称" in article.get_text() and "说明" in article.get_text()


INVISIBLE = "零宽\u200b空格、零宽\u200d连接符、从右到左\u202e覆盖\u202c与标记\u200f。阿拉伯文 مرحبا 与希伯来文 שלום。"


def _check_invisible(site: Site) -> None:
    assert site.article("杂/不可见字符.md").find("p", string=INVISIBLE) is not None


def _names_case(note: str, referrer: str, link: str) -> Case:
    def check(site: Site) -> None:
        assert (site.root / "site" / url_of(note) / "index.html").is_file()
        anchors = site.article(referrer).select("article a[href], a[href]")
        hrefs = [a["href"] for a in anchors if a.get_text() == Path(note).stem or a.get_text() == "这篇"]
        assert hrefs and all(site.reaches(referrer, h) for h in hrefs), hrefs
    title = Path(note).stem
    return Case(f"name-{title}", {note: front(title) + "正文。\n", referrer: front("引用" + title) + link + "\n"},
                "clean", check=check)


def _check_hash_name(site: Site) -> None:
    assert (site.root / "site" / "名字" / "井#号" / "index.html").is_file()
    link = site.article("名字/引用井号.md").find("a", string="这篇")
    assert link["href"] == "../%E4%BA%95%23%E5%8F%B7/" and site.reaches("名字/引用井号.md", link["href"])


def _check_case_twins(site: Site) -> None:
    assert "大写的" in site.article("大小写/Attention.md").get_text()
    assert "小写的" in site.article("大小写/attention.md").get_text()


CRLF_LINES = "---\r\ntitle: CRLF 行号\r\n---\r\n\r\n第一段\r\n\r\n链接 [[不存在的笔记甲]]\r\n"

CASES = [
    Case("callouts-50-deep", {"坏/五十层callout.md": _nested_callouts()}, "clean", check=_check_nested_callouts),
    Case("lists-50-deep", {"坏/五十层列表.md": _nested_lists()}, "clean", check=_check_nested_lists),
    Case("note-5-mb", {"坏/五兆字节.md": _big_note()}, "clean", check=_check_big_note),
    Case("wikilinks-10000", {"坏/一万个双链.md": _many_links()}, "clean", check=_check_many_links),
    Case("unclosed-fence", {"坏/未闭合围栏.md": UNCLOSED_FENCE}, "warning",
         ["docs/坏/未闭合围栏.md:7: unclosed code fence '```python': the rest of the note is shown as code, as in Obsidian"],
         _check_unclosed_fence),
    Case("unclosed-fence-in-callout", {"坏/callout里未闭合.md": UNCLOSED_FENCE_CALLOUT}, "warning",
         ["docs/坏/callout里未闭合.md:6: unclosed code fence '> ```python': the rest of the callout is shown as code"],
         _check_unclosed_fence_in_callout),
    Case("unclosed-math", {"坏/未闭合公式.md": UNCLOSED_MATH}, "warning",
         ["docs/坏/未闭合公式.md:7: unclosed $$: this $$ has no closing $$, so the math shows as text"], _check_unclosed_math),
    Case("unclosed-comment", {"坏/未闭合注释.md": UNCLOSED_COMMENT}, "warning",
         ["docs/坏/未闭合注释.md:11: unclosed %% comment: everything after it is hidden, as in Obsidian"],
         _check_unclosed_comment),
    Case("yaml-invalid", {"坏/yaml.md": "---\ntitle: 坏的 YAML\ntags: [基础, 数学\n---\n\n正文仍然发布。\n"}, "error",
         ["docs/坏/yaml.md:3: invalid front matter: did not find expected ',' or ']'"],
         _check_body_published("坏/yaml.md", "正文仍然发布。")),
    Case("json-invalid", {"坏/json.md": '---\n{"title": "坏的 JSON", "tags": ["基础",]\n---\n\n正文仍然发布。\n'}, "error",
         ["docs/坏/json.md:2: invalid front matter: did not find expected ',' or '}'"],
         _check_body_published("坏/json.md", "正文仍然发布。")),
    Case("dashes-on-line-2", {"坏/第二行.md": "\n---\ntitle: 这不是元数据\n---\n\n正文。\n"}, "clean", check=_check_line_two),
    Case("not-utf-8", {"坏/编码.md": LATIN1}, "error",
         [f"docs/坏/编码.md:7: the file is not valid UTF-8 (byte 0xe9 at offset {LATIN1_AT})"], _check_latin1),
    Case("bom", {"坏/bom.md": "\ufeff" + front("带 BOM 的笔记") + "正文。\n"}, "clean",
         check=_check_title("坏/bom.md", "带 BOM 的笔记", "正文。")),
    Case("crlf", {"坏/crlf.md": "---\r\ntitle: CRLF 笔记\r\n---\r\n\r\n- 第一项\r\n  - 嵌套项\r\n\r\n正文\r\n"}, "clean",
         check=_check_crlf),
    Case("lone-cr", {"坏/cr.md": "---\rtitle: 旧 Mac 换行\r---\r\r第一行\r第二行\r"}, "clean", check=_check_lone_cr),
    Case("crlf-line-numbers", {"坏/crlf行号.md": CRLF_LINES}, "error",
         ["docs/坏/crlf行号.md:7: broken link [[不存在的笔记甲]]: no note or file named '不存在的笔记甲'"]),
    Case("tabs", {"杂/制表符.md": TABS}, "clean", check=_check_tabs),
    Case("zero-width-and-rtl", {"杂/不可见字符.md": front("不可见字符") + INVISIBLE + "\n"}, "clean", check=_check_invisible),
    Case("zero-width-in-link", {"杂/链接里的零宽字符.md": front("链接里的零宽字符") + "见 [[制表符\u200b]]。\n"}, "error",
         ["docs/杂/链接里的零宽字符.md:5: broken link [[制表符\u200b]]: no note or file named '制表符\u200b' — "
          "the name contains invisible characters (U+200B): delete them"]),
    _names_case("名字/带 空格.md", "名字/引用空格.md", "见 [[带 空格]]。"),
    _names_case("名字/百分之%50.md", "名字/引用百分号.md", "见 [[百分之%50]]。"),
    _names_case("名字/表情😀.md", "名字/引用表情.md", "见 [[表情😀]]。"),
    _names_case("名字/中文文件名.md", "名字/引用中文.md", "见 [[中文文件名]]。"),
    Case("name-with-hash", {"名字/井#号.md": front("井号") + "正文。\n",
                            "名字/引用井号.md": front("引用井号") + "见[这篇](井%23号.md)。\n"}, "warning",
         ["docs/名字/井#号.md: the file name contains #: a [[wikilink]] cannot name this note"], _check_hash_name),
    Case("names-differ-in-case", {"大小写/Attention.md": front("大写") + "大写的。\n",
                                  "大小写/attention.md": front("小写") + "小写的。\n"}, "error",
         ["docs/大小写/Attention.md: '大小写/Attention.md' and '大小写/attention.md' differ only in case",
          "docs/大小写/attention.md: '大小写/attention.md' and '大小写/Attention.md' differ only in case"],
         _check_case_twins),
]
UNPUBLISHED = {"草稿/未发布.md": "---\ntitle: 草稿\npublish: false\n---\n\n还没写完。\n",
               "草稿/数字花园.md": "---\ntitle: 另一份草稿\ndg-publish: false\n---\n\n也没写完。\n"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("bad-input")
    files = {"index.md": front("首页") + "坏笔记的集合。\n", **UNPUBLISHED}
    for case in CASES:
        assert not set(case.files) & set(files), case.id
        files.update(case.files)
    result = build_vault(root, files, strict=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return Site(root, result.stderr)


def problem_lines(log: str, files: dict) -> list[tuple[str, str]]:
    """(level, text) of every WARNING or ERROR line of the log that names one of these files."""
    names = [f"docs/{f}" for f in files] + [f"'{f}'" for f in files]
    out = []
    for m in re.finditer(r"^(WARNING|ERROR)\s+-\s+(.*)$", log, re.M):
        if any(n in m.group(2) for n in names):
            out.append((m.group(1), m.group(2)))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(site, case):
    found = problem_lines(site.log, case.files)
    if case.outcome == "clean":
        assert found == []
    else:
        level = case.outcome.upper()
        assert len(found) == len(case.expect), found
        for expected in case.expect:
            assert any(lv == level and text.startswith(expected) for lv, text in found), (expected, found)
    for note in case.files:
        assert (site.root / "site" / url_of(note) / "index.html").is_file(), f"{note} is missing from the site"
    if case.check:
        case.check(site)


def test_every_note_is_in_the_site_or_reported_unpublished(site):
    docs = site.root / "docs"
    notes = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    assert len(notes) == 2 + 1 + sum(len(c.files) for c in CASES)
    for note in notes:
        built = (site.root / "site" / url_of(note) / "index.html").is_file()
        reported = f"docs/{note}: unpublished (" in site.log
        assert built != reported, f"{note}: built={built}, reported unpublished={reported}"
    assert [n for n in notes if f"docs/{n}: unpublished (" in site.log] == sorted(UNPUBLISHED)
    assert "docs/草稿/数字花园.md: unpublished (dg-publish: false)" in site.log


@pytest.mark.parametrize("flags", [["--dirty"], []], ids=["make-serve", "plain-serve"])
def test_serve_survives_a_removed_image_and_note(tmp_path, flags):
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d4944415478da6364f8ffbf1e0005fe02fe0d3d4d2a0000000049454e44ae426082")
    docs = write_vault(tmp_path, {
        "index.md": front("首页") + "见 [[甲]]。\n\n图：![[图.png]]\n",
        "甲.md": front("甲") + "甲的内容。\n",
        "乙.md": front("乙") + "乙的内容。\n",
        "图.png": png,
    })
    with Serve(tmp_path, docs, *flags) as serve:
        assert "甲" in serve.get("") and 'src="%E5%9B%BE.png"' in serve.get("")
        mark = len(serve.lines)
        time.sleep(1.1)  # a new mtime, whatever the file system's resolution
        (docs / "图.png").unlink()
        (docs / "甲.md").unlink()
        serve.wait_for("Reloading browsers", after=mark)
        log = "\n".join(serve.lines[mark:])
        assert "docs/index.md:5: broken link [[甲]]: no note or file named '甲'" in log
        assert "docs/index.md:7: broken link ![[图.png]]: no note or file named '图.png'" in log
        assert "Traceback" not in log and serve.proc.poll() is None
        home = serve.get("")
        assert "llm-kb-broken-link" in home and "乙" in serve.get("%E4%B9%99/")


# -- crashes and silent losses (issue 19): each one a file:line problem, the build goes on --------
LOSSES = {
    "index.md": front("首页") + "[[格式]] [[环甲]] [[引用草稿]] [[标签]]\n",
    "格式.md": front("格式") + '```python exec="cpu"\nx = 1.5\n```\n\n值 `=x:zz` 与 `=x:.2f`\n',
    "引用草稿.md": front("引用草稿") + "见[草稿](草稿/引号.md)与[另一份](草稿/引号.md#小节)。\n",
    "草稿/引号.md": '---\ntitle: 引号草稿\npublish: "false"\n---\n\n不该发布。\n',
    "环甲.md": front("环甲") + "甲\n\n![[环乙]]\n",
    "环乙.md": front("环乙") + "乙\n\n嵌入回去：\n\n![[环甲]]\n",
    "标签.md": "---\ntitle: 标签\ntags: [C++, C#]\n---\n\n两种语言。\n",
    "..md": front("两个点的笔记") + "正文。\n",
    ".hidden.md": front("隐藏的笔记") + "正文。\n",
    "..folder/x.md": front("点目录的笔记") + "正文。\n",
    ".drafts/y.md": front("点目录二的笔记") + "正文。\n",
    "templates/模板.md": front("模板的笔记") + "{{title}}\n",
}


@pytest.fixture(scope="module")
def losses(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("losses")
    result = build_vault(root, LOSSES, strict=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return Site(root, result.stderr)


@pytest.mark.parametrize("level, line", [
    ("ERROR", "docs/格式.md:9: `=x:zz`: 'zz' is not a format for float"),
    ("WARNING", "docs/引用草稿.md:5: link [草稿](草稿/引号.md) points to an unpublished note (草稿/引号.md)"),
    ("WARNING", "docs/引用草稿.md:5: link [另一份](草稿/引号.md#小节) points to an unpublished note (草稿/引号.md)"),
    ("ERROR", "docs/草稿/引号.md:3: 'publish' must be true or false, not 'false': the note is not published"),
    ("INFO", 'docs/草稿/引号.md: unpublished (publish: "false"), not in the site'),
    # The embed that closes the cycle, named where it is written.
    ("WARNING", "docs/环乙.md:9: embed cycle: 环甲.md → 环乙.md → 环甲.md"),
    ("WARNING", "docs/环甲.md:7: embed cycle: 环乙.md → 环甲.md → 环乙.md"),
    ("WARNING", "docs/..md: a file or folder name starting with '.' is hidden (as in Obsidian)"),
    ("WARNING", "docs/.hidden.md: a file or folder name starting with '.' is hidden (as in Obsidian)"),
    ("WARNING", "docs/..folder/x.md: a file or folder name starting with '.' is hidden (as in Obsidian)"),
    ("WARNING", "docs/.drafts/y.md: a file or folder name starting with '.' is hidden (as in Obsidian)"),
    ("INFO", "docs/templates/模板.md: in an Obsidian folder (exclude_docs), not in the site"),
], ids=["format-spec", "md-link-unpublished", "md-link-unpublished-anchor", "publish-string", "publish-string-log",
        "embed-cycle-line-b", "embed-cycle-line-a", "dot-dot-md", "dot-name", "dot-dot-folder", "dot-folder",
        "templates-folder"])
def test_crashes_and_silent_losses_are_named(losses, level, line):
    assert re.search(rf"^{level}\s+-\s+{re.escape(line)}", losses.log, re.M), losses.log[-3000:]


def test_crash_cases_still_build_their_pages(losses):
    value = losses.article("格式.md").select(".llm-kb-value")
    assert [v.get_text() for v in value] == ["1.5", "1.50"]  # the bad spec shows the value, the good one formats it
    links = losses.article("引用草稿.md")
    assert links.find("a", string="草稿") is None and "见草稿与另一份。" in links.get_text()
    assert not (losses.root / "site/草稿/引号/index.html").exists()
    pages = "".join(f.read_text(encoding="utf-8") for f in (losses.root / "site").rglob("*.html"))
    for title in ("两个点的笔记", "隐藏的笔记", "点目录的笔记", "点目录二的笔记", "模板的笔记"):
        assert title not in pages
    tags = losses.article("标签.md").select("a.md-tag")
    assert [t.get_text() for t in tags] == ["C++", "C#"]
    ids = {t["href"].split("#")[1] for t in tags}
    assert len(ids) == 2
    index = losses.page("tags.md")
    assert all(index.find(id=i) for i in ids)
