"""Tests for executable_examples.lora."""

from __future__ import annotations

import numpy as np
import pytest

from executable_examples.lora import (
    delta_rank,
    lora_delta,
    lora_init,
    lora_trainable_params,
    merge,
    qlora_bits_per_param,
    qlora_memory,
    unmerge,
)


def test_trainable_params() -> None:
    assert lora_trainable_params([(4096, 4096)], r=8) == 65_536 == 2 * 4096 * 8
    assert lora_trainable_params([(4096, 11008), (11008, 4096)], r=16) == 2 * 16 * (4096 + 11008)
    gpt3 = lora_trainable_params([(12288, 12288)] * 2 * 96, r=4)
    assert gpt3 == 18_874_368
    assert round(175e9 / gpt3) == 9272
    assert lora_trainable_params([], r=8) == 0


def test_init_and_shapes() -> None:
    d, k, r = 32, 20, 4
    b, a = lora_init(d, k, r, seed=1)
    assert b.shape == (d, r) and a.shape == (r, k)
    assert not b.any() and a.std() > 0
    assert np.array_equal(lora_delta(b, a, alpha=8, r=r), np.zeros((d, k)))
    # the wrong orders from common mistakes do not give a d x k update
    # "A is d x r, B is r x d, ΔW = BA" gives an r x r matrix (square W, d = k)
    a_wrong, b_wrong = np.ones((d, r)), np.ones((r, d))
    assert (b_wrong @ a_wrong).shape == (r, r)
    # "A is d x r, B is r x k, ΔW = BA": inner dimensions k and d do not match
    with pytest.raises(ValueError):
        np.ones((r, k)) @ np.ones((d, r))
    with pytest.raises(ValueError):
        lora_delta(a, b, alpha=8, r=r)


def test_delta_scaling_and_merge_roundtrip() -> None:
    rng = np.random.default_rng(0)
    d, k, r, alpha = 24, 18, 3, 16
    w0 = rng.standard_normal((d, k))
    b = rng.standard_normal((d, r))
    a = rng.standard_normal((r, k))
    delta = lora_delta(b, a, alpha, r)
    np.testing.assert_allclose(delta, (alpha / r) * np.einsum("ij,jk->ik", b, a))
    w = merge(w0, b, a, alpha, r)
    x = rng.standard_normal((k, 5))
    # merged forward == frozen path + adapter path
    np.testing.assert_allclose(w @ x, w0 @ x + (alpha / r) * (b @ (a @ x)))
    np.testing.assert_allclose(unmerge(w, b, a, alpha, r), w0)


def test_rank_bound() -> None:
    rng = np.random.default_rng(1)
    for r in (1, 2, 5):
        b = rng.standard_normal((40, r))
        a = rng.standard_normal((r, 30))
        assert delta_rank(b, a) == r
    assert delta_rank(np.zeros((40, 4)), rng.standard_normal((4, 30))) == 0


def test_qlora_bits() -> None:
    assert qlora_bits_per_param(double_quant=False) == 0.5
    dq = qlora_bits_per_param()
    assert dq == 8 / 64 + 32 / (64 * 256) == 0.126953125
    assert round(dq, 3) == 0.127
    saving_gb = 65e9 * (0.5 - dq) / 8 / 1e9
    assert saving_gb == pytest.approx(3.031, abs=1e-3)


def test_qlora_memory() -> None:
    m = qlora_memory(65e9)
    assert m.base_weights == 32.5e9
    assert m.quant_constants == pytest.approx(65e9 * 0.126953125 / 8)
    assert m.lora_states == 0
    assert m.total / 1e9 < 48
    m2 = qlora_memory(1e9, lora_params=1e6, double_quant=False)
    assert m2.total == 0.5e9 + 1e9 * 0.5 / 8 + 16e6


def test_qlora_memory_default_matches_training_memory() -> None:
    from executable_examples.memory import training_memory

    per = training_memory(1, "adamw", "mixed_bf16").total
    assert qlora_memory(0, lora_params=1).lora_states == per == 16
    assert qlora_memory(0, lora_params=10, lora_bytes_per_param=12).lora_states == 120


def test_nf4_code() -> None:
    from executable_examples.lora import nf4_code

    code = nf4_code()
    expected = [-1, -0.6962, -0.5251, -0.3949, -0.2844, -0.1848, -0.0911, 0,
                0.0796, 0.1609, 0.2461, 0.3379, 0.4407, 0.5626, 0.7230, 1]
    assert code.shape == (16,)
    np.testing.assert_allclose(code, expected, atol=6e-5)
    assert (code > 0).sum() == 8 and (code < 0).sum() == 7 and (code == 0).sum() == 1
    assert np.all(np.diff(code) > 0)


def test_quantize_blockwise() -> None:
    from executable_examples.lora import int4_absmax_code, nf4_code, quantize_blockwise

    rng = np.random.default_rng(0)
    w = rng.standard_normal((256, 64))
    for code in (nf4_code(), int4_absmax_code()):
        q = quantize_blockwise(w, code, 64)
        assert q.shape == w.shape
        # every dequantised value is code * block absmax
        blocks = w.reshape(-1, 64)
        absmax = np.abs(blocks).max(axis=1, keepdims=True)
        ratios = q.reshape(-1, 64) / absmax
        assert np.all(np.min(np.abs(ratios[..., None] - code), axis=-1) < 1e-12)
        # the block maximum is reproduced exactly (code contains ±1)
        np.testing.assert_allclose(np.abs(q.reshape(-1, 64)).max(axis=1), absmax[:, 0])
    err_nf4 = np.mean((quantize_blockwise(w, nf4_code()) - w) ** 2)
    err_int4 = np.mean((quantize_blockwise(w, int4_absmax_code()) - w) ** 2)
    assert err_nf4 < err_int4
    assert np.array_equal(quantize_blockwise(np.zeros(64), nf4_code()), np.zeros(64))
    with pytest.raises(ValueError):
        quantize_blockwise(np.zeros(10), nf4_code(), 64)
