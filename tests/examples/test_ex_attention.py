"""Tests for executable_examples.attention."""

from __future__ import annotations

import numpy as np
import pytest

from executable_examples.attention import (
    attention_flops,
    attention_params,
    multi_head_params,
    per_head_projection_equals_full,
    single_head_params,
)


def _count_mha_params_by_building(d: int, h: int, bias: bool) -> int:
    """Build the per-head matrices explicitly and count their entries."""
    rng = np.random.default_rng(0)
    dh = d // h
    mats = []
    for _ in range(h):
        mats += [rng.standard_normal((d, dh)) for _ in range(3)]  # W_Q^i, W_K^i, W_V^i
        if bias:
            mats += [np.zeros(dh) for _ in range(3)]
    mats.append(rng.standard_normal((d, d)))  # W_O
    if bias:
        mats.append(np.zeros(d))
    return sum(m.size for m in mats)


@pytest.mark.parametrize("d,h", [(768, 12), (64, 8), (4096, 32)])
@pytest.mark.parametrize("bias", [False, True])
def test_mha_equals_single_head(d: int, h: int, bias: bool) -> None:
    mha = multi_head_params(d, h, bias)
    assert mha == single_head_params(d, bias) == attention_params(d, h, bias)
    if d <= 768:
        assert mha == _count_mha_params_by_building(d, h, bias)


def test_bert_base_numbers() -> None:
    assert single_head_params(768) == 2_359_296
    assert single_head_params(768, bias=True) == 2_359_296 + 4 * 768
    # the wrong "h·(d/h)² = d²/h" figure is not the parameter count
    assert 12 * (768 // 12) ** 2 == 49_152 != multi_head_params(768, 12)


def test_indivisible_heads() -> None:
    with pytest.raises(ValueError):
        multi_head_params(10, 3)
    with pytest.raises(ValueError):
        attention_flops(4, 10, 3)


def test_flops_match_explicit_matmul_count() -> None:
    n, d, h = 7, 16, 4
    f1 = attention_flops(n, d, 1)
    fh = attention_flops(n, d, h)
    assert f1 == fh
    # count MACs of each product by its shapes: (m x k) @ (k x p) = m*k*p
    macs_proj = 4 * (n * d * d)
    macs_scores = h * (n * (d // h) * n)
    macs_av = h * (n * n * (d // h))
    assert fh.projections == 2 * macs_proj == 8 * n * d * d
    assert fh.scores == 2 * macs_scores == 2 * n * n * d
    assert fh.weighted_sum == 2 * macs_av
    assert fh.core == 4 * n * n * d
    assert fh.total == 8 * n * d * d + 4 * n * n * d
    assert attention_flops(n, d, h, batch=3).total == 3 * fh.total


def test_flops_large_case() -> None:
    f = attention_flops(4096, 4096, 32)
    assert f.scores == 137_438_953_472 == 2 * 4096**3


@pytest.mark.parametrize("d,h", [(64, 8), (768, 12)])
def test_concat_projection(d: int, h: int) -> None:
    assert per_head_projection_equals_full(d=d, h=h)
