"""Finding executable blocks in a note, with their line numbers and options."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

# Possessive quote prefix ('*+'), as in hooks.obsidian.fences.FENCE: a plain '*' backtracks
# exponentially on a deeply nested quote line that is not a fence.
FENCE_OPEN = re.compile(r"^(?P<quote>(?:[ ]{0,3}>[ ]?)*+)(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
# cpu: NumPy and the standard library, every build. torch: reference checks against PyTorch /
# transformers / peft on the CPU, run where the optional torch tier is installed, shown from the
# committed record elsewhere. gpu: CUDA, with a CPU path (Triton interpreter or torch at a small size).
RUNNERS = ("cpu", "gpu", "torch")
OPTION_KEYS = {"exec", "id", "session", "timeout", "memory", "output"}


@dataclass
class Block:
    """One executable block of a note."""

    page: str  # vault-relative note path
    line: int  # 1-based line of the opening fence in the note
    code: str
    options: dict[str, str] = field(default_factory=dict)
    index: int = 0  # position among the page's executable blocks

    @property
    def runner(self) -> str:
        return self.options.get("exec", "")

    @property
    def session(self) -> str | None:
        return self.options.get("session")

    @property
    def block_id(self) -> str:
        return self.options.get("id") or f"block-{self.index + 1}"

    @property
    def timeout(self) -> float:
        return float(self.options.get("timeout", 60))

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    """Split a fence's info string, e.g. 'python exec="cpu" id="kv"', into (language, options)."""
    try:
        parts = shlex.split(info)
    except ValueError:
        parts = info.split()
    if not parts:
        return "", {}
    lang, options = parts[0].lstrip("{.").rstrip("}"), {}
    for part in parts[1:]:
        if "=" in part:
            k, v = part.split("=", 1)
            options[k.strip()] = v.strip().strip("}")
    return lang.lower(), options


def collect(page: str, text: str) -> list[Block]:
    """Every fenced block with an ``exec`` option, in order. Works inside callouts (``>`` prefixes)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence, quote = m.group("fence"), m.group("quote")
        lang, options = parse_info(m.group("info"))
        body, j = [], i + 1
        strip = re.compile(r"^(?:[ ]{0,3}>[ ]?){%d}" % quote.count(">"))
        while j < len(lines):
            line = strip.sub("", lines[j], count=1)
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                break
            body.append(line[len(m.group("indent")):] if line.startswith(m.group("indent")) else line)
            j += 1
        if "exec" in options and lang in ("python", "py", "python3"):
            blocks.append(Block(page, i + 1, "\n".join(body), options, len(blocks)))
        i = j + 1
    return blocks
