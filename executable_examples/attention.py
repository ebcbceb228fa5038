"""注意力的参数量与计算量 / Parameter and FLOP counts of (multi-head) attention.

Conventions used throughout:

* ``d`` is the model width (``d_model``), ``h`` the number of heads, ``d / h`` the head width,
  ``n`` the sequence length, batch size 1 unless a ``batch`` argument says otherwise.
* A matrix product ``(m x k) @ (k x p)`` costs ``m*k*p`` multiply-accumulates (MACs) and we
  count **1 MAC = 2 FLOPs** (one multiply, one add).
* FLOPs are for the **forward** pass of one attention layer; softmax, scaling and masking
  (O(h·n²) element-wise work) are left out because they are small next to the matmuls.

Results (forward, one layer):

* projections Q, K, V, O: four ``(n x d) @ (d x d)`` products: ``4·n·d²`` MACs = ``8·n·d²``
  FLOPs;
* scores ``Q Kᵀ``: ``n·n·d`` MACs = ``2·n²·d`` FLOPs (summed over all heads);
* weighted sum ``A V``: also ``2·n²·d`` FLOPs.

Splitting into h heads of width d/h changes none of these numbers: h heads each cost
``2·n²·(d/h)``, and the per-head projection matrices (``d x d/h`` each) concatenate into the
same ``d x d`` matrices a single full-width head would use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "AttentionFlops",
    "attention_params",
    "single_head_params",
    "multi_head_params",
    "attention_flops",
    "per_head_projection_equals_full",
]


def single_head_params(d: int, bias: bool = False) -> int:
    """单头注意力参数量 / Parameters of one full-width head: W_Q, W_K, W_V, W_O all d×d.

    Args:
        d: model width.
        bias: include the four bias vectors of length d.

    Returns:
        ``4·d²`` (``+ 4·d`` with bias).
    """
    return 4 * d * d + (4 * d if bias else 0)


def multi_head_params(d: int, h: int, bias: bool = False) -> int:
    """多头注意力参数量 / Parameters of h heads of width d/h plus the output projection.

    Each head has ``W_Q^i, W_K^i, W_V^i`` of shape ``d x (d/h)`` (input width stays d); the
    concatenated head outputs (width d) go through ``W_O`` of shape ``d x d``.

    Args:
        d: model width; must be divisible by ``h``.
        h: number of heads.
        bias: include biases (``3·d`` for the Q/K/V heads together, ``d`` for W_O).

    Returns:
        ``h·3·d·(d/h) + d² = 4·d²`` (``+ 4·d`` with bias): the same as one full-width head.

    Raises:
        ValueError: if ``d`` is not divisible by ``h``.
    """
    if d % h:
        raise ValueError(f"d={d} is not divisible by h={h}")
    dh = d // h
    per_head_qkv = 3 * d * dh + (3 * dh if bias else 0)
    out_proj = d * d + (d if bias else 0)
    return h * per_head_qkv + out_proj


def attention_params(d: int, h: int = 1, bias: bool = False) -> int:
    """注意力层参数量 / Parameter count of an attention layer with h heads (h=1: single head).

    Args:
        d: model width.
        h: number of heads.
        bias: include biases.

    Returns:
        ``4·d² (+4·d)``, independent of ``h``.
    """
    return single_head_params(d, bias) if h == 1 else multi_head_params(d, h, bias)


@dataclass(frozen=True)
class AttentionFlops:
    """Forward FLOPs of one attention layer (1 MAC = 2 FLOPs).

    Attributes:
        projections: Q, K, V and output projections, ``8·n·d²·batch``.
        scores: ``Q Kᵀ`` summed over heads, ``2·n²·d·batch``.
        weighted_sum: ``A V`` summed over heads, ``2·n²·d·batch``.
    """

    projections: int
    scores: int
    weighted_sum: int

    @property
    def core(self) -> int:
        """``QKᵀ + AV`` = ``4·n²·d`` (the part that grows with n²)."""
        return self.scores + self.weighted_sum

    @property
    def total(self) -> int:
        """Projections plus core: ``8·n·d² + 4·n²·d`` per sequence."""
        return self.projections + self.core


def attention_flops(n: int, d: int, h: int = 1, batch: int = 1) -> AttentionFlops:
    """注意力前向 FLOPs / Forward FLOPs of one attention layer.

    The head count enters only through the per-head width: h heads × ``2·n²·(d/h)`` FLOPs
    equals one head × ``2·n²·d`` FLOPs.

    Args:
        n: sequence length.
        d: model width (divisible by ``h``).
        h: number of heads.
        batch: number of sequences.

    Returns:
        An :class:`AttentionFlops` breakdown.

    Raises:
        ValueError: if ``d`` is not divisible by ``h``.
    """
    if d % h:
        raise ValueError(f"d={d} is not divisible by h={h}")
    dh = d // h
    projections = 2 * 4 * n * d * d * batch
    scores = h * 2 * n * n * dh * batch
    weighted_sum = h * 2 * n * n * dh * batch
    return AttentionFlops(projections=projections, scores=scores, weighted_sum=weighted_sum)


def per_head_projection_equals_full(d: int = 64, h: int = 8, n: int = 5, seed: int = 0) -> bool:
    """数值验证：拼接各头投影 = 一个 d×d 投影 / Check that per-head projections concatenate.

    Draws ``X (n x d)`` and ``h`` matrices ``W_i (d x d/h)``; checks that
    ``concat_i(X @ W_i) == X @ concat_i(W_i)`` where ``concat_i(W_i)`` is one ``d x d`` matrix.

    Args:
        d: model width.
        h: number of heads.
        n: number of tokens.
        seed: random seed.

    Returns:
        ``True`` when the two agree to floating-point rounding.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    heads = [rng.standard_normal((d, d // h)) for _ in range(h)]
    per_head = np.concatenate([x @ w for w in heads], axis=1)
    full = x @ np.concatenate(heads, axis=1)
    return bool(full.shape == (n, d) and np.allclose(per_head, full))
