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
