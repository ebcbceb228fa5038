"""可执行示例：笔记中的数字由这里经过测试的函数计算。

Executable examples for the llm-kb notes. The executable blocks of the notes import these
functions, so every number shown on the site is computed by code that ``tests/examples``
checks against independently computed values.

NumPy is the only hard dependency. ``torch`` and ``triton`` are optional: the modules that use
them import them lazily (inside functions) or behind an ``ImportError`` guard, so importing any
module of this package works on a machine that has only NumPy.

Modules:
    softmax: naive / stable / log / online / blocked softmax in NumPy, plus a torch version.
    softmax_triton: a row-wise Triton softmax kernel that also runs under ``TRITON_INTERPRET=1``.
    attention: parameter and FLOP counts of single-head vs multi-head attention.
    memory: bytes per dtype, training memory, ZeRO, activations, KV cache, inference memory.
    lora: LoRA parameter counts, delta/merge/unmerge, QLoRA quantisation overhead and memory.
    scaling: 6ND training FLOPs, Chinchilla-optimal tokens, FFN parameter counts.
    fp: floating-point format limits derived from exponent/mantissa bits.
"""

from __future__ import annotations

__all__ = ["attention", "fp", "lora", "memory", "scaling", "softmax", "softmax_triton"]
