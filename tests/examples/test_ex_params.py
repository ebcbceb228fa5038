"""Closed-form parameter counts against published totals (no torch needed), and against
transformers' own model classes on the meta device when the torch tier is installed."""

from __future__ import annotations

import pytest

from executable_examples import model_configs as mc
from executable_examples.params import bert_params, deepseek_v3_params, llama_params


def test_published_totals():
    # Totals quoted by the model cards / papers (LLaMA-7B 6.74B, Llama-3-8B 8.03B, Mixtral 46.7B
    # total 12.9B active, DeepSeek-V3 671B total 37B active, BERT-base 110M).
    assert round(llama_params(mc.LLAMA_7B).total / 1e9, 2) == 6.74
    assert round(llama_params(mc.LLAMA_3_8B).total / 1e9, 2) == 8.03
    mixtral = llama_params(mc.MIXTRAL_8X7B)
    assert (round(mixtral.total / 1e9, 1), round(mixtral.active / 1e9, 1)) == (46.7, 12.9)
    v3 = deepseek_v3_params(mc.DEEPSEEK_V3)
    assert round(v3.total / 1e9) == 671 and 37e9 < v3.active < 38e9
    assert round(bert_params(mc.BERT_BASE) / 1e6) == 109


def test_dense_models_have_no_inactive_parameters_and_tying_removes_the_head():
    p = llama_params(mc.LLAMA_2_70B)
    assert p.total == p.active
    tied = llama_params({**mc.LLAMA_7B, "tie_word_embeddings": True})
    assert p.total > 0 and llama_params(mc.LLAMA_7B).total - tied.total == 32000 * 4096


@pytest.mark.parametrize("name", sorted(mc.DECODERS))
def test_equal_to_transformers_on_meta(name):
    pytest.importorskip("transformers")
    from executable_examples.reference import count_params, expert_split, meta_model

    cfg = mc.DECODERS[name]
    model = meta_model("MixtralForCausalLM" if "num_local_experts" in cfg else "LlamaForCausalLM", cfg)
    est = llama_params(cfg)
    routed, rest = expert_split(model)
    assert count_params(model) == est.total
    assert rest + routed * cfg.get("num_experts_per_tok", 1) // cfg.get("num_local_experts", 1) == est.active
