"""Drill mode, engine-neutral parts: the question model, the id script, make check, rendering."""

from __future__ import annotations

from hooks import lint
from hooks.drill import add_ids, checks, rendered
from hooks.drill.links import rebase, relative
from hooks.drill.questions import parse
from hooks.vault import VaultIndex

from helpers import render

NOTE = """---
title: 注意力缩放
tags: [模型结构, 注意力]
---

> [!question|hot|hard]- 为什么除以 $\\sqrt{d_k}$？
> 方差是 $d_k$，除以标准差拉回 1。
> 详解：[[#精确表述]]

^q-scale-why

## 精确表述

> [!question] 不缩放会怎样？

```markdown
> [!question] 代码块里的示例不是题
```

> [!tip] 一句话
> > [!question] 嵌套在别的 callout 里的也不是
"""


def test_parse_reads_id_key_metadata_heading_and_skips_code():
    qs = parse("architecture/attention-scaling.md", NOTE)
    assert [q.title for q in qs] == ["为什么除以 $\\sqrt{d_k}$？", "不缩放会怎样？"]
    first, second = qs
    assert first.qid == "q-scale-why" and first.id_line == 10 and first.line == 6
    assert first.key.splitlines() == ["方差是 $d_k$，除以标准差拉回 1。", "详解：[[#精确表述]]"]
    assert first.hot and first.difficulty == "hard" and first.folded == "-"
    assert first.section == "architecture" and first.heading == ""
    assert second.qid is None and second.key == "" and second.heading == "精确表述" and not second.hot


def test_add_ids_is_deterministic_folds_and_is_idempotent():
    taken: set[str] = set()
    once, changed = add_ids.rewrite("architecture/attention-scaling.md", NOTE, taken)
    assert changed == 1
    again, changed_again = add_ids.rewrite("architecture/attention-scaling.md", once, set(taken))
    assert changed_again == 0 and again == once
    qs = parse("architecture/attention-scaling.md", once)
    assert qs[0].qid == "q-scale-why"  # an existing id is never changed
    assert qs[1].qid == add_ids.new_id("architecture/attention-scaling.md", "不缩放会怎样？", set())
    assert qs[1].qid.startswith("q-attention-scaling-") and qs[1].folded == "-"
    assert "> [!question]- 不缩放会怎样？\n\n^" + qs[1].qid + "\n\n```markdown" in once
    assert "> [!question] 代码块里的示例不是题" in once  # code untouched
    # An index note takes its folder's name; a collision takes a longer hash.
    assert add_ids.slug_for("rag/index.md") == "rag"
    first = add_ids.new_id("a/b.md", "x", set())
    assert add_ids.new_id("a/b.md", "x", {first}) != first


def test_check_reports_missing_id_duplicate_and_missing_key():
    vault = VaultIndex()
    vault.add_note("a/one.md", NOTE.encode())
    vault.add_note("a/two.md", "---\ntitle: 二\ntags: [x]\n---\n\n> [!question]- 重复？\n> 有答案\n\n^q-scale-why\n\n"
                   "> [!question]- 坏 id\n\n^q-Bad_id\n".encode())
    found = {(p.path, p.line, p.level, p.message.split(":")[0]) for p in checks.check(vault)}
    assert ("a/one.md", 14, "error", "question has no id") in found
    assert ("a/one.md", 14, "warning", "question has no answer key") in found
    assert ("a/one.md", 10, "error", "duplicate question id ^q-scale-why (also a/two.md") in found
    assert ("a/two.md", 9, "error", "duplicate question id ^q-scale-why (also a/one.md") in found
    assert any(p[0] == "a/two.md" and p[1] == 11 and "is not of the form" in p[3] for p in found)
    assert not any(p[0] == "a/two.md" and p[1] == 6 and "no answer key" in p[3] for p in found)
    # make check (hooks/lint.py) reports them with the rest.
    assert {p for p in checks.check(vault)} <= set(lint.lint(vault))


def test_block_id_on_its_own_line_becomes_the_callouts_id():
    html, _ = render(NOTE, "architecture/attention-scaling.md")
    assert '<details class="question callout" data-callout="question" data-callout-metadata="hot|hard" id="^q-scale-why">' in html
    assert "^q-scale-why</p>" not in html and ">^q-" not in html
    # Also after a quote and a table; an id ending a paragraph still marks the paragraph.
    html, _ = render("> 引文\n\n^quote-id\n\n| a |\n|---|\n| 1 |\n\n^table-id\n\n段落 ^para-id\n")
    assert '<blockquote id="^quote-id">' in html and '<table id="^table-id">' in html and '<p id="^para-id">段落</p>' in html


def test_rendered_questions_come_from_the_page_html():
    html, _ = render(NOTE, "architecture/attention-scaling.md")
    found = rendered.questions(html)
    assert list(found) == ["q-scale-why"]
    q = found["q-scale-why"]
    # Formulas arrive as the page shows them: KaTeX's HTML, its TeX kept in the MathML annotation.
    assert q.title.startswith('为什么除以 <span class="arithmatex"><span class="katex">') and q.title.endswith("</span>？")
    assert '<annotation encoding="application/x-tex">\\sqrt{d_k}</annotation>' in q.title
    assert q.key.startswith('<p>方差是 <span class="arithmatex"><span class="katex">') and 'href="#精确表述"' in q.key
    assert '<annotation encoding="application/x-tex">d_k</annotation>' in q.key
    # A callout nested in the key stays inside it; the next question starts after it.
    html, _ = render("> [!question]- 甲？\n> 要点\n>\n> > [!note]- 补充\n> > 细节\n>\n> 结尾\n\n^q-a\n\n> [!question]- 乙？\n\n^q-b\n")
    found = rendered.questions(html)
    assert list(found) == ["q-a", "q-b"] and found["q-b"] == rendered.Rendered("乙？", "")
    assert "<summary>补充</summary>" in found["q-a"].key and found["q-a"].key.rstrip().endswith("结尾</p>")


def test_links_are_rebased_to_the_new_place():
    key = '<a href="#精确表述">x</a> <a href="../ffn/#a">y</a> <a href="https://e.org/">z</a> <img src="../../img/p.png">'
    moved = rebase(key, "architecture/attention-scaling/", "practice/drill/")
    assert 'href="../../architecture/attention-scaling/#精确表述"' in moved
    assert 'href="../../architecture/ffn/#a"' in moved and 'href="https://e.org/"' in moved
    assert 'src="../../img/p.png"' in moved
    absolute = rebase(key, "architecture/attention-scaling/", site_url="https://kb.example/llm/")
    assert 'href="https://kb.example/llm/architecture/ffn/#a"' in absolute
    assert relative("drill/bank.json", "") == "drill/bank.json" and relative("a/", "a/") == ""
