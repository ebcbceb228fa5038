"""Triton softmax, run under the Triton interpreter (TRITON_INTERPRET=1) on CPU tensors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import torch
    from executable_examples.softmax_triton import interpreter_enabled, triton_softmax
    assert interpreter_enabled()
    torch.manual_seed(0)
    for shape, scale in [((4, 100), 1.0), ((3, 1000), 30.0), ((2, 1), 1.0), ((5, 64), 1e4)]:
        x = torch.randn(*shape) * scale
        y = triton_softmax(x)
        ref = torch.softmax(x, dim=-1)
        assert y.shape == x.shape and y.device == x.device
        assert torch.allclose(y, ref, atol=1e-6, rtol=0), (shape, (y - ref).abs().max())
    x = torch.tensor([[1000.0, 1001.0, 1002.0]])
    assert torch.allclose(triton_softmax(x), torch.tensor([[0.0900, 0.2447, 0.6652]]), atol=1e-4)
    print("ok")
    """
)


def test_module_imports_without_interpreter() -> None:
    import executable_examples.softmax_triton as st

    assert isinstance(st.TRITON_AVAILABLE, bool)


def test_triton_softmax_interpreter() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("triton")
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")


def test_cpu_tensor_rejected_without_interpreter() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("triton")
    code = (
        "import torch\n"
        "from executable_examples.softmax_triton import triton_softmax\n"
        "try:\n    triton_softmax(torch.randn(2, 3))\nexcept RuntimeError:\n    print('rejected')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rejected" in proc.stdout


DTYPE_SCRIPT = textwrap.dedent(
    """
    import torch
    from executable_examples.softmax_triton import KERNELS, triton_softmax
    torch.manual_seed(0)
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        for kernel in KERNELS:
            for shape, block in [((3, 100), 32), ((2, 257), 64), ((2, 1), 16)]:
                x = (torch.randn(*shape) * 3).to(dtype)
                y = triton_softmax(x, kernel, block_size=block)
                assert y.dtype == dtype and y.shape == x.shape, (kernel, dtype)
                ref = torch.softmax(x.float(), dim=-1)
                # computed in FP32: the only error left is the final rounding to the output dtype
                tol = 2 * torch.finfo(dtype).eps * ref.max().item()
                err = (y.float() - ref).abs().max().item()
                assert err <= tol, (kernel, dtype, shape, err, tol)
    big = torch.tensor([[1000.0, 1001.0, 1002.0]])
    for kernel in ("stable", "fused", "online"):
        assert torch.allclose(triton_softmax(big, kernel), torch.softmax(big, -1), atol=1e-6), kernel
    assert torch.isnan(triton_softmax(big, "naive")).all()
    masked = torch.tensor([[float("-inf")] * 40 + [1.0, 2.0]])
    assert torch.allclose(triton_softmax(masked, "online", block_size=8), torch.softmax(masked, -1), atol=1e-7)
    try:
        triton_softmax(big, "bogus")
    except ValueError as exc:
        assert "unknown kernel" in str(exc)
    else:
        raise AssertionError("an unknown kernel name must be rejected")
    print("ok")
    """
)


def test_every_kernel_accepts_fp16_and_bf16_with_fp32_accumulation() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("triton")
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", DTYPE_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
