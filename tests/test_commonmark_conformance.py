"""The CommonMark spec's examples through the site's Markdown setup (benchmarks/commonmark_conformance.py):
the block-structure sections pass at least 95% each, the inline sections at least 90% each, the whole
spec at least 94%. Skipped, with the reason, where the spec file is
not beside the checkout (it stays in ../shared/reference)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from helpers import ROOT

spec = importlib.util.spec_from_file_location("commonmark_conformance", ROOT / "benchmarks" / "commonmark_conformance.py")
conformance = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = conformance  # its dataclasses look their module up
spec.loader.exec_module(conformance)

pytestmark = pytest.mark.skipif(not conformance.SPEC.is_file(), reason=f"CommonMark spec not present at {conformance.SPEC}")


@pytest.fixture(scope="module")
def table():
    return conformance.by_section(conformance.run(conformance.SPEC))


@pytest.mark.parametrize("section", conformance.BLOCK_SECTIONS)
def test_block_section_passes_95_percent(table, section):
    ok, total = table[section]
    assert total > 0 and ok / total >= 0.95, f"{section}: {ok}/{total}"


@pytest.mark.parametrize("section", conformance.INLINE_SECTIONS)
def test_inline_section_passes_90_percent(table, section):
    ok, total = table[section]
    assert total > 0 and ok / total >= 0.90, f"{section}: {ok}/{total}"


def test_whole_spec_floor(table):
    # The whole spec: 470/650 before issue 23's block work, 533/655 after it, 620/655 with the inline
    # layer. The differences left (Obsidian's own rules, raw HTML blocks with Markdown inside) are
    # listed in docs/about/commonmark.md.
    ok = sum(o for o, _ in table.values())
    total = sum(t for _, t in table.values())
    assert total == 655 and ok / total >= 0.94, f"{ok}/{total}"
