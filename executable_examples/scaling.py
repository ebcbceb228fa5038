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
    "decoder_params",
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
      ``d_ff = 8d/3`` (LLaMA) it is again 8d², with ``d_ff = 4d`` it is 12d² (PaLM keeps
      ``d_ff = 4d``: see :func:`decoder_params`).

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


def decoder_params(
    d: int,
    n_layers: int,
    vocab: int,
    n_heads: int,
    head_dim: int,
    n_kv_heads: int,
    d_ff: float,
    gated: bool = True,
    tied_embeddings: bool = True,
) -> float:
    """稠密 decoder 参数量 / Weight count of a dense decoder-only Transformer (norms and biases excluded).

    Per layer: Q and O projections ``2·d·n_heads·head_dim``, K and V ``2·d·n_kv_heads·head_dim``
    (one KV head = multi-query attention), plus :func:`ffn_params`. Embeddings: ``vocab·d``, twice
    when input and output matrices are not shared.

    Args:
        d: model width d_model.
        n_layers: number of layers.
        vocab: vocabulary size.
        n_heads: query heads.
        head_dim: width of one head (need not be d / n_heads: PaLM uses 256 throughout).
        n_kv_heads: key/value heads (n_heads for MHA, 1 for MQA).
        d_ff: FFN hidden width.
        gated: SwiGLU-style FFN with three matrices.
        tied_embeddings: input embedding shared with the output layer.

    Returns:
        Number of weights. PaLM 540B (d=18432, 118 layers, 48 heads of 256, MQA, vocab 256k,
        SwiGLU with d_ff = 4d, tied): ≈ 540.4e9; LLaMA-7B: ≈ 6.74e9.
    """
    attn = 2 * d * n_heads * head_dim + 2 * d * n_kv_heads * head_dim
    per_layer = attn + ffn_params(d, d_ff, gated=gated)
    embeddings = vocab * d * (1 if tied_embeddings else 2)
    return n_layers * per_layer + embeddings
