"""Triton 行级 softmax / A row-wise softmax kernel in Triton.

One Triton program handles one row: it loads the whole row into registers with
``BLOCK_SIZE = next_power_of_2(n_cols)`` lanes, masks the lanes past the end with ``-inf``
(so they add ``exp(-inf) = 0`` to the sum and never win the max), subtracts the row max,
exponentiates, divides by the sum and stores the row. This is the fused kernel of the Triton
tutorial: one read and one write of the row from global memory, instead of the several passes
of an unfused ``max`` / ``sub`` / ``exp`` / ``sum`` / ``div`` sequence.

Running without a GPU: Triton ships an interpreter. Set the environment variable
``TRITON_INTERPRET=1`` **before** Python imports ``triton`` (and therefore before this module
is imported): ``triton.jit`` decides at decoration time whether it builds a compiled kernel or
an interpreted one. Under the interpreter the kernel runs with NumPy on the CPU and accepts CPU
tensors; it is slow (seconds for small inputs) and meant for testing, not for speed::

    TRITON_INTERPRET=1 python3 -c "
    import torch
    from executable_examples.softmax_triton import triton_softmax
    x = torch.randn(4, 100)
    print((triton_softmax(x) - torch.softmax(x, -1)).abs().max())"

``triton`` and ``torch`` are optional: if either is missing, importing this module still
works, :data:`TRITON_AVAILABLE` is ``False`` and :func:`triton_softmax` raises ``ImportError``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["TRITON_AVAILABLE", "interpreter_enabled", "triton_softmax"]

try:  # optional dependency
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - depends on the environment
    triton = None
    tl = None

TRITON_AVAILABLE: bool = triton is not None
"""Whether ``triton`` could be imported."""


def interpreter_enabled() -> bool:
    """是否启用 Triton 解释器 / True when ``TRITON_INTERPRET`` is set to a true value.

    Returns:
        ``True`` for ``TRITON_INTERPRET`` in ``{"1", "true", "yes", "on"}`` (any case).
    """
    return os.environ.get("TRITON_INTERPRET", "0").strip().lower() in {"1", "true", "yes", "on"}


if triton is not None:

    @triton.jit
    def _softmax_kernel(
        out_ptr,
        in_ptr,
        in_row_stride,
        out_row_stride,
        n_cols,
        BLOCK_SIZE: tl.constexpr,
    ):
        """One program per row: masked load, max, exp, sum, divide, masked store."""
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK_SIZE)
        mask = cols < n_cols
        x = tl.load(in_ptr + row * in_row_stride + cols, mask=mask, other=-float("inf"))
        x = x - tl.max(x, axis=0)
        num = tl.exp(x)
        den = tl.sum(num, axis=0)
        tl.store(out_ptr + row * out_row_stride + cols, num / den, mask=mask)

else:  # pragma: no cover - depends on the environment
    _softmax_kernel = None


def triton_softmax(x: "torch.Tensor") -> "torch.Tensor":
    """用 Triton 内核计算 softmax / Softmax over the last axis of a 2-D tensor with Triton.

    Args:
        x: a 2-D floating tensor ``(n_rows, n_cols)``. It must be a CUDA tensor, or a CPU
            tensor when the interpreter is on (``TRITON_INTERPRET=1`` set before import).

    Returns:
        A tensor of the same shape, dtype and device with ``softmax(x, dim=-1)``.

    Raises:
        ImportError: if ``triton`` or ``torch`` is not installed.
        ValueError: if ``x`` is not 2-D.
        RuntimeError: if ``x`` is on the CPU and the interpreter is off.
    """
    if _softmax_kernel is None or triton is None:
        raise ImportError("triton_softmax needs the optional packages torch and triton")
    import torch  # optional dependency

    if x.ndim != 2:
        raise ValueError(f"expected a 2-D tensor, got shape {tuple(x.shape)}")
    if not x.is_cuda and not interpreter_enabled():
        raise RuntimeError(
            "CPU tensor given but the Triton interpreter is off: set TRITON_INTERPRET=1 "
            "before importing triton, or pass a CUDA tensor"
        )
    x = x.contiguous()
    n_rows, n_cols = x.shape
    out = torch.empty_like(x)
    block: Any = triton.next_power_of_2(n_cols)
    _softmax_kernel[(n_rows,)](out, x, x.stride(0), out.stride(0), n_cols, BLOCK_SIZE=block)
    return out
