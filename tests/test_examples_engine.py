"""The verified-examples engine: failures at note.md:LINE, sandbox limits, cache, bindings."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from helpers import ROOT, build_vault
from hooks.examples.bindings import written_matches
from hooks.examples.blocks import collect

HOME = "---\ntitle: 首页\n---\n\n首页\n"


def fence(code: str, opts: str = 'exec="cpu"') -> str:
    return f"```python {opts}\n{code}\n```\n"


def stats(stderr: str) -> dict[str, int]:
    m = re.search(r"examples: (\d+) ran, (\d+) cached, (\d+) skipped, (\d+) failed", stderr)
    assert m, stderr
    return dict(zip(("ran", "cached", "skipped", "failed"), map(int, m.groups())))


def test_collect_finds_blocks_with_lines_and_options_inside_callouts():
    text = "---\ntitle: t\n---\n\n" + fence("x = 1", 'exec="cpu" id="a" session="s"') + "\n> [!example]\n> ```python exec=\"gpu\"\n> y = 2\n> ```\n"
    blocks = collect("n.md", text)
    assert [(b.line, b.runner, b.block_id, b.session, b.code) for b in blocks] == [
        (5, "cpu", "a", "s", "x = 1"), (10, "gpu", "block-2", None, "y = 2")]


def test_failing_block_fails_strict_build_at_note_line_with_mapped_traceback(tmp_path):
    note = "---\ntitle: 甲\n---\n\n说明\n\n" + fence("a = 1\nb = 2\nassert a == b, '不相等'")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note})
    assert result.returncode != 0
    assert "docs/甲.md:7: example 'block-1' failed on cpu" in result.stderr
    assert 'File "docs/甲.md", line 10' in result.stderr and "AssertionError: 不相等" in result.stderr
    # Without --strict the page still builds and shows the failure.
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, strict=False)
    assert result.returncode == 0
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    block = html.select_one(".llm-kb-exec")
    assert block["data-exec-status"] == "failed" and block["data-exec-runner"] == "cpu"
    assert "不相等" in block.select_one(".llm-kb-exec-error").get_text()


def test_timeout_network_and_writes_outside_tmp_are_stopped(tmp_path):
    outside = tmp_path / "escaped.txt"
    note = ("---\ntitle: 甲\n---\n\n"
            + fence("import time\ntime.sleep(30)", 'exec="cpu" timeout="1"') + "\n"
            + fence("import socket\nsocket.create_connection(('127.0.0.1', 9))") + "\n"
            + fence(f"open({str(outside)!r}, 'w').write('x')") + "\n"
            + fence("import subprocess\nsubprocess.run(['true'])") + "\n"
            + fence("import os\nprint(sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k))"))
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, strict=False,
                         env={"GITHUB_TOKEN": "should-not-leak"})
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    blocks = html.select(".llm-kb-exec")
    assert [b["data-exec-status"] for b in blocks] == ["failed", "failed", "failed", "failed", "passed"]
    assert "timed out after 1 s" in blocks[0].get_text()
    assert "socket" in blocks[1].get_text() and "PermissionError" in blocks[1].get_text()
    assert "only write inside their temporary folder" in blocks[2].get_text() and not outside.exists()
    assert "subprocess" in blocks[3].get_text()
    assert "[]" in blocks[4].select_one(".llm-kb-exec-stdout").get_text()
    assert "docs/甲.md:5: example 'block-1' failed" in result.stderr


def test_rebuild_runs_nothing_and_module_change_reruns_only_importers(tmp_path):
    pkg = ROOT / "executable_examples"
    probe = pkg / "_test_probe_module.py"
    probe.write_text("VALUE = 1\n", encoding="utf-8")
    try:
        notes = {
            "index.md": HOME,
            "甲.md": "---\ntitle: 甲\n---\n\n" + fence("from executable_examples._test_probe_module import VALUE\nv = VALUE\nprint(v)")
                     + "\n" + fence("w = 2\nprint(w)") + "\n值为 `=v|1`，另一个 `=w`。\n",
        }
        first = build_vault(tmp_path, notes)
        assert first.returncode == 0, first.stderr
        assert stats(first.stderr) == {"ran": 2, "cached": 0, "skipped": 0, "failed": 0}
        second = build_vault(tmp_path, notes)
        assert stats(second.stderr) == {"ran": 0, "cached": 2, "skipped": 0, "failed": 0}
        probe.write_text("VALUE = 2\n", encoding="utf-8")
        third = build_vault(tmp_path, notes)
        assert stats(third.stderr)["ran"] == 1 and stats(third.stderr)["cached"] == 1
        # The prose says 1, the code now computes 2: the strict build fails at the binding's line.
        assert third.returncode != 0
        assert "docs/甲.md:16: `=v|1`: the prose disagrees with the code" in third.stderr
    finally:
        probe.unlink()


def test_bindings_render_computed_values(tmp_path):
    note = ("---\ntitle: 甲\n---\n\n" + fence("kv_gib = 2 * 32 * 32 * 128 * 4096 * 2 / 2**30\nratio = 0.1234")
            + "\nKV Cache 为 `=kv_gib|2.00 GiB`，比例 `=ratio:.1%`，原值 `=kv_gib`。\n")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note})
    assert result.returncode == 0, result.stderr
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    values = [v.get_text() for v in html.select(".llm-kb-value")]
    assert values == ["2.00 GiB", "12.3%", "2"]


def test_written_number_precision_rules():
    assert written_matches("33.55 MB", 33.554432)[0] and not written_matches("33.5 MB", 33.554432)[0]
    assert not written_matches("335 MB", 33.554432)[0]
    assert written_matches("2,359,296", 2359296)[0]
    assert written_matches("5.9e23 FLOPs", 5.88e23)[0] and not written_matches("6.1e23", 5.88e23)[0]
    assert written_matches("93.3%", 0.9334)[0] and written_matches("93.3%", 93.34)[0]
    assert not written_matches("0.244", 0.2447)[0] and written_matches("0.245", 0.2447)[0]


def test_gpu_blocks_use_the_committed_record_until_the_code_changes(tmp_path):
    import json

    from hooks.examples import cache
    from hooks.examples.blocks import collect

    code = "flops = 2 * 4096 ** 3\nprint(flops)"
    note = "---\ntitle: 甲\n---\n\n" + fence(code, 'exec="gpu" id="gemm"') + "\n计算量 `=flops|137,438,953,472` FLOPs。\n"
    block = collect("甲.md", note)[0]
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"甲.md#gemm": {
        "key": cache.record_key(block, [], "NVIDIA H100 80GB HBM3"), "device": "NVIDIA H100 80GB HBM3",
        "env": {"python": "3.11.7", "device": "NVIDIA H100 80GB HBM3"}, "date": "2026-11-25",
        "stdout": "137438953472\n", "exports": {"flops": 137438953472}}}), encoding="utf-8")
    env = {"LLM_KB_GPU_RECORD": str(record), "LLM_KB_NO_GPU": "1", "LLM_KB_NO_TORCH": "1"}
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, env=env)
    assert result.returncode == 0, result.stderr
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    box = html.select_one(".llm-kb-exec")
    assert box["data-exec-status"] == "frozen" and box["data-exec-runner"] == "gpu"
    assert "NVIDIA H100 80GB HBM3" in box.select_one(".llm-kb-exec-badge").get_text()
    assert html.select_one(".llm-kb-value").get_text() == "137,438,953,472"
    changed = note.replace("4096 ** 3", "4096 ** 3 + 0")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": changed}, env=env, strict=False)
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    assert html.select_one(".llm-kb-exec")["data-exec-status"] == "skipped"
    assert "not yet verified on GPU" in result.stderr


def test_rich_output_markdown_tables_and_images(tmp_path):
    code = ("rows = [(b, 2 * b) for b in (1, 2, 4)]\n"
            "print('| batch | bytes |')\nprint('|---|---|')\n"
            "for b, n in rows:\n    print(f'| {b} | {n} |')\n"
            "svg = '<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"10\"><rect width=\"40\" height=\"10\"/></svg>'\n"
            "open('bars.svg', 'w').write(svg)")
    note = "---\ntitle: 甲\n---\n\n" + fence(code, 'exec="cpu" output="markdown"')
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note})
    assert result.returncode == 0, result.stderr
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    table = html.select_one(".llm-kb-exec-markdown table")
    assert [td.get_text() for td in table.select("tbody td")] == ["1", "2", "2", "4", "4", "8"]
    img = html.select_one("img.llm-kb-exec-image")
    assert img["alt"] == "bars.svg" and img["src"].startswith("data:image/svg+xml;base64,")


def test_two_pages_with_the_same_block_do_not_share_a_result(tmp_path):
    code = "import sys\nprint(sys._getframe().f_code.co_filename)\nraise ValueError('同一段代码')"
    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n" + fence(code), "乙.md": "---\ntitle: 乙\n---\n\n" + fence(code)}
    result = build_vault(tmp_path, notes, strict=False)
    assert stats(result.stderr) == {"ran": 2, "cached": 0, "skipped": 0, "failed": 2}
    for page in ("甲", "乙"):
        html = BeautifulSoup((tmp_path / f"site/{page}/index.html").read_text(encoding="utf-8"), "lxml")
        assert f'File "docs/{page}.md", line 8' in html.select_one(".llm-kb-exec-error").get_text()
        assert html.select_one(".llm-kb-exec-stdout").get_text().strip() == f"docs/{page}.md"


def test_a_repository_module_imported_at_run_time_is_in_the_key(tmp_path):
    # Imported by a name no static parser sees, from outside executable_examples.
    probe = ROOT / "_llm_kb_test_runtime_probe.py"
    probe.write_text("VALUE = 1\n", encoding="utf-8")
    try:
        code = "import importlib\nv = importlib.import_module('_llm_kb_test_' + 'runtime_probe').VALUE\nprint(v)"
        notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n" + fence(code) + "\n" + fence("w = 2")}
        assert stats(build_vault(tmp_path, notes).stderr) == {"ran": 2, "cached": 0, "skipped": 0, "failed": 0}
        assert stats(build_vault(tmp_path, notes).stderr) == {"ran": 0, "cached": 2, "skipped": 0, "failed": 0}
        probe.write_text("VALUE = 2\n", encoding="utf-8")
        result = build_vault(tmp_path, notes)
        assert stats(result.stderr) == {"ran": 1, "cached": 1, "skipped": 0, "failed": 0}
        html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
        assert html.select_one(".llm-kb-exec-stdout").get_text().strip() == "2"
    finally:
        probe.unlink()


def test_a_cache_entry_is_checked_against_its_key_page_and_modules(tmp_path):
    import json

    from hooks.examples import cache

    notes = {"index.md": HOME, "甲.md": "---\ntitle: 甲\n---\n\n" + fence("value = 1") + "\n值 `=value|1`\n",
             "乙.md": "---\ntitle: 乙\n---\n\n" + fence("value = 2") + "\n值 `=value|2`\n"}
    assert build_vault(tmp_path, notes).returncode == 0
    keys = {p: cache.result_key(collect(p, notes[p])[0], [], "cpu") for p in ("甲.md", "乙.md")}
    entries = {p: tmp_path / "cache" / f"{k}.json" for p, k in keys.items()}
    first = json.loads(entries["甲.md"].read_text(encoding="utf-8"))
    assert (first["key"], first["page"], first["index"], first["line"]) == (keys["甲.md"], "甲.md", 0, 5)
    assert "hooks/examples/worker.py" in first["modules"]
    # 甲's entry copied over 乙's: it names another key and page, so 乙 runs again and keeps its value.
    entries["乙.md"].write_text(entries["甲.md"].read_text(encoding="utf-8"), encoding="utf-8")
    # 甲's own entry with a module digest that no longer matches the file: run again.
    first["modules"]["hooks/examples/worker.py"] = "0" * 64
    entries["甲.md"].write_text(json.dumps(first), encoding="utf-8")
    result = build_vault(tmp_path, notes)
    assert result.returncode == 0, result.stderr
    assert stats(result.stderr) == {"ran": 2, "cached": 0, "skipped": 0, "failed": 0}
    html = BeautifulSoup((tmp_path / "site/乙/index.html").read_text(encoding="utf-8"), "lxml")
    assert html.select_one(".llm-kb-value").get_text() == "2"


def test_without_the_sandbox_the_guard_rail_runs_blocks_or_ci_refuses(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    outside = tmp_path / "escaped.txt"
    note = "---\ntitle: 甲\n---\n\n" + fence("x = 1\nprint(x)") + "\n" + fence(f"open({str(outside)!r}, 'w').write('x')")
    env = {"LLM_KB_SANDBOX": "off", "LLM_KB_REQUIRE_SANDBOX": "", "TMPDIR": str(scratch)}
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, strict=False, env=env)
    assert "examples: sandbox: LLM_KB_SANDBOX=off: examples run with the audit-hook guard rail only" in result.stderr
    html = BeautifulSoup((tmp_path / "site/甲/index.html").read_text(encoding="utf-8"), "lxml")
    assert [b["data-exec-status"] for b in html.select(".llm-kb-exec")] == ["passed", "failed"]
    assert "only write inside their temporary folder" in html.select(".llm-kb-exec")[1].get_text()
    assert not outside.exists() and list(scratch.iterdir()) == []  # the worker's folder is removed
    result = build_vault(tmp_path / "ci", {"index.md": HOME, "甲.md": note}, env={**env, "LLM_KB_REQUIRE_SANDBOX": "1"})
    assert result.returncode != 0
    assert "LLM_KB_REQUIRE_SANDBOX=1 refuses to run examples without the sandbox" in result.stderr
    assert "docs/甲.md:5: example 'block-1' failed on cpu:\nnot run: LLM_KB_REQUIRE_SANDBOX=1" in result.stderr


def test_a_failed_build_leaves_no_temporary_folder(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    note = "---\ntitle: 甲\n---\n\n" + fence("raise SystemExit(3)")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, env={"TMPDIR": str(scratch)})
    assert result.returncode != 0 and "docs/甲.md:5: example 'block-1' failed" in result.stderr
    # A configuration error raised after the build began (the search's on_pre_build).
    result = build_vault(tmp_path, {"index.md": HOME}, env={"TMPDIR": str(scratch)}, extra={"search_shard_pages": 0})
    assert result.returncode != 0 and "search_shard_pages must be a whole number" in result.stderr
    assert list(scratch.iterdir()) == []
def test_bindings_and_outputs_inside_embeds_resolve_against_the_note_they_are_written_in(tmp_path):
    a = ("---\ntitle: 甲\n---\n\n## 结果\n\n" + fence("x = 42\nprint('甲算出', x)")
         + "\n甲的值是 `=x|42`，原值 `=x`。\n\n## 其他\n\n无关。\n")
    b = ("---\ntitle: 乙\n---\n\n" + fence("x = 7\nprint('乙算出', x)")
         + "\n乙自己的值 `=x|7`。\n\n![[甲#结果]]\n")
    c = "---\ntitle: 丙\n---\n\n没有代码块，只嵌入乙（乙又嵌入甲）。\n\n![[乙]]\n"
    d = "---\ntitle: 丁\n---\n\n![[甲#结果]]\n\n![[甲#结果]]\n"
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": a, "乙.md": b, "丙.md": c, "丁.md": d})
    assert result.returncode == 0, result.stderr

    def page(name):
        return BeautifulSoup((tmp_path / f"site/{name}/index.html").read_text(encoding="utf-8"), "lxml")

    def embedded(html):
        return [(v.get_text(), v["data-value"]) for v in html.select(".llm-kb-embed .llm-kb-value")]

    # In 乙, 乙's own x is 7 and the embedded section of 甲 shows 甲's 42, with 甲's output.
    html = page("乙")
    own = [v.get_text() for v in html.select(".llm-kb-value") if not v.find_parent(class_="llm-kb-embed")]
    assert own == ["7"] and embedded(html) == [("42", "42"), ("42", "42")]
    box = html.select_one(".llm-kb-embed .llm-kb-exec")
    assert box["data-exec-status"] == "passed" and "甲算出 42" in box.get_text()
    # Two levels deep (丙 → 乙 → 甲), and in a note with no blocks of its own, embedded twice.
    html = page("丙")
    assert [v.get_text() for v in html.select(".llm-kb-value")] == ["7", "42", "42"]
    assert "甲算出 42" in html.get_text() and "乙算出 7" in html.get_text()
    html = page("丁")
    assert embedded(html) == [("42", "42")] * 4
    assert [b["data-exec-status"] for b in html.select(".llm-kb-exec")] == ["passed", "passed"]
    # A drifted number inside the embedded section still fails the build, at the note it is written in.
    broken = a.replace("`=x|42`", "`=x|43`")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": broken, "乙.md": b, "丙.md": c, "丁.md": d})
    assert result.returncode != 0
    assert "docs/甲.md:12: `=x|43`: the prose disagrees with the code (written 43, computed 42)" in result.stderr


def test_pages_are_dealt_to_one_worker_per_core_and_heavy_neighbours_spread():
    from hooks.examples.runner import worker_batches

    pages = list(range(10))
    assert worker_batches(pages, 2, 100) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    # More workers than the cores only when a worker would take more than its share of pages.
    assert [len(b) for b in worker_batches(pages, 2, 3)] == [3, 3, 2, 2]
    # Never more workers than pages, and one page a worker when each page needs its own sandbox.
    assert worker_batches([0], 8, 100) == [[0]]
    assert worker_batches(pages, len(pages), 1) == [[p] for p in pages]
    assert worker_batches([], 2, 100) == []
