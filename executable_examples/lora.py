"""LoRA 与 QLoRA 的计算 / LoRA and QLoRA arithmetic.

Shape convention (Hu et al., 2021): a frozen weight ``W0 ∈ R^{d×k}`` (d = output width,
k = input width, so ``h = W0 x`` for ``x ∈ R^k``) gets a low-rank update

    ``ΔW = (α / r) · B A``,  ``B ∈ R^{d×r}``,  ``A ∈ R^{r×k}``,  ``B A ∈ R^{d×k}``.

``A`` starts Gaussian and ``B`` starts at zero, so ``ΔW = 0`` at step 0. The trainable
parameters per matrix are ``r·(d + k)``.

QLoRA (Dettmers et al., 2023) stores the frozen base weights in 4-bit NormalFloat (NF4) with one
absmax constant per block of 64 weights; double quantisation stores those constants in 8 bits
with one FP32 constant per 256 of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
from numpy.typing import NDArray


__all__ = [
    "lora_trainable_params",
    "lora_init",
    "lora_delta",
    "merge",
    "unmerge",
    "delta_rank",
    "nf4_code",
    "int4_absmax_code",
    "quantize_blockwise",
    "qlora_bits_per_param",
    "QLoRAMemory",
    "qlora_memory",
]


def lora_trainable_params(shapes: Iterable[tuple[int, int]], r: int) -> int:
    """LoRA 可训练参数量 / Trainable parameters of LoRA on a list of matrices.

    Args:
        shapes: ``(d_out, d_in)`` of every adapted weight matrix.
        r: LoRA rank.

    Returns:
        ``sum r·(d_in + d_out)`` (B has ``d_out·r``, A has ``r·d_in`` entries).

    Example:
        GPT-3 175B, r = 4 on W_q and W_v of all 96 layers (d = 12288)::

            >>> lora_trainable_params([(12288, 12288)] * 2 * 96, r=4)
            18874368
    """
    return sum(r * (d_out + d_in) for d_out, d_in in shapes)


def lora_init(
    d: int, k: int, r: int, seed: int = 0, std: float | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """LoRA 初始化 / Initial ``(B, A)``: B zeros (d×r), A Gaussian (r×k).

    Args:
        d: output width of the adapted matrix.
        k: input width.
        r: rank.
        seed: random seed for A.
        std: standard deviation of A (default ``1/sqrt(k)``).

    Returns:
        ``(B, A)`` with ``B @ A == 0``.
    """
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, std if std is not None else 1.0 / np.sqrt(k), size=(r, k))
    b = np.zeros((d, r))
    return b, a


def lora_delta(b: NDArray[np.floating], a: NDArray[np.floating], alpha: float, r: int) -> NDArray[np.floating]:
    """LoRA 增量 / ``ΔW = (alpha / r) · B @ A``.

    Args:
        b: ``B ∈ R^{d×r}``.
        a: ``A ∈ R^{r×k}``.
        alpha: LoRA alpha.
        r: rank (the scaling uses ``alpha / r``).

    Returns:
        ``ΔW ∈ R^{d×k}``.

    Raises:
        ValueError: if the shapes do not follow ``B (d×r) @ A (r×k)``.
    """
    if b.ndim != 2 or a.ndim != 2 or b.shape[1] != r or a.shape[0] != r:
        raise ValueError(f"expected B (d x {r}) and A ({r} x k), got {b.shape} and {a.shape}")
    return (alpha / r) * (b @ a)


def merge(
    w0: NDArray[np.floating], b: NDArray[np.floating], a: NDArray[np.floating], alpha: float, r: int
) -> NDArray[np.floating]:
    """合并 / ``W = W0 + (alpha/r)·B A``: after merging, inference costs nothing extra.

    Args:
        w0: frozen weight ``d×k``.
        b: ``B (d×r)``.
        a: ``A (r×k)``.
        alpha: LoRA alpha.
        r: rank.

    Returns:
        The merged weight, ``d×k``.
    """
    return w0 + lora_delta(b, a, alpha, r)


def unmerge(
    w: NDArray[np.floating], b: NDArray[np.floating], a: NDArray[np.floating], alpha: float, r: int
) -> NDArray[np.floating]:
    """拆分 / ``W0 = W - (alpha/r)·B A`` (to swap adapters on a merged model).

    Args:
        w: merged weight ``d×k``.
        b: ``B (d×r)``.
        a: ``A (r×k)``.
        alpha: LoRA alpha.
        r: rank.

    Returns:
        The original weight, up to floating-point rounding.
    """
    return w - lora_delta(b, a, alpha, r)


def delta_rank(b: NDArray[np.floating], a: NDArray[np.floating]) -> int:
    """``rank(B A)``, at most ``r`` (the inner dimension) / numerical rank of the update."""
    return int(np.linalg.matrix_rank(b @ a))


def nf4_code(offset: float = 0.9677083) -> NDArray[np.float64]:
    """NF4 码本 / The 16 values of 4-bit NormalFloat (QLoRA; bitsandbytes construction).

    Quantiles of the standard normal are taken separately for the two halves so that 0 is
    represented exactly: 8 positive values from ``linspace(offset, 0.5, 9)`` (dropping 0.5), 7
    negative values from ``linspace(offset, 0.5, 8)`` (dropping 0.5), plus 0; then everything is
    divided by the largest magnitude so the code spans [-1, 1]. ``offset`` (≈ 0.9677) replaces
    the probability 1, whose quantile is infinite.

    Args:
        offset: the outermost probability used for the quantiles.

    Returns:
        16 sorted values in [-1, 1]: 7 negative, one exact 0, 8 positive.
    """
    from statistics import NormalDist

    ppf = NormalDist().inv_cdf
    pos = [ppf(p) for p in np.linspace(offset, 0.5, 9)[:-1]]
    neg = [-ppf(p) for p in np.linspace(offset, 0.5, 8)[:-1]]
    values = np.array(sorted(pos + neg + [0.0]))
    return values / np.abs(values).max()


def int4_absmax_code() -> NDArray[np.float64]:
    """均匀 INT4 码本 / Symmetric 4-bit integer code ``k/7, k = -7..7`` (15 levels in [-1, 1])."""
    return np.arange(-7, 8) / 7.0


def quantize_blockwise(
    w: NDArray[np.floating], code: NDArray[np.floating], block_size: int = 64
) -> NDArray[np.float64]:
    """分块 absmax 量化再反量化 / Quantise ``w`` block by block to ``code`` and dequantise.

    Each block of ``block_size`` consecutive values is divided by its absmax (mapping it into
    [-1, 1]), every value is replaced by the nearest entry of ``code``, and the result is
    multiplied back by the absmax. Returns the dequantised values (same shape as ``w``) so the
    quantisation error can be measured.

    Args:
        w: weights; flattened internally, size must be a multiple of ``block_size``.
        code: sorted quantisation levels in [-1, 1] (e.g. :func:`nf4_code`).
        block_size: values per absmax block (64 in QLoRA).

    Returns:
        Dequantised weights with the shape of ``w``.

    Raises:
        ValueError: if ``w.size`` is not a multiple of ``block_size``.
    """
    flat = np.asarray(w, dtype=np.float64).reshape(-1)
    if flat.size % block_size:
        raise ValueError(f"size {flat.size} is not a multiple of block_size {block_size}")
    blocks = flat.reshape(-1, block_size)
    absmax = np.abs(blocks).max(axis=1, keepdims=True)
    scale = np.where(absmax == 0, 1.0, absmax)
    normed = blocks / scale
    idx = np.abs(normed[..., None] - np.asarray(code)[None, None, :]).argmin(axis=-1)
    return (np.asarray(code)[idx] * scale).reshape(np.shape(w))


def qlora_bits_per_param(block_size: int = 64, double_quant: bool = True, dq_block: int = 256) -> float:
    """QLoRA 量化常数的额外开销 / Extra bits per parameter for the quantisation constants.

    Without double quantisation each block of ``block_size`` weights stores one FP32 absmax:
    ``32 / 64 = 0.5`` bits/param. With it, the constants are stored in 8 bits and every
    ``dq_block`` of them shares one FP32 second-level constant:
    ``8/64 + 32/(64·256) ≈ 0.127`` bits/param (QLoRA paper, §3).

    Args:
        block_size: weights per quantisation block (64 in QLoRA).
        double_quant: quantise the constants to 8 bits.
        dq_block: constants per second-level block (256 in QLoRA).

    Returns:
        Overhead in bits per parameter, on top of the 4 bits of NF4.
    """
    if not double_quant:
        return 32 / block_size
    return 8 / block_size + 32 / (block_size * dq_block)


@dataclass(frozen=True)
class QLoRAMemory:
    """QLoRA memory in bytes (activations not included).

    Attributes:
        base_weights: NF4 codes, 4 bits per frozen parameter.
        quant_constants: block constants (:func:`qlora_bits_per_param`).
        lora_states: adapter weights, gradients and optimizer states.
    """

    base_weights: float
    quant_constants: float
    lora_states: float

    @property
    def total(self) -> float:
        """Sum of the parts, in bytes."""
        return self.base_weights + self.quant_constants + self.lora_states


def qlora_memory(
    n_params: float,
    lora_params: float = 0,
    block_size: int = 64,
    double_quant: bool = True,
    dq_block: int = 256,
    lora_bytes_per_param: float = 16,
) -> QLoRAMemory:
    """QLoRA 显存 / Bytes for a 4-bit frozen model plus trainable LoRA adapters.

    The frozen weights take 4 bits each plus the constant overhead. Each adapter parameter
    costs ``lora_bytes_per_param``: 16 by default (mixed-precision Adam with an FP32 master
    copy, :func:`executable_examples.memory.training_memory`); 12 for BF16 adapter weights and
    gradients with FP32 Adam m and v and no master copy. Activations come on top (paged
    optimizers exist to absorb their spikes).

    Args:
        n_params: parameters of the frozen base model.
        lora_params: trainable adapter parameters.
        block_size: weights per quantisation block.
        double_quant: use double quantisation.
        dq_block: constants per second-level block.
        lora_bytes_per_param: training-state bytes per adapter parameter.

    Returns:
        A :class:`QLoRAMemory` breakdown.
    """
    overhead = qlora_bits_per_param(block_size, double_quant, dq_block)
    return QLoRAMemory(
        base_weights=n_params * 4 / 8,
        quant_constants=n_params * overhead / 8,
        lora_states=lora_params * lora_bytes_per_param,
    )
