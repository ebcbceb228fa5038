"""参数量的闭式公式 / Closed-form parameter counts from a model's hyper-parameters.

The configs are dicts with ``transformers``' key names (:mod:`executable_examples.model_configs`).
Every count includes what the reference implementation has: biases where it has them, every
norm's weights, the embedding and an untied LM head. The torch tier of the notes instantiates the
same configs with ``transformers`` on the ``meta`` device and checks these counts exactly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamCount:
    """Total parameters and the ones one token passes through (``active`` < ``total`` for MoE)."""

    total: int
    active: int


def llama_params(cfg: dict) -> ParamCount:
    """LLaMA / Llama-2/3 / Mixtral decoders: GQA attention without biases, SwiGLU FFN (or a
    top-k mixture of SwiGLU experts with a bias-free router), two RMSNorms per layer, a final
    RMSNorm, token embedding and LM head (shared when ``tie_word_embeddings``).
    """
    d, ff, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    head_dim = cfg.get("head_dim") or d // cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads", cfg["num_attention_heads"]) * head_dim
    q = cfg["num_attention_heads"] * head_dim
    attn = d * q + 2 * d * kv + q * d                      # Wq, Wk, Wv (narrow under GQA), Wo
    expert = 3 * d * ff                                    # gate, up, down
    n_exp, top_k = cfg.get("num_local_experts", 1), cfg.get("num_experts_per_tok", 1)
    router = d * n_exp if n_exp > 1 else 0
    norms = 2 * d
    emb = cfg["vocab_size"] * d * (1 if cfg.get("tie_word_embeddings") else 2) + d  # + final norm
    total = layers * (attn + router + n_exp * expert + norms) + emb
    active = layers * (attn + router + min(top_k, n_exp) * expert + norms) + emb
    return ParamCount(total, active)


def deepseek_v3_params(cfg: dict) -> ParamCount:
    """DeepSeek-V3 (without the MTP module): MLA attention with low-rank Q and a compressed KV
    latent (each with its RMSNorm), ``first_k_dense_replace`` dense SwiGLU layers, then MoE layers
    of routed + shared experts behind a bias-free router. The router's per-expert score-correction
    bias (256 values a layer, adjusted by the load-balancing rule, not by gradients) is a buffer in
    the reference implementation, not a parameter, and is not counted.
    """
    d, layers, dense = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["first_k_dense_replace"]
    h, q_rank, kv_rank = cfg["num_attention_heads"], cfg["q_lora_rank"], cfg["kv_lora_rank"]
    nope, rope, dv = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
    attn = (d * q_rank + q_rank + q_rank * h * (nope + rope)   # Q down, its norm, Q up
            + d * (kv_rank + rope) + kv_rank                  # KV down + decoupled RoPE key, its norm
            + kv_rank * h * (nope + dv)                       # K (no-PE part) and V up
            + h * dv * d)                                     # output projection
    expert = 3 * d * cfg["moe_intermediate_size"]
    routed, shared, top_k = cfg["n_routed_experts"], cfg["n_shared_experts"], cfg["num_experts_per_tok"]
    router = routed * d                                       # gating weight
    dense_layer = attn + 3 * d * cfg["intermediate_size"] + 2 * d
    moe_total = attn + router + (routed + shared) * expert + 2 * d
    moe_active = attn + router + (top_k + shared) * expert + 2 * d
    emb = cfg["vocab_size"] * d * (1 if cfg.get("tie_word_embeddings") else 2) + d
    return ParamCount(dense * dense_layer + (layers - dense) * moe_total + emb,
                      dense * dense_layer + (layers - dense) * moe_active + emb)


def bert_params(cfg: dict, pooler: bool = True) -> int:
    """BERT encoder: word + position + token-type embeddings with a LayerNorm, per layer Q/K/V/O
    with biases, two LayerNorms and a biased FFN, plus the pooler (a biased d×d layer)."""
    d, ff, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    emb = (cfg["vocab_size"] + cfg["max_position_embeddings"] + cfg["type_vocab_size"]) * d + 2 * d
    layer = 4 * (d * d + d) + (d * ff + ff) + (ff * d + d) + 2 * 2 * d
    return emb + layers * layer + ((d * d + d) if pooler else 0)
