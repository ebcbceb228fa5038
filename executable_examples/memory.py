"""显存估算 / Memory estimates for training and inference.

Units: every function returns **bytes** (an int, or a float where half-byte formats such as
int4/NF4 are involved). Convert with :func:`to_gb` (decimal, 1 GB = 10⁹ B, what vendors print
on a GPU: "80 GB") or :func:`to_gib` (binary, 1 GiB = 2³⁰ B = 1.0737 GB, what ``nvidia-smi``
and PyTorch's allocator report as "MiB"/"GiB"). The two differ by 7.4% at the GB scale, so
always state which one a number is in.

Notation: Ψ (``n_params``) parameters, N (``n_gpus``) data-parallel GPUs, K = 12 bytes/param of
optimizer state for mixed-precision Adam (FP32 master weights 4 + momentum 4 + variance 4), as
in the ZeRO paper (Rajbhandari et al., 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BYTES_PER_DTYPE",
    "bytes_per",
    "to_gb",
    "to_gib",
    "to_mb",
    "to_mib",
    "TrainingMemory",
    "training_memory",
    "zero_memory_per_gpu",
    "activation_memory_per_layer",
    "kv_cache_bytes",
    "mla_kv_cache_bytes",
    "InferenceMemory",
    "inference_memory",
]

BYTES_PER_DTYPE: dict[str, float] = {
    "fp32": 4,
    "float32": 4,
    "tf32": 4,  # stored as 32 bits; only the tensor-core math uses 19
    "fp16": 2,
    "float16": 2,
    "bf16": 2,
    "bfloat16": 2,
    "fp8": 1,
    "int8": 1,
    "int4": 0.5,
    "nf4": 0.5,
}
"""Storage bytes per element. 4-bit formats are 0.5 B (two values per byte), excluding the
per-block scale constants (see :func:`executable_examples.lora.qlora_bits_per_param`)."""

Optimizer = Literal["adamw", "adam", "sgd", "sgd_momentum"]
Precision = Literal["fp32", "mixed_fp16", "mixed_bf16"]
Recompute = Literal["none", "selective", "full"]


def bytes_per(dtype: str) -> float:
    """每元素字节数 / Bytes per element of a dtype name (case-insensitive).

    Args:
        dtype: one of the keys of :data:`BYTES_PER_DTYPE` (``"fp16"``, ``"bf16"``, ``"nf4"``…).

    Returns:
        Bytes per element (0.5 for 4-bit formats).

    Raises:
        KeyError: for an unknown dtype name.
    """
    return BYTES_PER_DTYPE[dtype.lower()]


def to_gb(n_bytes: float) -> float:
    """字节 → GB（十进制）/ Bytes to decimal gigabytes (1 GB = 10⁹ B)."""
    return n_bytes / 1e9


def to_gib(n_bytes: float) -> float:
    """字节 → GiB（二进制）/ Bytes to binary gibibytes (1 GiB = 2³⁰ B)."""
    return n_bytes / 2**30


def to_mb(n_bytes: float) -> float:
    """字节 → MB（十进制）/ Bytes to decimal megabytes (1 MB = 10⁶ B)."""
    return n_bytes / 1e6


def to_mib(n_bytes: float) -> float:
    """字节 → MiB（二进制）/ Bytes to binary mebibytes (1 MiB = 2²⁰ B)."""
    return n_bytes / 2**20


@dataclass(frozen=True)
class TrainingMemory:
    """Model-state memory of training, in bytes (activations not included).

    Attributes:
        weights: the parameters the forward pass reads (FP32, or FP16/BF16 in mixed precision).
        grads: gradients, same dtype as ``weights``.
        optimizer_states: FP32 optimizer buffers (Adam: m and v, 8 B/param; SGD+momentum: 4).
        master_weights: FP32 copy of the weights kept by mixed precision (4 B/param), else 0.
    """

    weights: float
    grads: float
    optimizer_states: float
    master_weights: float

    @property
    def total(self) -> float:
        """Sum of the four parts, in bytes."""
        return self.weights + self.grads + self.optimizer_states + self.master_weights

    def bytes_per_param(self, n_params: float) -> float:
        """Total bytes divided by the parameter count (e.g. 16 for mixed-precision Adam)."""
        return self.total / n_params


_OPTIMIZER_STATE_BYTES: dict[str, int] = {"adamw": 8, "adam": 8, "sgd": 0, "sgd_momentum": 4}


def training_memory(
    n_params: float,
    optimizer: Optimizer = "adamw",
    precision: Precision = "mixed_bf16",
    master_weights: bool = True,
) -> TrainingMemory:
    """训练时模型状态显存 / Bytes for weights, gradients and optimizer states.

    Standard accounting (ZeRO paper, §3.1): mixed-precision Adam keeps FP16/BF16 weights (2)
    and gradients (2), plus FP32 master weights (4), momentum (4) and variance (4):
    **16 bytes per parameter**. Pure FP32 Adam is 4 + 4 + 8 = 16 as well (no separate master
    copy is needed). Activations, temporary buffers and fragmentation come on top.

    Args:
        n_params: number of parameters Ψ.
        optimizer: ``"adam"``/``"adamw"`` (m and v, 8 B), ``"sgd_momentum"`` (4 B) or ``"sgd"``.
        precision: ``"fp32"``, ``"mixed_fp16"`` or ``"mixed_bf16"`` (the same byte counts).
        master_weights: keep the FP32 master copy in mixed precision. ``False`` gives the
            12 B/param figure (2 + 2 + 8) that forgets it, or a recipe that updates 16-bit
            weights in place.

    Returns:
        A :class:`TrainingMemory` breakdown.

    Raises:
        ValueError: for an unknown optimizer or precision.
    """
    if optimizer not in _OPTIMIZER_STATE_BYTES:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    if precision == "fp32":
        w, master = 4, 0
    elif precision in ("mixed_fp16", "mixed_bf16"):
        w, master = 2, (4 if master_weights else 0)
    else:
        raise ValueError(f"unknown precision {precision!r}")
    return TrainingMemory(
        weights=w * n_params,
        grads=w * n_params,
        optimizer_states=_OPTIMIZER_STATE_BYTES[optimizer] * n_params,
        master_weights=master * n_params,
    )


def zero_memory_per_gpu(n_params: float, n_gpus: int, stage: int, k: float = 12) -> float:
    """ZeRO 各阶段每卡模型状态显存 / Per-GPU model-state bytes under ZeRO stage 0–3.

    Formulas of the ZeRO paper (Rajbhandari et al., 2020, Figure 1), mixed-precision Adam with
    K = 12 bytes/param of optimizer state (FP32 master, m, v):

    * stage 0 (plain data parallel): ``(2 + 2 + K)·Ψ``
    * stage 1 (P_os, shard optimizer states): ``2Ψ + 2Ψ + K·Ψ/N``
    * stage 2 (P_os+g, also gradients): ``2Ψ + (2 + K)·Ψ/N``
    * stage 3 (P_os+g+p, also parameters): ``(2 + 2 + K)·Ψ/N``

    Example (paper): Ψ = 7.5B, N = 64 → 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.

    Args:
        n_params: number of parameters Ψ.
        n_gpus: data-parallel degree N.
        stage: 0, 1, 2 or 3.
        k: optimizer-state bytes per parameter (12 for mixed-precision Adam).

    Returns:
        Bytes per GPU (activations excluded).

    Raises:
        ValueError: for a stage outside 0–3 or ``n_gpus < 1``.
    """
    if n_gpus < 1:
        raise ValueError("n_gpus must be >= 1")
    psi, n = n_params, n_gpus
    if stage == 0:
        return (2 + 2 + k) * psi
    if stage == 1:
        return 2 * psi + 2 * psi + k * psi / n
    if stage == 2:
        return 2 * psi + (2 + k) * psi / n
    if stage == 3:
        return (2 + 2 + k) * psi / n
    raise ValueError(f"ZeRO stage must be 0-3, got {stage}")


def activation_memory_per_layer(
    s: int,
    b: int,
    h: int,
    a: int,
    recompute: Recompute = "none",
    tensor_parallel: int = 1,
    sequence_parallel: bool = False,
) -> float:
    """单层激活显存 / Activation bytes one transformer layer stores for the backward pass.

    From Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
    Models" (§4), with 16-bit activations and 1-byte dropout masks:

    * no recomputation: ``s·b·h·(34 + 5·a·s/h)`` bytes. The 34·sbh is attention block 11·sbh
      (QKV input 2, Q and K 4, V 2, attention-output input 2, dropout mask 1) + MLP 19·sbh +
      two LayerNorm inputs 4·sbh; the ``5·a·s²·b`` term is the softmax output (2), its dropout
      mask (1) and the dropout output (2) for every head.
    * selective recomputation (recompute only softmax / dropout / QKᵀ of attention):
      ``34·s·b·h``: the quadratic term disappears.
    * full recomputation: only the layer input is kept, ``2·s·b·h``.

    With tensor parallelism of degree t the paper gives ``sbh·(10 + 24/t + 5as/(ht))``; adding
    sequence parallelism divides everything by t: ``sbh·(34 + 5as/h)/t``.

    Args:
        s: sequence length.
        b: micro-batch size.
        h: hidden size.
        a: number of attention heads.
        recompute: ``"none"``, ``"selective"`` or ``"full"``.
        tensor_parallel: tensor-parallel degree t.
        sequence_parallel: whether sequence parallelism shards the non-TP parts too.

    Returns:
        Bytes per layer (per GPU when ``tensor_parallel > 1``).

    Raises:
        ValueError: for an unknown ``recompute`` mode.
    """
    sbh = s * b * h
    t = tensor_parallel
    quad = 5 * a * s / h
    if recompute == "full":
        return 2 * sbh / (t if sequence_parallel else 1)
    if recompute not in ("none", "selective"):
        raise ValueError(f"unknown recompute mode {recompute!r}")
    if recompute == "selective":
        quad = 0.0
    if sequence_parallel:
        return sbh * (34 + quad) / t
    return sbh * (10 + 24 / t + quad / t)


def kv_cache_bytes(
    n_layers: int,
    n_kv_heads: int,
    head_dim: int,
    seq_len: int,
    batch: int = 1,
    bytes_per_elem: float = 2,
) -> float:
    """KV Cache 字节数 / Bytes of the key/value cache of a decoder.

    ``2 (K and V) × n_layers × n_kv_heads × head_dim × seq_len × batch × bytes_per_elem``.
    ``n_kv_heads × head_dim`` is the K/V width: the hidden size for MHA, smaller for GQA/MQA.
    Using the number of heads alone in place of this width underestimates by ``head_dim``.

    Args:
        n_layers: number of transformer layers.
        n_kv_heads: number of K/V heads (= query heads for MHA, 1 for MQA, G for GQA).
        head_dim: width of one head.
        seq_len: tokens cached per sequence (prompt + generated).
        batch: number of sequences.
        bytes_per_elem: 2 for FP16/BF16, 1 for INT8/FP8.

    Returns:
        Bytes.
    """
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_elem


def mla_kv_cache_bytes(
    n_layers: int,
    kv_lora_rank: int = 512,
    rope_head_dim: int = 64,
    seq_len: int = 1,
    batch: int = 1,
    bytes_per_elem: float = 2,
) -> float:
    """MLA 缓存字节数 / Cache bytes of DeepSeek-V2/V3's latent attention (MLA).

    MLA caches, per token and layer, one compressed latent ``c_KV`` of width ``d_c``
    (``kv_lora_rank`` = 512) shared by all heads plus one decoupled RoPE key of width
    ``d_h^R`` (``qk_rope_head_dim`` = 64): 576 elements, instead of ``2·n_h·d_h``.

    Args:
        n_layers: number of layers (60 for DeepSeek-V2, 61 for V3).
        kv_lora_rank: latent width d_c.
        rope_head_dim: decoupled RoPE key width d_h^R.
        seq_len: tokens cached per sequence.
        batch: number of sequences.
        bytes_per_elem: bytes per cached element.

    Returns:
        Bytes.
    """
    return n_layers * (kv_lora_rank + rope_head_dim) * seq_len * batch * bytes_per_elem


@dataclass(frozen=True)
class InferenceMemory:
    """Inference memory in bytes (activations/temporary buffers not included).

    Attributes:
        weights: parameter storage.
        kv_cache: key/value cache.
    """

    weights: float
    kv_cache: float

    @property
    def total(self) -> float:
        """Weights plus KV cache, in bytes."""
        return self.weights + self.kv_cache


def inference_memory(
    n_params: float,
    n_layers: int,
    n_kv_heads: int,
    head_dim: int,
    seq_len: int,
    batch: int = 1,
    weight_bytes: float = 2,
    kv_bytes: float = 2,
) -> InferenceMemory:
    """推理显存 / Weights plus KV cache for serving a decoder.

    Args:
        n_params: number of parameters.
        n_layers: number of layers.
        n_kv_heads: number of K/V heads.
        head_dim: head width.
        seq_len: cached tokens per sequence.
        batch: concurrent sequences.
        weight_bytes: bytes per weight (2 for FP16/BF16, 1 for INT8, 0.5 for INT4).
        kv_bytes: bytes per cached element.

    Returns:
        An :class:`InferenceMemory` breakdown.
    """
    return InferenceMemory(
        weights=n_params * weight_bytes,
        kv_cache=kv_cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, batch, kv_bytes),
    )
