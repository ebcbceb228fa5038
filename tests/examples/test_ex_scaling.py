"""Tests for executable_examples.scaling."""

from __future__ import annotations

import pytest

from executable_examples.scaling import (
    CHINCHILLA_TOKENS_PER_PARAM,
    chinchilla_optimal_tokens,
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
