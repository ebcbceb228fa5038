"""Synthetic Obsidian vaults for benchmarks: N notes of mixed Chinese and English text with
wikilinks, tags, callouts, math, an embed and a (cacheable) executable block per note.

    python benchmarks/generate_vault.py OUT_DIR N [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS_ZH = ["注意力", "显存", "梯度", "量化", "推理", "训练", "缩放定律", "分布式", "检索", "解码", "并行", "缓存"]
WORDS_EN = ["KV Cache", "LoRA", "attention", "softmax", "ZeRO", "GQA", "FlashAttention", "RoPE", "AdamW", "MoE"]
SECTIONS = ["foundations", "architecture", "training", "inference", "rag", "systems"]


def note(i: int, n: int, rng: random.Random, with_example: bool = True) -> str:
    links = " ".join(f"[[note-{rng.randrange(n)}]]" for _ in range(5))
    embed = f"![[note-{rng.randrange(n)}#第一节]]" if n > 1 else ""
    para = "".join(rng.choice(WORDS_ZH) + rng.choice(["，", "、", "的"]) + rng.choice(WORDS_EN) + " " for _ in range(40))
    example = (f'```python exec="cpu" id="ex"\nvalue = {i} * 2\nprint(value)\n```\n\n结果是 `=value|{i * 2}`。\n'
               if with_example else "")
    return f"""---
title: 笔记 {i}：{rng.choice(WORDS_ZH)}与{rng.choice(WORDS_EN)}
tags: [{SECTIONS[i % len(SECTIONS)]}, topic-{i % 17}]
aliases: [Note {i}]
---

> [!question] 问题 {i}：{rng.choice(WORDS_EN)} 为什么重要？
> 先给直觉，再给公式 $O(n^2 d)$。

## 第一节

{para}#标签-{i % 23}

$$
\\mathrm{{softmax}}(x_i) = \\frac{{e^{{x_i}}}}{{\\sum_j e^{{x_j}}}}
$$

- 要点一 ==高亮== 与 **粗体**
  - 嵌套要点 %%注释%%

## 第二节

相关：{links}

{embed}

{example}"""


def generate(root: Path, n: int, seed: int = 0, with_example: bool = True) -> Path:
    rng = random.Random(seed)
    docs = root / "docs"
    for i in range(n):
        folder = docs / SECTIONS[i % len(SECTIONS)]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{i}.md").write_text(note(i, n, rng, with_example), encoding="utf-8")
    (docs / "index.md").write_text("---\ntitle: 基准\n---\n\n[[note-0]]\n", encoding="utf-8")
    return docs


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(generate(args.out, args.n, args.seed))
