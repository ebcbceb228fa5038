"""Tests for executable_examples.softmax (NumPy paths; torch path skipped without torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from executable_examples.softmax import (
    EXP_OVERFLOW_FP32,
    FP32_MAX,
    blocked_softmax,
    exp_overflow_threshold,
    log_softmax,
    online_normalizer,
    online_softmax,
    softmax_naive,
    softmax_stable,
    softmax_torch,
)

X3 = [1000.0, 1001.0, 1002.0]


def _reference(x: np.ndarray) -> np.ndarray:
    """Softmax in exact-ish arithmetic via Python's math on shifted values (float64)."""
    out = np.empty_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape[:-1]):
        row = [float(v) for v in x[idx]]
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = math.fsum(e)
        out[idx] = [v / s for v in e]
    return out


def test_naive_overflows_to_nan_float32_without_warnings() -> None:
    with np.errstate(all="raise"):  # would raise if the function leaked a warning
        y = softmax_naive(np.array(X3, dtype=np.float32))
    assert y.dtype == np.float32
    assert np.isnan(y).all()


def test_stable_example_values() -> None:
    y = softmax_stable(np.array(X3, dtype=np.float32))
    assert y.dtype == np.float32
    # independent closed form: e^-2, e^-1, 1 over their sum
    s = math.exp(-2) + math.exp(-1) + 1
    expected = [math.exp(-2) / s, math.exp(-1) / s, 1 / s]
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    assert np.round(y, 3).tolist() == pytest.approx([0.090, 0.245, 0.665])
    assert round(float(y[1]), 3) != 0.244 and round(float(y[2]), 3) != 0.666


def test_naive_equals_stable_for_small_inputs() -> None:
    x = np.random.default_rng(0).standard_normal((4, 7))
    np.testing.assert_allclose(softmax_naive(x), softmax_stable(x), rtol=1e-12)


def test_overflow_threshold() -> None:
    assert FP32_MAX == pytest.approx(3.4028235e38, rel=1e-7)
    assert EXP_OVERFLOW_FP32 == pytest.approx(88.7228, abs=1e-4)
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(np.float32(88.7)))
        assert np.isinf(np.exp(np.float32(88.8)))
    assert exp_overflow_threshold(np.float16) == pytest.approx(math.log(65504))
    assert exp_overflow_threshold(np.float64) == pytest.approx(709.78, abs=0.01)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4, 1e30])
@pytest.mark.parametrize("block", [1, 3, 8, 64])
def test_online_blocked_match_reference(scale: float, block: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5, 37)) * scale
    ref = _reference(x)
    np.testing.assert_allclose(softmax_stable(x), ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(online_softmax(x), ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(blocked_softmax(x, block), ref, rtol=1e-12, atol=1e-300)


def test_online_normalizer_values() -> None:
    x = np.array([[3.0, 1.0, 5.0, 2.0]])
    m, l = online_normalizer(x)
    assert m[0] == 5.0
    assert l[0] == pytest.approx(sum(math.exp(v - 5.0) for v in [3, 1, 5, 2]))


def test_huge_values_float32() -> None:
    x = np.array([[1e30, 1e30 - 1e24, -1e30, 0.0]], dtype=np.float32)
    for y in (softmax_stable(x), online_softmax(x), blocked_softmax(x, 2)):
        assert np.isfinite(y).all()
        assert y.sum() == pytest.approx(1.0, abs=1e-6)


def test_rows_sum_to_one_and_shift_invariance() -> None:
    x = np.random.default_rng(2).standard_normal((6, 11))
    y = softmax_stable(x)
    np.testing.assert_allclose(y.sum(-1), 1.0)
    np.testing.assert_allclose(softmax_stable(x + 123.4), y, rtol=1e-10)


def test_log_softmax() -> None:
    x = np.array([[1000.0, 0.0, -1000.0]])
    ls = log_softmax(x)
    assert np.isfinite(ls).all()
    assert ls[0, 2] == pytest.approx(-2000.0)
    with np.errstate(divide="ignore"):
        assert np.isneginf(np.log(softmax_stable(x)))[0, 2]  # the naive log underflows
    y = np.random.default_rng(3).standard_normal((2, 9))
    np.testing.assert_allclose(np.exp(log_softmax(y)), softmax_stable(y), rtol=1e-12)


def test_masking_minus_inf_vs_minus_1e9() -> None:
    scores = np.array([2.0, 1.0, 0.5, 3.0])
    keep = np.array([True, True, False, False])
    ref = softmax_stable(scores[keep])
    for fill in (-np.inf, -1e9):
        y = softmax_stable(np.where(keep, scores, fill))
        np.testing.assert_allclose(y[keep], ref)
        assert (y[~keep] == 0).all()
    # fully masked row: -inf gives NaN, -1e9 gives uniform weights
    assert np.isnan(softmax_stable(np.full(4, -np.inf))).all()
    assert np.isnan(online_softmax(np.full(4, -np.inf))).all()
    assert np.isnan(blocked_softmax(np.full(4, -np.inf), 2)).all()
    np.testing.assert_allclose(softmax_stable(np.full(4, -1e9)), 0.25)


def test_blocked_bad_block_size() -> None:
    with pytest.raises(ValueError):
        blocked_softmax(np.zeros(3), 0)


def test_integer_input_promoted() -> None:
    y = softmax_stable([1, 2, 3])
    assert y.dtype == np.float64


def test_softmax_torch_matches_numpy() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((5, 13)) * 50
    y = softmax_torch(torch.from_numpy(x))
    np.testing.assert_allclose(y.numpy(), softmax_stable(x), rtol=1e-12)
    np.testing.assert_allclose(y.numpy(), torch.softmax(torch.from_numpy(x), -1).numpy(), rtol=1e-12)
    big = softmax_torch(torch.tensor(X3, dtype=torch.float32))
    np.testing.assert_allclose(big.numpy(), softmax_stable(np.array(X3, dtype=np.float32)), rtol=1e-6)
