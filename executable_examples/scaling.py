"""训练算力与参数量 / Training compute, Chinchilla-optimal data and FFN parameter counts.

Conventions: N = parameters, D = training tokens, C = training FLOPs (1 MAC = 2 FLOPs).
``C ≈ 6·N·D``: the forward pass costs about 2N FLOPs per token (one MAC per parameter) and the
backward pass about twice the forward (4N); attention's n²-terms are left out.
"""

from __future__ import annotations

__all__ = [
    "CHINCHILLA_TOKENS_PER_PARAM",
    "train_flops",
    "chinchilla_optimal_tokens",
    "ffn_params",
]

CHINCHILLA_TOKENS_PER_PARAM: float = 20.0
"""Compute-optimal tokens per parameter, the rule of thumb from Hoffmann et al. 2022."""


def train_flops(n_params: float, n_tokens: float) -> float:
    """训练 FLOPs / ``C ≈ 6·N·D`` (forward 2N + backward 4N FLOPs per token).

    Args:
        n_params: parameters N.
        n_tokens: training tokens D.

    Returns:
        FLOPs. Chinchilla (70B params, 1.4T tokens): ≈ 5.9e23.
    """
    return 6.0 * n_params * n_tokens


def chinchilla_optimal_tokens(n_params: float, tokens_per_param: float = CHINCHILLA_TOKENS_PER_PARAM) -> float:
    """Chinchilla 最优数据量 / Compute-optimal tokens ≈ 20 × parameters.

    Args:
        n_params: parameters N.
        tokens_per_param: ratio D/N (20 by default).

    Returns:
        Tokens D; 70B → 1.4T.
    """
    return tokens_per_param * n_params


def ffn_params(d: int, d_ff: float | None = None, gated: bool = False) -> float:
    """FFN 参数量 / Weight count of one feed-forward block (biases excluded).

    * plain FFN ``d → d_ff → d`` (ReLU/GELU): ``2·d·d_ff``; with ``d_ff = 4d`` that is 8d².
    * gated FFN (SwiGLU/GEGLU: gate, up and down projections): ``3·d·d_ff``; with
      ``d_ff = 8d/3`` (LLaMA, PaLM) it is again 8d², with ``d_ff = 4d`` it is 12d².

    Args:
        d: model width.
        d_ff: hidden width; default 4d (plain) or 8d/3 (gated).
        gated: gated (three matrices) instead of plain (two matrices).

    Returns:
        Number of weights (a float because 8d/3 need not be an integer).
    """
    if d_ff is None:
        d_ff = 8 * d / 3 if gated else 4 * d
    return (3 if gated else 2) * d * d_ff
