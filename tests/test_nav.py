"""The Python sidebar (hooks/site/nav.py) produces Material's own navigation markup."""

from __future__ import annotations

from urllib.parse import unquote, urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

from tests.helpers import build_vault

NOTES = {
    "index.md": "---\ntitle: 首页\n---\n\n# 首页\n\n正文。\n",
    "甲部/index.md": "---\ntitle: 甲部总览\n---\n\n# 甲部总览\n\n## 学习路径\n\n文字。\n",
    "甲部/注意力.md": "# 注意力\n\n## 计算\n\n### 细节\n\n文字。\n\n## 复杂度\n\n文字。\n",
    "甲部/无标题节.md": "只有正文，没有标题。\n",
    "甲部/子部/index.md": "# 子部\n\n文字。\n",
    "甲部/子部/深层.md": "# 深层 note\n\n## 一节\n\n文字。\n",
    "乙部/KV Cache.md": "# KV Cache\n\n## 显存\n\n文字。\n",
    "乙部/LoRA.md": "# LoRA\n\n文字。\n",
    "丙部/only/单篇.md": "# 单篇\n\n文字。\n",
}


def canonical(node, base: str) -> list:
    """A tag tree with whitespace, attribute order, class-token order and the spelling of
    relative links (``../x/`` or ``../../a/x/``: the same target) made irrelevant."""
    out = []
    for child in node.children:
        if isinstance(child, NavigableString):
            text = " ".join(str(child).split())
            if text and child.__class__.__name__ not in ("Comment",):
                out.append(text)
        elif isinstance(child, Tag):
            attrs = {k: (" ".join(sorted(v)) if isinstance(v, list) else v) for k, v in child.attrs.items()}
            if "href" in attrs:
                attrs["href"] = unquote(urljoin(base, attrs["href"]))
            out.append((child.name, tuple(sorted(attrs.items())), tuple(canonical(child, base))))
    return out


def primary_nav(site, url: str):
    html = (site / (url if url.endswith(".html") else f"{url}/index.html".lstrip("/"))).read_text(encoding="utf-8")
    return BeautifulSoup(html, "lxml").select_one("nav.md-nav--primary")


def test_python_sidebar_matches_materials_macro_on_every_page(tmp_path):
    ours = build_vault(tmp_path / "ours", NOTES)
    assert ours.returncode == 0, ours.stderr
    material = build_vault(tmp_path / "material", NOTES, env={"LLM_KB_MATERIAL_NAV": "1"})
    assert material.returncode == 0, material.stderr
    pages = ["", "甲部", "甲部/注意力", "甲部/无标题节", "甲部/子部", "甲部/子部/深层", "乙部/KV Cache",
             "乙部/LoRA", "丙部/only/单篇", "tags", "graph", "404.html"]
    for url in pages:
        a, b = primary_nav(tmp_path / "ours" / "site", url), primary_nav(tmp_path / "material" / "site", url)
        assert a is not None and b is not None, url
        base = f"http://127.0.0.1/{url}" + ("" if url.endswith(".html") or not url else "/")
        assert canonical(a, base) == canonical(b, base), f"sidebar differs on /{url}/"


def test_sidebar_expands_only_the_current_branch(tmp_path):
    result = build_vault(tmp_path, NOTES)
    assert result.returncode == 0, result.stderr
    nav = primary_nav(tmp_path / "site", "甲部/子部/深层")
    active = nav.select_one("a.md-nav__link--active")
    assert active.get_text(strip=True) == "深层 note"
    # Its own section and the section above it are open; the other sections are one link each.
    assert [i["id"] for i in nav.select("input.md-nav__toggle[checked]")] != []
    pruned = [li.get_text(strip=True) for li in nav.select("li.md-nav__item--pruned")]
    assert "乙部" in pruned and "丙部" in pruned and "甲部总览" not in pruned
    assert not nav.find("a", string=lambda s: s and "LoRA" in s)
    # The active page carries its table of contents, as in Material.
    assert nav.select_one("nav.md-nav--secondary a[href='#一节']")
