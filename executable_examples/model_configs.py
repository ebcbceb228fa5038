"""公开的模型超参数 / Published hyper-parameters of the models the notes count, written here once.

Each config uses the key names of the model's ``config.json`` in Hugging Face ``transformers``, so
the same dict feeds the closed-form counts of :mod:`executable_examples.params` and, in the torch
tier, ``transformers``' own model classes instantiated on the ``meta`` device (no download, no
memory): the two counts are compared in the notes. Only the keys that change a parameter count or
a cache size are written; everything else keeps the library's default.

Sources: the LLaMA paper (Touvron et al. 2023, Table 2) and the released Llama-2 / Llama-3
``config.json``; Mixtral of Experts (Jiang et al. 2024, Table 1); DeepSeek-V3 technical report
(§4.2) and its ``config.json``; BERT (Devlin et al. 2019, BERT-base).
"""

from __future__ import annotations

LLAMA_7B = dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                num_attention_heads=32, num_key_value_heads=32, tie_word_embeddings=False)
LLAMA_13B = dict(vocab_size=32000, hidden_size=5120, intermediate_size=13824, num_hidden_layers=40,
                 num_attention_heads=40, num_key_value_heads=40, tie_word_embeddings=False)
LLAMA_2_70B = dict(vocab_size=32000, hidden_size=8192, intermediate_size=28672, num_hidden_layers=80,
                   num_attention_heads=64, num_key_value_heads=8, tie_word_embeddings=False)
LLAMA_3_8B = dict(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False)
MIXTRAL_8X7B = dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=8, num_local_experts=8,
                    num_experts_per_tok=2, tie_word_embeddings=False)
DEEPSEEK_V3 = dict(vocab_size=129280, hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048,
                   num_hidden_layers=61, first_k_dense_replace=3, num_attention_heads=128,
                   num_key_value_heads=128, q_lora_rank=1536, kv_lora_rank=512, qk_nope_head_dim=128,
                   qk_rope_head_dim=64, v_head_dim=128, n_routed_experts=256, n_shared_experts=1,
                   num_experts_per_tok=8, n_group=8, topk_group=4, tie_word_embeddings=False)
BERT_BASE = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2)

DECODERS = {"LLaMA-7B": LLAMA_7B, "LLaMA-13B": LLAMA_13B, "LLaMA-2-70B": LLAMA_2_70B,
            "Llama-3-8B": LLAMA_3_8B, "Mixtral-8x7B": MIXTRAL_8X7B}
