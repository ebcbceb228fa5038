"""executable_examples.reference reads real tensors: storages counted once, Adam state, saved activations."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from executable_examples.memory import activation_memory_per_layer, training_memory  # noqa: E402
from executable_examples.reference import (  # noqa: E402
    saved_activation_bytes, tensor_bytes, training_state_bytes, transformer_layer)


def test_views_of_one_storage_count_once():
    t = torch.zeros(10, 4)
    assert tensor_bytes([t, t[:5], t.T]) == 160
    assert tensor_bytes([t, torch.zeros(3, dtype=torch.float16)]) == 166


def test_adam_state_matches_training_memory_and_step_counters_are_per_tensor():
    model = torch.nn.Linear(8, 4)
    opt = torch.optim.AdamW(model.parameters())
    model(torch.randn(2, 8)).sum().backward()
    opt.step()
    got = training_state_bytes(model, opt)
    est = training_memory(36, "adamw", "fp32")
    assert (got.weights, got.grads, got.optimizer_states) == (est.weights, est.grads, est.optimizer_states)
    assert got.step_counters == 2 * 4      # one float32 'step' per parameter tensor (weight, bias)


def test_full_recomputation_keeps_exactly_the_layer_input():
    s, b, h, a = 16, 2, 32, 4
    layer = transformer_layer(h, a).train()
    x = torch.randn(s, b, h, requires_grad=True)
    full, _ = saved_activation_bytes(lambda: layer(x, "full"), exclude=layer.parameters())
    none, out = saved_activation_bytes(lambda: layer(x, "none"), exclude=layer.parameters())
    assert full == x.numel() * 4 == activation_memory_per_layer(s, b, h, a, "full") * 2   # FP32: 4 bytes, formula 2
    assert none > 10 * full
    out.sum().backward()                   # what was saved is enough for backward
    assert x.grad is not None
