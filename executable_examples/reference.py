"""对照真实实现 / Measuring what real PyTorch, transformers and peft objects hold, for the notes'
"estimated X, measured Y" checks (the torch tier, ``exec="torch"``).

Everything here reads tensors that exist (``numel() * element_size()``); nothing re-derives a
formula. ``torch``, ``transformers`` and ``peft`` are imported inside the functions, so importing
this module needs only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["StateBytes", "count_params", "expert_split", "kv_cache_tensor_bytes", "meta_model",
           "saved_activation_bytes", "tensor_bytes", "training_state_bytes"]


def tensor_bytes(tensors: Iterable["torch.Tensor"]) -> int:
    """Bytes of the distinct storages behind ``tensors`` (views of one storage count once)."""
    seen: dict[int, int] = {}
    for t in tensors:
        if t is None or t.device.type == "meta":
            continue
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
    return sum(seen.values())


def meta_model(cls_name: str, config: dict) -> Any:
    """A ``transformers`` model built from a config dict on the ``meta`` device: shapes, no memory."""
    import torch
    import transformers

    model_cls = getattr(transformers, cls_name)
    cfg = model_cls.config_class(**config)
    with torch.device("meta"):
        return model_cls(cfg)


def count_params(model: "torch.nn.Module") -> int:
    """Parameters of a module, shared (tied) ones once, as ``model.parameters()`` yields them."""
    return sum(p.numel() for p in model.parameters())


def expert_split(model: "torch.nn.Module") -> tuple[int, int]:
    """(parameters in routed experts, all others). Routed experts are the parameters under a module
    path containing ``.experts`` (not ``shared_experts``), as transformers names them."""
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in f".{n}." and "shared_experts" not in n)
    return routed, count_params(model) - routed


@dataclass(frozen=True)
class StateBytes:
    """Bytes a training step leaves in memory, read from the tensors."""

    weights: int
    grads: int
    optimizer_states: int  # the optimizer's buffers (Adam m and v, SGD momentum), step counters excluded
    master_weights: int
    step_counters: int  # Adam keeps one 'step' tensor per parameter tensor (not per parameter)

    @property
    def total(self) -> int:
        return self.weights + self.grads + self.optimizer_states + self.master_weights


def training_state_bytes(model: "torch.nn.Module", optimizer: "torch.optim.Optimizer",
                         master: list["torch.Tensor"] | None = None) -> StateBytes:
    """What the model, its gradients and the optimizer hold after a step.

    ``master``: the FP32 master copies of a mixed-precision recipe (the tensors the optimizer
    updates); then the optimizer's own parameters are those copies, and their ``.grad`` (a
    transient FP32 copy of the 16-bit gradients) is dropped before measuring, as such recipes do.
    """
    params = list(model.parameters())
    state = [v for s in optimizer.state.values() for k, v in s.items() if k != "step" and hasattr(v, "untyped_storage")]
    steps = [v for s in optimizer.state.values() for k, v in s.items() if k == "step" and hasattr(v, "untyped_storage")]
    return StateBytes(
        weights=tensor_bytes(params),
        grads=tensor_bytes(p.grad for p in params),
        optimizer_states=tensor_bytes(state),
        master_weights=tensor_bytes(master or []),
        step_counters=tensor_bytes(steps),
    )


def saved_activation_bytes(fn: Callable[[], "torch.Tensor"], exclude: Iterable["torch.Tensor"] = ()) -> tuple[int, Any]:
    """Bytes autograd saves for backward while ``fn()`` runs (distinct storages, parameters in
    ``exclude`` left out: they are weights, not activations), and ``fn``'s result."""
    import torch

    skip = {p.untyped_storage().data_ptr() for p in exclude}
    saved: dict[int, int] = {}

    def pack(t: torch.Tensor):
        storage = t.untyped_storage()
        if storage.data_ptr() not in skip:
            saved[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return sum(saved.values()), out


def kv_cache_tensor_bytes(cache: Any) -> int:
    """Bytes of the key and value tensors a ``transformers`` cache object holds, all layers."""
    tensors = []
    for layer in getattr(cache, "layers", []):
        tensors += [getattr(layer, "keys", None), getattr(layer, "values", None)]
    return tensor_bytes(t for t in tensors if t is not None)


def transformer_layer(h: int, a: int, dropout: float = 0.1) -> "torch.nn.Module":
    """The GPT-style layer of Korthikanti et al. (2022): pre-LayerNorm, fused QKV, softmax and
    dropout on the attention scores, output projection, residual dropouts, a 4h GeLU MLP.

    ``layer(x, recompute)`` with ``x`` of shape ``(s, b, h)``; ``recompute``: ``"none"``,
    ``"selective"`` (the attention core — QKᵀ, softmax, dropout, ·V — recomputed in backward) or
    ``"full"`` (the whole layer recomputed: only its input is kept). Checkpoints use the reentrant
    variant, which saves its inputs through autograd, so saved-tensor hooks see them.
    """
    import torch
    import torch.nn.functional as F
    from torch.utils.checkpoint import checkpoint

    class Layer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = torch.nn.LayerNorm(h), torch.nn.LayerNorm(h)
            self.qkv, self.proj = torch.nn.Linear(h, 3 * h), torch.nn.Linear(h, h)
            self.fc1, self.fc2 = torch.nn.Linear(h, 4 * h), torch.nn.Linear(4 * h, h)

        def core(self, q, k, v):
            s, b, _ = q.shape
            q, k, v = (t.reshape(s, b * a, h // a).transpose(0, 1) for t in (q, k, v))
            scores = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
            scores = F.dropout(scores, dropout, training=self.training)
            return torch.bmm(scores, v).transpose(0, 1).reshape(s, b, h)

        def body(self, x, selective=False):
            q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
            q = q * (h // a) ** -0.5
            ctx = checkpoint(self.core, q, k, v, use_reentrant=True) if selective else self.core(q, k, v)
            x = x + F.dropout(self.proj(ctx), dropout, training=self.training)
            return x + F.dropout(self.fc2(F.gelu(self.fc1(self.ln2(x)))), dropout, training=self.training)

        def forward(self, x, recompute: str = "none"):
            if recompute == "full":
                return checkpoint(self.body, x, use_reentrant=True)
            return self.body(x, selective=recompute == "selective")

    return Layer()
