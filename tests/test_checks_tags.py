"""The tag vocabulary (tags.yml): make check rejects unknown tags at file:line naming the closest allowed tag."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from helpers import ROOT, write_vault
from hooks import checks_tags, lint

VOCAB = """\
groups:
  - name: 推理与部署
    tags:
      推理: 推理的通用主题
      推理/KV-Cache: KV Cache
      量化: 低比特
  - name: 训练
    tags:
      训练: 训练
"""


def run_main(docs: Path, capsys) -> tuple[int, list[str]]:
    status = lint.main([str(docs)])
    return status, capsys.readouterr().out.splitlines()


def test_unknown_tags_are_errors_at_their_line_with_the_closest_allowed_tag(tmp_path, capsys):
    (tmp_path / "tags.yml").write_text(VOCAB, encoding="utf-8")
    docs = write_vault(tmp_path, {
        "甲.md": "---\ntitle: 甲\ntags: [推理, 推理优化]\n---\n见 [[乙]]，[[#小节]] 不是标签。\n\n## 小节\n",
        "乙.md": "---\ntitle: 乙\ntags:\n  - 训练\n  - kv-cache\n---\n见 [[甲]]。正文里的 #量化 可以，#量化方法 不行。\n"
                 "`#代码` 与 [链接](#锚点) 都不是标签。\n",
    })
    status, out = run_main(docs, capsys)
    assert status == 1
    errors = [line for line in out if "not in the vocabulary" in line]
    assert len(errors) == 3, out
    assert errors[0].startswith(f"{docs}/乙.md:5: tag 'kv-cache' is not in the vocabulary")
    assert "use '推理/KV-Cache'" in errors[0]
    assert errors[1].startswith(f"{docs}/乙.md:7: tag '量化方法'") and "use '量化'" in errors[1]
    assert errors[2].startswith(f"{docs}/甲.md:3: tag '推理优化'") and "use '推理'" in errors[2]


def test_vault_without_vocabulary_has_free_tags(tmp_path):
    docs = write_vault(tmp_path, {"甲.md": "---\ntitle: 甲\ntags: [随便]\n---\n#也行\n"})
    assert checks_tags.check(lint.load(docs), docs) == []


def test_malformed_vocabulary_is_reported_not_ignored(tmp_path):
    (tmp_path / "tags.yml").write_text("groups:\n  - name: 没有标签\n", encoding="utf-8")
    docs = write_vault(tmp_path, {"甲.md": "---\ntitle: 甲\ntags: [x]\n---\n"})
    problems = checks_tags.check(lint.load(docs), docs)
    assert [p.path for p in problems] == ["tags.yml"] and "needs 'name' and a 'tags' mapping" in problems[0].message


@pytest.mark.parametrize("unknown, closest", [("KV-CACHE", "推理/KV-Cache"), ("推理性能", "推理"), ("训练技巧", "训练")])
def test_closest(unknown, closest):
    vocabulary = checks_tags.load_vocabulary_text(VOCAB)
    assert vocabulary.closest(unknown) == closest


def test_repository_vocabulary_is_small_and_every_tag_is_used_on_three_notes():
    docs = ROOT / "docs"
    vocabulary = checks_tags.load_vocabulary(checks_tags.vocabulary_path(docs))
    vault = lint.load(docs)
    used: Counter[str] = Counter()
    for note in vault.notes.values():
        if note.published:
            used.update({tag for _, tag in checks_tags.note_tags(note.text, note.front.body_line)})
    assert len(vocabulary.tags) <= 80
    rare = {tag: used[tag] for tag in vocabulary.tags if used[tag] < 3}
    assert rare == {}
    assert set(used) <= set(vocabulary.tags)


def test_tag_page_groups_follow_the_vocabulary_with_nested_totals():
    from types import SimpleNamespace

    from hooks.site import tags as tag_page

    vocabulary = checks_tags.load_vocabulary_text(VOCAB)
    notes = {i: SimpleNamespace(tags=tags, title=str(i)) for i, tags in enumerate(
        [["推理/KV-Cache"], ["推理", "推理/KV-Cache"], ["训练"], ["自由标签"]])}
    by_tag = tag_page._tree(notes)
    groups = tag_page._grouped(list(by_tag), vocabulary)
    assert groups == [("推理与部署", ["推理", "推理/KV-Cache"]), ("训练", ["训练"]), ("其他", ["自由标签"])]
    assert tag_page._grouped(["b", "a"], None) == [("", ["a", "b"])]
