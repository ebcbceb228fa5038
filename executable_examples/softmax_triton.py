"""Triton softmax 家族 / Row-wise softmax kernels in Triton: naive, stable, fused, online.

Four kernels, one program per row, each computing in FP32 whatever the input dtype (FP32, FP16,
BF16): the row is converted to FP32 right after the load and the result back to the output's
dtype at the store, so ``exp`` and the row sum never run in 16 bits (``tl.exp`` has no FP16/BF16
version, and a 16-bit sum of thousands of terms would lose digits).

* ``naive``: ``exp(x) / sum(exp(x))`` without subtracting the max: overflows for x > ~88.7 (FP32).
* ``stable``: three passes over the row in chunks (max; sum of ``exp(x - max)``; normalise):
  any row length, three reads and one write of the row.
* ``fused``: the whole row in one block of lanes: one read and one write (the Triton tutorial).
* ``online``: one pass keeps a running max and a running sum rescaled by ``exp(m_old - m_new)``
  (Milakov & Gimelshein 2018), a second pass writes: two reads, one write, any row length.

The fused kernel described in detail:

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

__all__ = ["KERNELS", "TRITON_AVAILABLE", "interpreter_enabled", "triton_softmax"]

KERNELS = ("naive", "stable", "fused", "online")
"""The variants :func:`triton_softmax` accepts."""

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
    def _softmax_kernel(out_ptr, in_ptr, in_row_stride, out_row_stride, n_cols, BLOCK_SIZE: tl.constexpr):
        """Fused: one program per row, the whole row in registers; FP32 inside."""
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK_SIZE)
        mask = cols < n_cols
        x = tl.load(in_ptr + row * in_row_stride + cols, mask=mask, other=-float("inf")).to(tl.float32)
        x = x - tl.max(x, axis=0)
        num = tl.exp(x)
        den = tl.sum(num, axis=0)
        y = num / den
        tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=mask)

    @triton.jit
    def _softmax_naive_kernel(out_ptr, in_ptr, in_row_stride, out_row_stride, n_cols, BLOCK_SIZE: tl.constexpr):
        """Naive: no max subtraction (masked lanes load -inf, exp(-inf) = 0); FP32 inside."""
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK_SIZE)
        mask = cols < n_cols
        x = tl.load(in_ptr + row * in_row_stride + cols, mask=mask, other=-float("inf")).to(tl.float32)
        num = tl.exp(x)
        den = tl.sum(num, axis=0)
        y = num / den
        tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=mask)

    @triton.jit
    def _softmax_stable_kernel(out_ptr, in_ptr, in_row_stride, out_row_stride, n_cols, BLOCK_SIZE: tl.constexpr):
        """Stable, three passes in chunks of BLOCK_SIZE: max, then sum of exp(x - max), then write."""
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK_SIZE)
        base = in_ptr + row * in_row_stride
        m = tl.full((BLOCK_SIZE,), -float("inf"), tl.float32)
        for start in range(0, n_cols, BLOCK_SIZE):
            x = tl.load(base + start + cols, mask=start + cols < n_cols, other=-float("inf")).to(tl.float32)
            m = tl.maximum(m, x)
        row_max = tl.max(m, axis=0)
        acc = tl.zeros((BLOCK_SIZE,), tl.float32)
        for start in range(0, n_cols, BLOCK_SIZE):
            x = tl.load(base + start + cols, mask=start + cols < n_cols, other=-float("inf")).to(tl.float32)
            acc += tl.exp(x - row_max)
        den = tl.sum(acc, axis=0)
        for start in range(0, n_cols, BLOCK_SIZE):
            mask = start + cols < n_cols
            x = tl.load(base + start + cols, mask=mask, other=-float("inf")).to(tl.float32)
            y = tl.exp(x - row_max) / den
            tl.store(out_ptr + row * out_row_stride + start + cols, y.to(out_ptr.dtype.element_ty), mask=mask)

    @triton.jit
    def _softmax_online_kernel(out_ptr, in_ptr, in_row_stride, out_row_stride, n_cols, BLOCK_SIZE: tl.constexpr):
        """Online: one pass for (max, sum) per lane, rescaling the sum when the max grows; then write."""
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK_SIZE)
        base = in_ptr + row * in_row_stride
        m = tl.full((BLOCK_SIZE,), -float("inf"), tl.float32)
        d = tl.zeros((BLOCK_SIZE,), tl.float32)
        for start in range(0, n_cols, BLOCK_SIZE):
            x = tl.load(base + start + cols, mask=start + cols < n_cols, other=-float("inf")).to(tl.float32)
            m_new = tl.maximum(m, x)
            # A lane that has seen only -inf keeps d = 0 (exp(-inf - -inf) would be NaN).
            scale = tl.where(m_new == -float("inf"), 0.0, tl.exp(m - m_new))
            d = d * scale + tl.where(m_new == -float("inf"), 0.0, tl.exp(x - m_new))
            m = m_new
        row_max = tl.max(m, axis=0)
        den = tl.sum(tl.where(m == -float("inf"), 0.0, d * tl.exp(m - row_max)), axis=0)
        for start in range(0, n_cols, BLOCK_SIZE):
            mask = start + cols < n_cols
            x = tl.load(base + start + cols, mask=mask, other=-float("inf")).to(tl.float32)
            y = tl.exp(x - row_max) / den
            tl.store(out_ptr + row * out_row_stride + start + cols, y.to(out_ptr.dtype.element_ty), mask=mask)

    _KERNEL_FNS = {"naive": _softmax_naive_kernel, "stable": _softmax_stable_kernel,
                   "fused": _softmax_kernel, "online": _softmax_online_kernel}

else:  # pragma: no cover - depends on the environment
    _softmax_kernel = None
    _KERNEL_FNS = {}


def triton_softmax(x: "torch.Tensor", kernel: str = "fused", block_size: int | None = None) -> "torch.Tensor":
    """用 Triton 内核计算 softmax / Softmax over the last axis of a 2-D tensor with Triton.

    Args:
        x: a 2-D FP32, FP16 or BF16 tensor ``(n_rows, n_cols)``. It must be a CUDA tensor, or a
            CPU tensor when the interpreter is on (``TRITON_INTERPRET=1`` set before import).
        kernel: one of :data:`KERNELS`; ``"fused"`` (the default) keeps the whole row on chip.
        block_size: lanes per chunk for the chunked kernels (``stable``, ``online``); a power of
            two. Default: the row length rounded up to a power of two, at most 1024.

    Returns:
        A tensor of the same shape, dtype and device with ``softmax(x, dim=-1)``, computed in FP32.

    Raises:
        ImportError: if ``triton`` or ``torch`` is not installed.
        ValueError: if ``x`` is not 2-D, or for an unknown ``kernel``.
        RuntimeError: if ``x`` is on the CPU and the interpreter is off.
    """
    if _softmax_kernel is None or triton is None:
        raise ImportError("triton_softmax needs the optional packages torch and triton")
    import torch  # optional dependency

    if x.ndim != 2:
        raise ValueError(f"expected a 2-D tensor, got shape {tuple(x.shape)}")
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}: use one of {', '.join(KERNELS)}")
    if not x.is_cuda and not interpreter_enabled():
        raise RuntimeError(
            "CPU tensor given but the Triton interpreter is off: set TRITON_INTERPRET=1 "
            "before importing triton, or pass a CUDA tensor"
        )
    x = x.contiguous()
    n_rows, n_cols = x.shape
    out = torch.empty_like(x)
    if kernel in ("naive", "fused"):
        block: Any = triton.next_power_of_2(n_cols)
    else:
        block = block_size or min(1024, triton.next_power_of_2(n_cols))
    _KERNEL_FNS[kernel][(n_rows,)](out, x, x.stride(0), out.stride(0), n_cols, BLOCK_SIZE=block)
    return out
