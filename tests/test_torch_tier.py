"""The torch tier (exec="torch"): run where torch is installed, shown from the committed record
elsewhere (never a blank), and a wrong estimator fails the build at note:line."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, build_vault
from hooks.examples import cache, record, runner
from hooks.examples.blocks import collect

HOME = "---\ntitle: 首页\n---\n\n首页\n"


def fence(code: str, opts: str) -> str:
    return f"```python {opts}\n{code}\n```\n"


def page(root, name: str) -> BeautifulSoup:
    return BeautifulSoup((root / f"site/{name}/index.html").read_text(encoding="utf-8"), "lxml")


def test_without_torch_the_committed_record_is_shown_with_its_provenance(tmp_path):
    note = "---\ntitle: 甲\n---\n\n" + fence("x = 6 * 7\nprint('measured', x)", 'exec="torch" id="real"') + "\n实测 `=x|42`。\n"
    block = collect("甲.md", note)[0]
    rec = tmp_path / "torch_record.json"
    rec.write_text(json.dumps({"甲.md#real": {
        "key": cache.record_key(block, [], "cpu"), "device": "cpu", "date": "2026-12-01",
        "env": {"python": "3.11.2", "torch": "2.13.0", "transformers": "5.23.0", "device": "cpu"},
        "stdout": "measured 42\n", "exports": {"x": 42}}}), encoding="utf-8")
    env = {"LLM_KB_TORCH_RECORD": str(rec), "LLM_KB_NO_TORCH": "1", "LLM_KB_NO_GPU": "1"}
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": note}, env=env)
    assert result.returncode == 0, result.stderr
    html = page(tmp_path, "甲")
    box = html.select_one(".llm-kb-exec")
    assert box["data-exec-status"] == "frozen" and box["data-exec-runner"] == "torch"
    badge = box.select_one(".llm-kb-exec-badge").get_text()
    assert "已提交的运行记录" in badge and "torch 2.13.0" in badge and "transformers 5.23.0" in badge
    assert "measured 42" in box.get_text() and html.select_one(".llm-kb-value").get_text() == "42"
    # Code changed since the record: the page says so, and the binding has no value (strict build fails).
    changed = note.replace("6 * 7", "6 * 7 + 0")
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": changed}, env=env)
    assert result.returncode != 0 and "torch-tier record does not match this code" in result.stderr
    assert "docs/甲.md:10: `=x`: no block of this note computed it" in result.stderr
    result = build_vault(tmp_path, {"index.md": HOME, "甲.md": changed}, env=env, strict=False)
    assert page(tmp_path, "甲").select_one(".llm-kb-exec")["data-exec-status"] == "skipped"


def test_with_torch_the_block_runs_and_a_wrong_estimator_fails_at_note_line(tmp_path):
    pytest.importorskip("torch")
    probe = ROOT / "executable_examples" / "_test_wrong_kv.py"
    probe.write_text("def kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch=1, bytes_per_elem=2):\n"
                     "    return n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_elem  # the 2 for K and V forgotten\n",
                     encoding="utf-8")
    measure = ("import torch\nfrom executable_examples.reference import tensor_bytes\nfrom {mod} import kv_cache_bytes\n"
               "k = torch.zeros(2, 3, 4, 10, 16, dtype=torch.bfloat16)   # layers, batch, kv heads, tokens, head dim\n"
               "v = torch.zeros_like(k)\nmeasured = tensor_bytes([k, v])\nestimated = kv_cache_bytes(2, 4, 16, 10, 3)\n"
               "assert measured == estimated, (measured, estimated)\n")
    estimate = "from {mod} import kv_cache_bytes\nkv = kv_cache_bytes(2, 4, 16, 10, 3)\n"

    def note(mod: str) -> str:
        return ("---\ntitle: 甲\n---\n\n" + fence(measure.format(mod=mod), 'exec="torch" id="real-kv"') + "\n"
                + fence(estimate.format(mod=mod), 'exec="cpu" id="kv"') + "\n缓存 `=kv|15,360 B`。\n")
    try:
        good = build_vault(tmp_path, {"index.md": HOME, "甲.md": note("executable_examples.memory")},
                           env={"LLM_KB_NO_GPU": "1"})
        assert good.returncode == 0, good.stderr
        box = page(tmp_path, "甲").select_one(".llm-kb-exec")
        assert box["data-exec-status"] == "passed" and box["data-exec-runner"] == "torch"
        bad = build_vault(tmp_path, {"index.md": HOME, "甲.md": note("executable_examples._test_wrong_kv")},
                          env={"LLM_KB_NO_GPU": "1"})
        assert bad.returncode != 0
        assert "docs/甲.md:5: example 'real-kv' failed on torch" in bad.stderr and "(15360, 7680)" in bad.stderr
        text = note("executable_examples._test_wrong_kv").split("\n")
        line = next(i for i, t in enumerate(text, 1) if "`=kv|" in t)
        assert (f"docs/甲.md:{line}: `=kv|15,360 B`: the prose disagrees with the code "
                "(written 15,360, computed 7680") in bad.stderr
    finally:
        probe.unlink()


def test_every_torch_block_of_the_vault_has_a_current_record():
    """Readers without torch see these results: re-record after changing a block
    (python -m hooks.examples.record --tier torch docs)."""
    committed = json.loads(record.record_path("torch").read_text(encoding="utf-8"))
    blocks = list(record.tier_blocks(ROOT / "docs", "torch"))
    assert len(blocks) >= 8
    stale = [block.where for rel, block, earlier in blocks
             if committed.get(f"{rel}#{block.block_id}", {}).get("key") != cache.record_key(block, earlier, "cpu")]
    assert not stale, f"torch-tier record missing or stale for {stale}"
    for rel, block, _ in blocks:
        entry = committed[f"{rel}#{block.block_id}"]
        assert entry["env"]["torch"] not in ("", "absent") and entry["stdout"] and entry["date"]


def test_gpu_blocks_have_a_cpu_path_where_torch_is_installed():
    gpu_blocks = [b for rel, b, _ in record.tier_blocks(ROOT / "docs", "gpu")]
    assert len(gpu_blocks) >= 12
    if runner.torch_available():
        assert all(runner.runner_for(b, None) in ("interpreter", "torch") for b in gpu_blocks)
