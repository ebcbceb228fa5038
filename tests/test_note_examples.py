"""Every executable block of the vault, run as a test item named after its place: ``docs/note.md:LINE``.

Same runner rules as the build (hooks.examples.runner): exec="cpu" runs here in the sandboxed worker;
exec="gpu" runs on CUDA when the machine has it, else on its CPU path where torch is installed
(Triton's interpreter for Triton code, torch on the CPU otherwise); exec="torch" runs where torch is
installed; both are skipped (with the reason) otherwise. Blocks that share
a session run after their session's earlier blocks.
"""

from __future__ import annotations

import pytest

from helpers import ROOT
from hooks.examples import runner
from hooks.examples.blocks import collect
from hooks.frontmatter import split
from hooks.lint import IGNORED_DIRS


def _cases():
    cases = []
    for note in sorted((ROOT / "docs").rglob("*.md")):
        rel = note.relative_to(ROOT / "docs").as_posix()
        if rel.split("/")[0] in IGNORED_DIRS:
            continue
        text = note.read_text(encoding="utf-8")
        if not split(text, rel)[0].published:
            continue
        blocks = collect(rel, text)
        for block in blocks:
            earlier = [b for b in blocks[: block.index] if block.session and b.session == block.session]
            cases.append(pytest.param(earlier + [block], id=block.where))
    return cases


CASES = _cases()
DEVICE = runner.gpu_device()


def test_the_vault_has_examples():
    assert len(CASES) >= 150


@pytest.mark.parametrize("group", CASES)
def test_note_example(group):
    block = group[-1]
    kind = runner.runner_for(block, DEVICE)
    if kind is None:
        pytest.skip(f"{block.where}: exec=\"{block.runner}\" needs a GPU or the optional torch tier (make torch-deps)")
    result = runner.execute(group, kind)[-1]
    assert result["status"] == "passed", f"{block.where} failed on {kind}:\n{result.get('error')}"
