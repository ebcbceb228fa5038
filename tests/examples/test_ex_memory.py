"""Tests for executable_examples.memory."""

from __future__ import annotations

import pytest

from executable_examples.memory import (
    BYTES_PER_DTYPE,
    activation_memory_per_layer,
    bytes_per,
    inference_memory,
    kv_cache_bytes,
    mla_kv_cache_bytes,
    to_gb,
    to_gib,
    to_mb,
    to_mib,
    training_memory,
    zero_memory_per_gpu,
)


def test_bytes_per_dtype() -> None:
    assert bytes_per("FP32") == 4
    assert bytes_per("fp16") == bytes_per("bf16") == 2
    assert bytes_per("int8") == 1
    assert bytes_per("int4") == bytes_per("nf4") == 0.5
    assert set(BYTES_PER_DTYPE) >= {"fp32", "fp16", "bf16", "int8", "int4", "nf4"}
    with pytest.raises(KeyError):
        bytes_per("fp12")


def test_unit_helpers() -> None:
    assert to_gb(16e9) == 16.0
    assert to_gib(2**31) == 2.0
    assert to_mb(33_554_432) == pytest.approx(33.554432)
    assert to_mib(33_554_432) == 32.0
    assert to_gib(12e9) == pytest.approx(11.1759, abs=1e-4)


def test_mixed_precision_adam_16_bytes() -> None:
    m = training_memory(1e9, "adamw", "mixed_fp16")
    assert (m.weights, m.grads, m.master_weights, m.optimizer_states) == (2e9, 2e9, 4e9, 8e9)
    assert m.total == 16e9 and m.bytes_per_param(1e9) == 16
    assert training_memory(1e9, "adam", "mixed_bf16").total == 16e9
    no_master = training_memory(1e9, "adam", "mixed_fp16", master_weights=False)
    assert no_master.total == 12e9 and to_gib(no_master.total) == pytest.approx(11.18, abs=0.005)


def test_other_optimizers_and_fp32() -> None:
    assert training_memory(1, "adam", "fp32").total == 4 + 4 + 8
    assert training_memory(1, "adam", "fp32").master_weights == 0
    assert training_memory(1, "sgd", "fp32").total == 8
    assert training_memory(1, "sgd_momentum", "fp32").total == 12
    assert training_memory(1, "sgd", "mixed_bf16").total == 2 + 2 + 4
    assert training_memory(1, "sgd_momentum", "mixed_bf16").total == 2 + 2 + 4 + 4
    with pytest.raises(ValueError):
        training_memory(1, "lion")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        training_memory(1, "adam", "fp8")  # type: ignore[arg-type]


def test_zero_paper_example() -> None:
    psi, n = 7.5e9, 64
    got = [to_gb(zero_memory_per_gpu(psi, n, s)) for s in range(4)]
    assert got == pytest.approx([120.0, 31.40625, 16.640625, 1.875])
    # independent: shard the 16 B/param piece by piece
    assert zero_memory_per_gpu(psi, n, 3) == 16 * psi / n
    assert zero_memory_per_gpu(psi, 1, 1) == zero_memory_per_gpu(psi, 1, 0) == 16 * psi
    with pytest.raises(ValueError):
        zero_memory_per_gpu(psi, n, 4)
    with pytest.raises(ValueError):
        zero_memory_per_gpu(psi, 0, 1)


def test_activation_memory_korthikanti() -> None:
    # GPT-3-like: s=2048, b=1, h=12288, a=96
    s, b, h, a = 2048, 1, 12288, 96
    sbh = s * b * h
    none = activation_memory_per_layer(s, b, h, a)
    assert none == pytest.approx(34 * sbh + 5 * a * s * s * b)
    assert activation_memory_per_layer(s, b, h, a, "selective") == 34 * sbh
    assert activation_memory_per_layer(s, b, h, a, "full") == 2 * sbh
    # tensor parallel t=8 without / with sequence parallel
    t = 8
    tp = activation_memory_per_layer(s, b, h, a, tensor_parallel=t)
    assert tp == pytest.approx(sbh * (10 + 24 / t + 5 * a * s / (h * t)))
    tpsp = activation_memory_per_layer(s, b, h, a, tensor_parallel=t, sequence_parallel=True)
    assert tpsp == pytest.approx(none / t)
    with pytest.raises(ValueError):
        activation_memory_per_layer(s, b, h, a, "half")  # type: ignore[arg-type]


def test_kv_cache_examples() -> None:
    # LLaMA-7B, 4k context, fp16: 2 GiB; 0.5 MiB per token
    assert to_gib(kv_cache_bytes(32, 32, 128, 4096, 1, 2)) == 2.0
    assert to_mib(kv_cache_bytes(32, 32, 128, 1, 1, 2)) == 0.5
    # h = #heads instead of n_heads*head_dim gives 16 MiB, 128x too small
    wrong = 4 * 1 * 32 * 32 * 4096
    assert to_mib(wrong) == 16.0 and kv_cache_bytes(32, 32, 128, 4096) / wrong == 128
    # 2048 x 128 x 2 x 2 x 32 = 33,554,432 B = 33.5 MB = 32 MiB
    b = kv_cache_bytes(32, 1, 128, 2048, 1, 2)
    assert b == 33_554_432 and to_mib(b) == 32.0 and round(to_mb(b), 1) == 33.6
    assert to_mb(b) == pytest.approx(33.554432)
    # 70B-like: 80 layers, 64 heads x 128, 4k, bf16
    assert to_gib(kv_cache_bytes(80, 64, 128, 4096)) == 10.0
    assert to_gib(kv_cache_bytes(80, 8, 128, 4096)) == 1.25
    assert to_gib(kv_cache_bytes(80, 1, 128, 4096)) == 0.15625
    # TinyLlama-1.1B
    assert to_mib(kv_cache_bytes(22, 4, 64, 2048)) == 44.0


def test_mla_cache() -> None:
    per_tok_layer = mla_kv_cache_bytes(1, 512, 64, 1, 1, 1)
    assert per_tok_layer == 576
    # DeepSeek-V2: 60 layers vs same-width MHA (128 heads x 128)
    mla = mla_kv_cache_bytes(60, seq_len=1, bytes_per_elem=1)
    mha = kv_cache_bytes(60, 128, 128, 1, 1, 1)
    assert (mla, mha) == (34_560, 1_966_080)
    assert 1 - mla / mha == pytest.approx(0.9824, abs=1e-4)
    gqa67 = kv_cache_bytes(95, 8, 128, 1, 1, 1)
    assert 1 - mla / gqa67 == pytest.approx(0.8224, abs=1e-4)


def test_inference_memory() -> None:
    m = inference_memory(7e9, 32, 32, 128, 4096, batch=1)
    assert m.weights == 14e9
    assert m.kv_cache == 2 * 2**30
    assert m.total == 14e9 + 2 * 2**30
    assert inference_memory(1e9, 1, 1, 1, 1, weight_bytes=0.5).weights == 0.5e9
