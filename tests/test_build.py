"""Whole-vault builds with the site's real configuration: strict failures name the file and line."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from helpers import build_vault

HOME = "---\ntitle: 首页\n---\n\n见 [[甲]]。\n"


def page(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / "site" / url / "index.html").read_text(encoding="utf-8"), "lxml")


def search_index_text(site: Path) -> str:
    """Every page's text and metadata in the Pagefind index (gzip'd JSON fragments), as plain text."""
    import gzip
    import json

    fragments = sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert fragments, "no Pagefind fragments in the site"
    texts = []
    for f in fragments:
        data = json.loads(gzip.decompress(f.read_bytes()).removeprefix(b"pagefind_dcd"))
        texts.append(data["content"] + json.dumps(data["meta"], ensure_ascii=False))
    return "\n".join(texts).replace("\u200b", "")  # Chinese is indexed a character a word


def test_clean_vault_builds_with_wikilinks_backlinks_tags_and_embeds(tmp_path):
    notes = {
        "index.md": HOME,
        "sec/甲.md": "---\ntitle: 甲笔记\ntags: [基础]\naliases: [Alpha]\n---\n\n## 第一节\n\n内容 #标签/子标签\n\n"
                     "一句话 ^blk\n\n见 [[乙#小节|乙的小节]] 与 [[#第一节]]。\n",
        "其他/乙.md": "---\ntitle: 乙笔记\n---\n\n## 小节\n\n嵌入：\n\n![[甲#第一节]]\n\n块链接 [[甲#^blk]]，别名 [[Alpha]]。\n",
    }
    result = build_vault(tmp_path, notes)
    assert result.returncode == 0, result.stderr
    a = page(tmp_path, "sec/甲")
    link = a.find("a", string="乙的小节")
    assert link["href"] == "../../%E5%85%B6%E4%BB%96/%E4%B9%99/#小节"
    b = page(tmp_path, "其他/乙")
    assert b.find(id="小节") and b.select_one(".llm-kb-embed").get_text().count("内容") == 1
    # A link without its own text reads as the note's title (a block id is not shown), as an alias does.
    assert [x["href"].rsplit("/", 1)[-1] for x in b.find_all("a", class_="wikilink", string="甲笔记")] == ["#^blk", ""]
    assert a.find(id="^blk") and "^blk" not in a.find(id="^blk").get_text()
    backlinks = a.select_one(".llm-kb-backlinks")
    assert backlinks and backlinks.find("a", string="乙笔记")
    tags = page(tmp_path, "tags")
    assert tags.find(id="tag-标签") and tags.find(id="tag-标签-子标签") and tags.find(id="tag-基础")
    assert [t.get_text() for t in a.select(".llm-kb-tags .md-tag")] == ["基础", "标签/子标签"]


def test_broken_wikilink_fails_strict_build_with_file_line_and_suggestion(tmp_path):
    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n第一行\n\n链接到 [[不存在的笔记]] 和 [[甲的]]\n"}
    result = build_vault(tmp_path, notes)
    assert result.returncode != 0
    assert "docs/甲.md:7: broken link [[不存在的笔记]]" in result.stderr
    assert "docs/甲.md:7: broken link [[甲的]]" in result.stderr and "did you mean 甲" in result.stderr


def test_broken_markdown_link_and_anchor_fail_strict_build(tmp_path):
    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n## 存在的标题\n\n[坏链接](nowhere.md)\n"}
    result = build_vault(tmp_path, notes)
    assert result.returncode != 0 and "'index.md'" not in result.stderr
    assert "甲.md" in result.stderr and "nowhere.md" in result.stderr
    notes["甲.md"] = "---\ntitle: 甲\n---\n\n## 存在的标题\n\n[好](#存在的标题) [坏](#不存在的标题)\n"
    result = build_vault(tmp_path, notes)
    assert result.returncode != 0
    assert "甲.md" in result.stderr and "不存在的标题" in result.stderr and "'#存在的标题'" not in result.stderr


def test_invalid_front_matter_names_file_and_line(tmp_path):
    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\ntags: [a, b\naliases: x\n---\n\n正文\n"}
    result = build_vault(tmp_path, notes)
    assert result.returncode != 0
    assert "docs/甲.md:4: invalid front matter" in result.stderr


def test_json_front_matter_and_unpublished_notes(tmp_path):
    notes = {
        "index.md": HOME,
        "甲.md": '---\n{"title": "JSON 标题", "tags": ["x"], "dg-publish": true}\n---\n\n正文\n',
        "草稿.md": "---\ntitle: 草稿\npublish: false\n---\n\n秘密内容\n",
        "线二.md": "\n---\n\n不是 front matter\n",
    }
    result = build_vault(tmp_path, notes)
    assert result.returncode == 0, result.stderr
    assert page(tmp_path, "甲").find("h1").get_text().startswith("JSON 标题")
    assert not (tmp_path / "site" / "草稿").exists()
    indexed = search_index_text(tmp_path / "site")
    assert "正文" in indexed and "JSON 标题" in indexed  # the index holds the published note…
    assert "秘密内容" not in indexed and "草稿" not in indexed  # …and nothing of the draft
    assert page(tmp_path, "线二").find("hr")


def test_no_note_is_silently_missing(tmp_path):
    """Every note in docs/ is either a page of the site or unpublished."""
    from hooks.frontmatter import split

    root = Path(__file__).resolve().parent.parent
    result = build_vault(tmp_path, docs=root / "docs")
    assert result.returncode == 0, result.stderr[-3000:]
    from hooks.lint import IGNORED_DIRS

    for note in (root / "docs").rglob("*.md"):
        rel = note.relative_to(root / "docs").as_posix()
        if rel.split("/")[0] in IGNORED_DIRS:
            continue  # Obsidian's templates and settings: part of the vault, excluded from the site by mkdocs.yml
        front, _ = split(note.read_text(encoding="utf-8"), rel)
        url = rel[: -len("index.md")] if note.name == "index.md" else rel[:-3] + "/"
        built = (tmp_path / "site" / url / "index.html").exists()
        assert built == front.published, f"{rel}: published={front.published} but built={built}"
        # An unpublished note is named in the build log (the scratch vaults of test_bad_input.py cover drafts).
        assert built != (f"docs/{rel}: unpublished (" in result.stderr), f"{rel}: neither built nor reported"


def test_wikilink_to_missing_heading_names_file_line_and_existing_headings(tmp_path):
    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n## 显存估算\n\n内容\n",
             "乙.md": "---\ntitle: 乙\n---\n\n正文\n\n见 [[甲#显存估计]] 和 [[甲#^无此块]]\n"}
    result = build_vault(tmp_path, notes)
    assert result.returncode != 0
    assert "docs/乙.md:7: link to '甲.md#显存估计': that note has no heading or block '显存估计'" in result.stderr
    assert "did you mean #显存估算?" in result.stderr
    assert "docs/乙.md:7: link to '甲.md#^无此块'" in result.stderr


def test_embed_cycles_and_deep_chains_stop_with_a_warning(tmp_path):
    chain = {f"c{i}.md": f"---\ntitle: c{i}\n---\n\n第 {i} 层\n\n![[c{i + 1}]]\n" for i in range(20)}
    chain["c20.md"] = "---\ntitle: c20\n---\n\n最深处\n"
    notes = {"index.md": HOME + "\n[[c0]] [[甲]]\n", **chain,
             "甲.md": "---\ntitle: 甲\n---\n\n甲的内容\n\n![[乙]]\n",
             "乙.md": "---\ntitle: 乙\n---\n\n乙的内容\n\n![[甲]]\n"}
    strict = build_vault(tmp_path, notes)
    assert strict.returncode != 0
    assert "embed cycle: 甲.md → 乙.md → 甲.md" in strict.stderr
    assert "embeds nested deeper than 8: c0.md → c1.md" in strict.stderr
    relaxed = build_vault(tmp_path, notes, strict=False)
    assert relaxed.returncode == 0
    page_a = (tmp_path / "site/甲/index.html").read_text(encoding="utf-8")
    assert "甲的内容" in page_a and "乙的内容" in page_a and "嵌入已停止（embed cycle）" in page_a
    page_c = (tmp_path / "site/c0/index.html").read_text(encoding="utf-8")
    assert "第 8 层" in page_c and "第 10 层" not in page_c and "嵌入已停止" in page_c
