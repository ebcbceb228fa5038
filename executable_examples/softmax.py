"""Softmax 的数值稳定实现 / Numerically stable softmax variants.

All NumPy functions work along the **last axis** of an array of any shape and keep the input's
floating dtype (integers are converted to float64).

Functions:
    softmax_naive: ``exp(x) / sum(exp(x))``; overflows for large inputs (NaN).
    softmax_stable: subtracts the row maximum first (softmax is shift invariant).
    log_softmax: ``x - max - log(sum(exp(x - max)))``, never takes ``log`` of 0 for finite x.
    online_normalizer / online_softmax: one streaming pass keeping a running max ``m`` and a
        running sum ``l`` that is rescaled by ``exp(m_old - m_new)`` whenever the max grows
        (Milakov & Gimelshein 2018; the recurrence FlashAttention uses per tile).
    blocked_softmax: per-block partial ``(m_b, l_b)`` merged into the global ``(m, l)``.
    softmax_torch: the same with PyTorch (optional dependency, imported lazily).

A fully masked row (all entries ``-inf``) has no defined softmax: every variant here returns NaN
for it, as ``torch.softmax`` does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = [
    "FP32_MAX",
    "EXP_OVERFLOW_FP32",
    "exp_overflow_threshold",
    "softmax_naive",
    "softmax_stable",
    "log_softmax",
    "online_normalizer",
    "online_softmax",
    "blocked_softmax",
    "softmax_torch",
]

FP32_MAX: float = float(np.finfo(np.float32).max)
"""Largest finite float32, about 3.4028e38."""

EXP_OVERFLOW_FP32: float = math.log(FP32_MAX)
"""``ln(float32 max)`` ≈ 88.7228: ``exp(x)`` overflows to ``inf`` in float32 for larger x."""


def exp_overflow_threshold(dtype: Any = np.float32) -> float:
    """exp 上溢阈值 / Largest x for which ``exp(x)`` is finite in ``dtype``.

    Args:
        dtype: a NumPy floating dtype (``np.float16``, ``np.float32``, ``np.float64``).

    Returns:
        ``ln(finfo(dtype).max)``: 11.09 for float16, 88.72 for float32, 709.78 for float64.
    """
    return math.log(float(np.finfo(dtype).max))


def _as_float(x: ArrayLike) -> NDArray[np.floating[Any]]:
    """Return ``x`` as a floating NumPy array (float64 for integer or list input)."""
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def _exp_diff(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    """``exp(a - b)`` that returns 0 (not NaN) where ``a`` is ``-inf``.

    Used for the rescaling factor ``exp(m_old - m_new)``: at the start ``m_old = -inf`` and the
    old sum is 0, so the factor must be 0 even when ``m_new`` is still ``-inf``.
    """
    with np.errstate(invalid="ignore"):
        out = np.exp(a - b)
    return np.where(np.isneginf(a), np.zeros_like(out), out)


def softmax_naive(x: ArrayLike) -> NDArray[np.floating[Any]]:
    """朴素 softmax / Textbook softmax without max subtraction.

    Kept to show the failure: in float32, ``exp(x)`` is ``inf`` for ``x > 88.72``, and
    ``inf / inf`` is NaN. NumPy's overflow warnings are suppressed inside.

    Args:
        x: input logits; softmax is taken along the last axis.

    Returns:
        Probabilities in the input's float dtype; NaN where the exponentials overflowed.

    Example:
        >>> softmax_naive(np.array([1000.0, 1001.0, 1002.0], dtype=np.float32))
        array([nan, nan, nan], dtype=float32)
    """
    arr = _as_float(x)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(arr)
        return e / e.sum(axis=-1, keepdims=True)


def softmax_stable(x: ArrayLike) -> NDArray[np.floating[Any]]:
    """减最大值的稳定 softmax / Softmax with the row maximum subtracted.

    ``softmax(x) = softmax(x - c)`` for any constant c. With ``c = max(x)`` the largest
    exponent is ``exp(0) = 1``: no overflow, and the denominator is at least 1, so no division
    by 0.

    Args:
        x: input logits; softmax is taken along the last axis.

    Returns:
        Probabilities in the input's float dtype.

    Example:
        >>> np.round(softmax_stable(np.array([1000.0, 1001.0, 1002.0])), 3)
        array([0.09 , 0.245, 0.665])
    """
    arr = _as_float(x)
    m = np.max(arr, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        e = np.exp(arr - m)
        return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: ArrayLike) -> NDArray[np.floating[Any]]:
    """对数空间 softmax / ``log softmax(x) = x - m - log(sum(exp(x - m)))`` with ``m = max(x)``.

    Computing ``log(softmax(x))`` directly gives ``-inf`` once a probability underflows to 0;
    this form stays finite for finite inputs (it is what fused cross-entropy kernels use).

    Args:
        x: input logits; taken along the last axis.

    Returns:
        Log-probabilities in the input's float dtype.
    """
    arr = _as_float(x)
    m = np.max(arr, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return arr - m - np.log(np.exp(arr - m).sum(axis=-1, keepdims=True))


def online_normalizer(x: ArrayLike) -> tuple[NDArray[Any], NDArray[Any]]:
    """在线归一化 / One streaming pass computing the max ``m`` and ``l = sum(exp(x - m))``.

    Reads the last axis one element at a time (vectorised over the leading axes)::

        m_new = max(m_old, x_j)
        l_new = l_old * exp(m_old - m_new) + exp(x_j - m_new)

    starting from ``m = -inf, l = 0``. This is the recurrence FlashAttention applies per tile.

    Args:
        x: input logits.

    Returns:
        ``(m, l)``, each with the shape of ``x`` without its last axis.
    """
    arr = _as_float(x)
    m = np.full(arr.shape[:-1], -np.inf, dtype=arr.dtype)
    l = np.zeros(arr.shape[:-1], dtype=arr.dtype)
    for j in range(arr.shape[-1]):
        xj = arr[..., j]
        m_new = np.maximum(m, xj)
        l = l * _exp_diff(m, m_new) + _exp_diff(xj, m_new)
        m = m_new
    return m, l


def online_softmax(x: ArrayLike) -> NDArray[np.floating[Any]]:
    """在线 softmax / Softmax from the streaming ``(m, l)`` of :func:`online_normalizer`.

    The first pass finds ``m`` and ``l`` together (instead of one pass for the max and one for
    the sum); the second pass writes ``exp(x - m) / l``.

    Args:
        x: input logits; taken along the last axis.

    Returns:
        Probabilities equal (to rounding) to :func:`softmax_stable`.
    """
    arr = _as_float(x)
    m, l = online_normalizer(arr)
    with np.errstate(invalid="ignore"):
        return np.exp(arr - m[..., None]) / l[..., None]


def blocked_softmax(x: ArrayLike, block_size: int) -> NDArray[np.floating[Any]]:
    """分块 softmax / Softmax from per-block partials ``(m_b, l_b)`` merged at the end.

    Each block of ``block_size`` consecutive entries of the last axis is reduced on its own
    (as one GPU thread block would): ``m_b = max(x_b)``, ``l_b = sum(exp(x_b - m_b))``.
    The partials merge exactly: ``m = max_b m_b``, ``l = sum_b l_b * exp(m_b - m)``.

    Args:
        x: input logits; taken along the last axis.
        block_size: number of entries per block (the last block may be shorter).

    Returns:
        Probabilities equal (to rounding) to :func:`softmax_stable`.

    Raises:
        ValueError: if ``block_size < 1``.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    arr = _as_float(x)
    n = arr.shape[-1]
    ms: list[NDArray[Any]] = []
    ls: list[NDArray[Any]] = []
    for start in range(0, n, block_size):
        blk = arr[..., start : start + block_size]
        m_b = np.max(blk, axis=-1)
        l_b = _exp_diff(blk, m_b[..., None]).sum(axis=-1)
        ms.append(m_b)
        ls.append(l_b)
    m_parts = np.stack(ms, axis=-1)
    l_parts = np.stack(ls, axis=-1)
    m = np.max(m_parts, axis=-1)
    l = (l_parts * _exp_diff(m_parts, m[..., None])).sum(axis=-1)
    with np.errstate(invalid="ignore"):
        return np.exp(arr - m[..., None]) / l[..., None]


def softmax_torch(x: "torch.Tensor | ArrayLike", dim: int = -1) -> "torch.Tensor":
    """PyTorch 版稳定 softmax / Max-subtracted softmax written with torch ops.

    ``torch`` is imported inside the function, so this module imports without it.

    Args:
        x: a tensor (or anything ``torch.as_tensor`` accepts).
        dim: the axis to normalise.

    Returns:
        A tensor of probabilities; matches ``torch.softmax(x, dim)``.

    Raises:
        ImportError: if PyTorch is not installed.
    """
    import torch  # optional dependency

    t = torch.as_tensor(x)
    if not torch.is_floating_point(t):
        t = t.to(torch.float64)
    m = torch.amax(t, dim=dim, keepdim=True)
    e = torch.exp(t - m)
    return e / e.sum(dim=dim, keepdim=True)
