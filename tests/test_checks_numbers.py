"""make check: numbers typed by hand where a block computes them are listed at file:line, quietly."""

from __future__ import annotations

from helpers import write_vault
from hooks import lint
from hooks.checks_numbers import candidates

BLOCK = '```python exec="cpu" id="m"\ncapacity_gb = 141\nstates_gb = 7e9 * 16 / 1e9\nassert states_gb == 112\n```\n'


def note(body: str) -> str:
    return "---\ntitle: 估算\ntags: [测试]\n---\n\n## 显存\n\n" + BLOCK + "\n" + body


def test_unbound_derived_numbers_are_listed_with_their_line():
    text = note("模型状态约 112 GB，比例 0.127 bit，指数 3.40e38，差 7.4%，下一行。\n")
    assert candidates(text) == [(14, "112 GB"), (14, "0.127 bit"), (14, "3.40e38"), (14, "7.4%")]


def test_what_is_not_listed():
    lines = [
        "绑定的 `=states_gb|112 GB` 与代码里的 `x = 112 GB`。",    # bindings and code spans
        "H200 有 141 GB。",                                        # an input of the note's code
        "论文报告 37.6 GB 与 9.3%。",                               # a quoted source
        "常见错误：算成 335 MB；正确：见上。",                     # the deliberately wrong half
        "它不是 335 MB，也不是“9 倍”。",                          # refuted or quoted claims
        "FP16 占 2 字节，INT4 占 4 bit，LLaMA-70B 与 7B。",       # widths, model names
        "采样 15% 的 token，单卡 80 GB，默认 25 MB 的桶。",         # round percentages, specs, defaults
        "公式 $x = 12.5\\%$ 与 [[note|3 GB]]。",                  # math and links
    ]
    assert candidates(note("\n\n".join(lines) + "\n")) == []


def test_only_sections_with_an_exec_block_or_a_formula_count():
    text = note("") + "\n## 历史\n\n当年的卡只有 12.5 GB 的 1.5%。\n\n## 公式\n\n$$a=b$$\n\n得到 3.3 GiB。\n"
    assert candidates(text) == [(23, "3.3 GiB")]


def test_make_check_warns_at_file_line_and_exits_0(tmp_path):
    docs = write_vault(tmp_path, {
        "甲.md": note("状态约 112 GB，另见 [[乙]]。\n"),
        "乙.md": "---\ntitle: 乙\ntags: [测试]\n---\n\n见 [[甲]]，也写了 112 GB（没有代码块，不检查）。\n",
    })
    problems = [p for p in lint.lint(lint.load(docs)) if "typed by hand" in p.message]
    assert [(p.path, p.line, p.level) for p in problems] == [("甲.md", 14, "warning")]
    assert "'112 GB'" in problems[0].message and "`=name|112 GB`" in problems[0].hint
    assert lint.main([str(docs)]) == 0
