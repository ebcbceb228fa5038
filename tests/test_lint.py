"""make check: one planted error of each kind is reported at the right file:line; a clean vault passes."""

from __future__ import annotations

from pathlib import Path

from helpers import ROOT, write_vault
from hooks import lint

GOOD = "---\ntitle: {t}\ntags: [测试]\n---\n\n见 [[{other}]]。\n"


def run(docs: Path) -> tuple[int, list[str]]:
    problems = lint.lint(lint.load(docs))
    return (1 if any(p.level == "error" for p in problems) else 0), [p.format(prefix="") + f" [{p.level}]" for p in problems]


def test_clean_vault_passes(tmp_path):
    docs = write_vault(tmp_path, {"甲.md": GOOD.format(t="甲", other="乙"), "乙.md": GOOD.format(t="乙", other="甲")})
    assert run(docs) == (0, [])


def test_each_planted_problem_is_reported_at_its_line(tmp_path):
    bad = (
        "---\ntitle: 坏\ntags: [测试]\naliases: [甲]\n---\n"  # 1-5
        "\n"                                                   # 6
        "链接 [[不存在]] 与 `[[代码里不算]]`\n"                   # 7
        "> [!wat] 未知类型\n"                                   # 8
        "![图](missing.png)\n"                                 # 9
        '<script>alert(1)</script>\n'                          # 10
        '```python exec="tpu"\nx = 1\n```\n'                   # 11-13
        '```python session="s"\ny = 1\n```\n'                  # 14-16
        "[[甲]]\n"                                             # 17
    )
    docs = write_vault(tmp_path, {
        "甲.md": GOOD.format(t="甲", other="坏"),
        "坏.md": bad,
        "无标题.md": "---\ntags: [x]\n---\n[[甲]]\n",
        "坏yaml.md": "---\ntitle: [未闭合\n---\n",
        "孤儿.md": GOOD.format(t="甲", other="甲"),
        "latin1.md": "---\ntitle: é\n---\n".encode("latin-1"),
    })
    status, lines = run(docs)
    assert status == 1
    expected = [
        "坏.md:7: broken link [[不存在]]",
        "坏.md:8: unknown callout type [!wat]",
        "坏.md:9: image 'missing.png' is not in the vault",
        "坏.md:10: raw HTML '<script>': a <script> element",
        '坏.md:11: exec="tpu" is not a runner',
        "坏.md:14: block has example options but no exec runner",
        "无标题.md:1: front matter has no 'title'",
        "坏yaml.md:2: invalid front matter",
        "孤儿.md: orphan note",
        "latin1.md:2: the file is not valid UTF-8",
        "孤儿.md:1: duplicate title '甲'",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, lines)
    assert not any("代码里不算" in line for line in lines)


def test_repository_vault_has_no_errors():
    problems = lint.lint(lint.load(ROOT / "docs"), ROOT / "docs")  # with the tag vocabulary (tags.yml)
    errors = [p.format() for p in problems if p.level == "error"]
    assert errors == []


def test_raw_html_policy_and_hidden_notes(tmp_path):
    note = (
        "---\ntitle: 丙\ntags: [测试]\n---\n"                          # 1-4
        "见 [[甲]]。\n"                                                # 5
        '<img src="a.png" onerror="alert(1)">\n'                       # 6
        "<a href='jav&#x61;script:alert(1)'>x</a>\n"                   # 7
        '<iframe srcdoc="<b>x</b>"></iframe>\n'                        # 8
        "[链接](javascript:alert(1))\n"                                 # 9
        "<details><summary>答案</summary>\n\n<kbd>Ctrl</kbd> H<sub>2</sub>O<br>\n</details>\n"  # 10-13
        "`<img onerror=x>` 与 $x_{<t}$ 不算\n"                          # 14
        '<img src="data:image/png;base64,AAAA"> <a href="data:text/html,x">d</a>\n'  # 15
    )
    docs = write_vault(tmp_path, {"甲.md": GOOD.format(t="甲", other="丙"), "丙.md": note,
                                  ".隐藏.md": GOOD.format(t="隐藏", other="甲"),
                                  ".草稿/乙.md": GOOD.format(t="乙", other="甲"),
                                  "templates/模板.md": "{{title}}\n"})
    status, lines = run(docs)
    assert status == 1
    html = [line.split(" — ")[0] for line in lines if line.startswith("丙.md")]
    assert html == [
        "丙.md:6: raw HTML '<img src=\"a.png\" onerror=\"alert(1)\">': an event handler (onerror=)",
        "丙.md:7: raw HTML \"<a href='jav&#x61;script:alert(1)'>\": a javascript: URL in href=",
        "丙.md:8: raw HTML '<iframe srcdoc=\"<b>x</b>\">': an srcdoc= document",
        "丙.md:9: link '[链接](javascript:alert(1))': a javascript: URL",
        "丙.md:15: raw HTML '<a href=\"data:text/html,x\">': a data: URL of type 'text/html' (only images may be "
        "data: URLs) in href=",
    ]
    hidden = sorted(line for line in lines if "hidden" in line)
    assert hidden == [
        ".草稿/乙.md: a file or folder name starting with '.' is hidden (as in Obsidian): this note is not in the "
        "site — rename it without the leading '.' to publish it, or move it out of docs/ [warning]",
        ".隐藏.md: a file or folder name starting with '.' is hidden (as in Obsidian): this note is not in the "
        "site — rename it without the leading '.' to publish it, or move it out of docs/ [warning]",
    ]
    assert not any("模板" in line for line in lines)
