"""Tests for executable_examples.fp: derived limits against NumPy/ml_dtypes-free facts."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from executable_examples.fp import (
    BF16,
    FORMATS,
    FP8_E4M3,
    FP8_E5M2,
    FP16,
    FP32,
    GRAD_SCALER_DEFAULTS,
    TF32,
)


def test_fp16_against_numpy() -> None:
    fi = np.finfo(np.float16)
    assert FP16.max == float(fi.max) == 65504
    assert FP16.min_normal == float(fi.smallest_normal) == 2**-14
    assert FP16.min_subnormal == float(fi.smallest_subnormal) == 2**-24
    assert FP16.eps == float(fi.eps) == 2**-10
    assert FP16.bits == 16


def test_fp32_against_numpy() -> None:
    fi = np.finfo(np.float32)
    assert FP32.max == float(fi.max)
    assert FP32.min_normal == float(fi.smallest_normal)
    assert FP32.min_subnormal == float(fi.smallest_subnormal)
    assert FP32.eps == float(fi.eps)


def test_bf16_is_truncated_fp32() -> None:
    # largest bf16 = fp32 bit pattern 0x7F7F0000 (top 16 bits of an fp32)
    bf16_max = struct.unpack(">f", bytes.fromhex("7F7F0000"))[0]
    assert BF16.max == bf16_max
    assert round(BF16.max / 1e38, 2) == 3.39
    assert BF16.eps == 2**-7
    assert BF16.min_normal == FP32.min_normal
    assert BF16.min_subnormal == pytest.approx(9.18e-41, rel=1e-3)


def test_tf32() -> None:
    assert TF32.bits == 19 and TF32.man_bits == 10 and TF32.exp_bits == 8
    assert TF32.eps == FP16.eps
    assert TF32.max == pytest.approx(3.4e38, rel=1e-2)


def test_fp8() -> None:
    assert FP8_E4M3.max == 448
    assert FP8_E5M2.max == 57344
    assert FP8_E4M3.bits == FP8_E5M2.bits == 8
    torch = pytest.importorskip("torch")
    assert float(torch.finfo(torch.float8_e4m3fn).max) == FP8_E4M3.max
    assert float(torch.finfo(torch.float8_e5m2).max) == FP8_E5M2.max
    assert float(torch.finfo(torch.bfloat16).max) == BF16.max


def test_formats_registry() -> None:
    assert set(FORMATS) == {"FP32", "TF32", "FP16", "BF16", "FP8 E4M3", "FP8 E5M2"}


def test_grad_scaler_defaults() -> None:
    assert GRAD_SCALER_DEFAULTS == {
        "init_scale": 65536.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 2000,
    }
    torch = pytest.importorskip("torch")
    import inspect

    sig = inspect.signature(torch.amp.GradScaler.__init__)
    for key, value in GRAD_SCALER_DEFAULTS.items():
        assert sig.parameters[key].default == value
