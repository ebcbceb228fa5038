"""`mkdocs serve --dirty` (make serve): an edit re-renders the pages it reaches, and only those."""

from __future__ import annotations

import time
from urllib.parse import quote

from tests.helpers import Serve, write_vault

NOTES = {
    "index.md": "---\ntitle: 首页\n---\n\n# 首页\n\n从 [[注意力]] 开始。\n",
    "基础/注意力.md": "---\ntitle: 注意力\ntags: [基础]\n---\n\n# 注意力\n\n## 定义\n\n缩放点积。\n",
    "基础/显存.md": "---\ntitle: 显存估算\ntags: [推理]\n---\n\n# 显存估算\n\n参见 [[注意力#定义]]。\n",
    "推理/解码.md": "---\ntitle: 解码\n---\n\n# 解码\n\n嵌入：\n\n![[注意力#定义]]\n",
    "推理/无关.md": "---\ntitle: 无关笔记\n---\n\n# 无关笔记\n\n独立的一页。\n",
}


def page(serve: Serve, path: str) -> str:
    return serve.get(quote(path) + "/")


def test_an_edit_rerenders_the_pages_it_reaches_and_keeps_the_rest(tmp_path):
    docs = write_vault(tmp_path, NOTES)
    with Serve(tmp_path, docs, "--dirty") as serve:
        assert "缩放点积" in page(serve, "推理/解码")
        before_unrelated = page(serve, "推理/无关")
        mark = len(serve.lines)
        time.sleep(1.1)  # a new mtime, whatever the file system's resolution
        note = docs / "基础" / "注意力.md"
        note.write_text(NOTES["基础/注意力.md"].replace("缩放点积。", "缩放点积，除以根号 d。\n\n另见 [[无关]]。"),
                        encoding="utf-8")
        serve.wait_for("Reloading browsers", after=mark)
        log = "\n".join(serve.lines[mark:])
        # The edited note, the note that embeds it and the note it links to now (its backlinks):
        # 3 pages of 5. The notes that only link to it show nothing of its text: left alone.
        assert "dirty rebuild: 1 changed note(s), 3 page(s) to render" in log
        assert "除以根号 d" in page(serve, "基础/注意力")
        assert "除以根号 d" in page(serve, "推理/解码")  # the embed shows the new text
        unrelated = page(serve, "推理/无关")
        assert "反向链接" in unrelated and "注意力" in unrelated.split("反向链接", 1)[1]
        # A page that was not rendered again keeps its own output, backlinks included.
        shown = page(serve, "基础/显存")
        assert "显存估算" in shown and "缩放点积" not in shown
        # Pages rendered now show every other note's title in the sidebar (carried over).
        for title in ("显存估算", "解码", "无关笔记"):
            assert title in page(serve, "基础/注意力")
        # The tag index still lists every tagged note, rendered now or not.
        tags = serve.get("tags/")
        assert "注意力" in tags and "显存估算" in tags
        assert before_unrelated != unrelated


def test_a_new_note_rebuilds_every_page(tmp_path):
    docs = write_vault(tmp_path, NOTES)
    with Serve(tmp_path, docs, "--dirty") as serve:
        mark = len(serve.lines)
        (docs / "推理" / "采样.md").write_text("---\ntitle: 采样\n---\n\n# 采样\n\n见 [[解码]]。\n", encoding="utf-8")
        serve.wait_for("Reloading browsers", after=mark)
        assert "dirty rebuild: 1 changed note(s), 6 page(s) to render" in "\n".join(serve.lines[mark:])
        assert "采样" in page(serve, "推理/无关")  # in every sidebar
        assert "采样" in page(serve, "推理/解码").split("反向链接", 1)[1]


def test_a_new_short_title_renders_the_links_to_the_note_again(tmp_path):
    docs = write_vault(tmp_path, NOTES)
    with Serve(tmp_path, docs, "--dirty") as serve:
        assert ">注意力</a>" in page(serve, "").replace("\n", "")
        mark = len(serve.lines)
        time.sleep(1.1)
        note = docs / "基础" / "注意力.md"
        note.write_text(NOTES["基础/注意力.md"].replace("title: 注意力\n", "title: 注意力\nshort_title: 注意力机制简称\n"),
                        encoding="utf-8")
        serve.wait_for("Reloading browsers", after=mark)
        # The text of every link to the note changed: the home page, which links to it, shows it.
        assert "注意力机制简称" in page(serve, "")


def test_serve_looks_for_edits_every_fifth_of_a_second(tmp_path):
    from mkdocs.livereload import LiveReloadServer

    from hooks import incremental

    docs, extra = tmp_path / "docs", tmp_path / "extra"
    docs.mkdir()
    extra.mkdir()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(docs))  # watched by MkDocs before on_serve
    incremental.watch_closely(server)
    server.watch(str(extra))  # after on_serve (mkdocs.yml's watch: list)
    assert [e.timeout for e in server.observer.emitters] == [incremental.WATCH_INTERVAL] * 2
    server.observer.start()
    try:
        (docs / "新笔记.md").write_text("# 新\n", encoding="utf-8")
        with server._rebuild_cond:  # the edit is still seen and asks for a rebuild
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        server.observer.stop()
        server.observer.join()


def test_each_index_reuses_the_parse_of_unchanged_notes_only():
    from hooks.vault import VaultIndex

    text = "---\ntitle: 笔记\n---\n\n# 笔记\n\n$$\nx^2\n"  # an unclosed $$: a problem found parsing
    first = VaultIndex().add_note("a/Note.md", text.encode())
    second_index = VaultIndex()
    second = second_index.add_note("a/Note.md", text.encode())
    assert second.front is first.front and second.problems == first.problems  # not parsed again
    twin = second_index.add_note("a/note.md", b"# twin\n")  # a case twin: a problem of this vault
    assert any("differ only in case" in p.message for p in second.problems + twin.problems)
    third = VaultIndex().add_note("a/Note.md", text.encode())
    assert third.problems == first.problems  # the twin's problem stayed with the vault that had it
    fourth = VaultIndex().add_note("a/Note.md", text.replace("title: 笔记", "title: 新标题").encode())
    assert fourth.front is not first.front and fourth.title == "新标题"
