"""Tests for executable_examples.scaling."""

from __future__ import annotations

import pytest

from executable_examples.scaling import (
    CHINCHILLA_TOKENS_PER_PARAM,
    chinchilla_optimal_tokens,
    decoder_params,
    ffn_params,
    train_flops,
)


def test_six_nd() -> None:
    assert train_flops(1, 1) == 6
    assert train_flops(70e9, 1.4e12) == pytest.approx(5.88e23)
    assert f"{train_flops(70e9, 1.4e12):.1e}" == "5.9e+23"


def test_chinchilla_tokens() -> None:
    assert CHINCHILLA_TOKENS_PER_PARAM == 20
    assert chinchilla_optimal_tokens(70e9) == pytest.approx(1.4e12)
    assert chinchilla_optimal_tokens(1e9, 10) == 1e10


@pytest.mark.parametrize("d", [768, 4096])
def test_ffn_params(d: int) -> None:
    assert ffn_params(d) == 8 * d * d == 2 * d * (4 * d)
    assert ffn_params(d, gated=True) == pytest.approx(8 * d * d)
    assert ffn_params(d, 4 * d, gated=True) == 12 * d * d
    assert ffn_params(d, 11008 if d == 4096 else 3072, gated=True) == 3 * d * (11008 if d == 4096 else 3072)


def test_decoder_params_palm_540b_needs_d_ff_4d() -> None:
    # PaLM (Chowdhery et al. 2022, Table 1): 118 layers, 48 heads, d_model 18432, 540.35B parameters;
    # head size 256, multi-query attention, d_ff = 4 d_model, 256k vocabulary shared with the output.
    d = 18432
    palm = dict(d=d, n_layers=118, vocab=256_000, n_heads=48, head_dim=256, n_kv_heads=1)
    assert decoder_params(**palm, d_ff=4 * d) == pytest.approx(540.35e9, rel=1e-3)
    assert decoder_params(**palm, d_ff=8 * d / 3) < 400e9  # 8d/3 would give a ~380B model


def test_decoder_params_llama_7b() -> None:
    n = decoder_params(d=4096, n_layers=32, vocab=32_000, n_heads=32, head_dim=128, n_kv_heads=32,
                       d_ff=11008, tied_embeddings=False)
    assert n == 32 * (4 * 4096**2 + 3 * 4096 * 11008) + 2 * 32_000 * 4096
    assert n == pytest.approx(6.74e9, rel=1e-3)
