"""Numbers typed by hand where a block of the note computes them: the ``make check`` warning.

A note that computes its numbers (an exec block) should show them through bindings
(`` `=name|16 GB` ``), so a changed formula or a typo fails the build instead of leaving a stale
figure. This check lists the candidates that are still plain text: numbers with a unit (GB, GiB,
bit, %, 倍, FLOPs, GB/s …) or in scientific notation, in the prose of a section that has an exec
block or a display formula.

Kept quiet on purpose (a warning nobody reads is worse than none), so a number is *not* listed:
- inside code spans (bindings included), math, links, headings or fenced code;
- when the note's code uses it as an input: a literal of an exec block (outside ``assert``), e.g.
  "H200 有 141 GB" next to ``capacity_gb = 141``;
- when its line names a source (论文、报告、规格、官方、paper, spec …): a quoted input stays as written;
- in the deliberately wrong half of a "常见错误 … 正确 …" line;
- a byte or bit width up to 16 (FP16 = 2 字节, INT4 = 4 bit): a definition, not a result;
- a model size written as a name ("70B", "7B": no space before the B);
- a round percentage (a multiple of 5: "15% 的 token", "95% 置信"): almost always a chosen input;
- a number in quotation marks or after 不是/而非: a claim the note quotes or refutes;
- a device capacity next to 卡 ("单卡 80 GB") or a library default (默认): quoted inputs.

    python -m hooks.checks_numbers docs      # every candidate and a summary by note
"""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import Path

from hooks.examples.blocks import collect
from hooks.obsidian.textscan import code_span_ranges
from hooks.problems import Problem
from hooks.vault import VaultIndex

UNITS = (r"GiB|GB|MiB|MB|KiB|KB|TiB|TB|PB|Gb/s|GB/s|TB/s|Tb/s|Gbps|bits?|bit/参数|字节|(?<=\s)B(?![A-Za-z])|%|倍|"
         r"P?T?FLOPs?|TFLOPS|PFLOPS|tokens?/s|ms|µs")
NUMBER = re.compile(r"(?<![A-Za-z0-9_.$^/-])(?P<num>\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*(?P<unit>" + UNITS + r")"
                    r"|(?P<sci>(?<=\d)[eE][-+]?\d+))(?![\w/])")
SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")
SOURCE = re.compile(r"论文|报告|规格|官方|公开|宣称|宣传|白皮书|手册|默认|paper|spec|datasheet|Table|据.{0,12}(?:称|说|报道)", re.I)
CARD = re.compile(r"卡|机器")  # "单卡 80 GB", "24 GB 消费卡", "8×80 GB 机器": capacities from spec sheets
HEADING = re.compile(r"^#{1,6}\s")
MASK = re.compile(r"[“\"「][^”\"」\n]*[”\"」]|(?:不是|而非)\s*\S+|\$\$.*?\$\$|\$[^$\n]+\$|!?\[\[[^\]]*\]\]|\[[^\]]*\]\([^)]*\)|https?://\S+|<[^>]+>|==(?==)")
WIDTH_UNITS = {"B", "字节", "bit", "bits"}


def code_inputs(codes: list[str]) -> set[float]:
    """Numeric literals of the note's exec blocks outside ``assert`` statements: the note's inputs."""
    values: set[float] = set()
    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        asserted = {id(n) for a in ast.walk(tree) if isinstance(a, ast.Assert) for n in ast.walk(a)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float) and id(node) not in asserted:
                values.add(float(node.value))
    return values


def _value(token: str) -> float | None:
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _is_input(value: float, inputs: set[float]) -> bool:
    # 7B in prose is 7e9 in code, 141 GB may be 141e9, 0.4% may be 0.004: compare at the usual scales too.
    return any(math.isclose(value * scale, x, rel_tol=1e-9) for scale in (1, 1e3, 1e6, 1e9, 1e12, 1e-2) for x in inputs)


def candidates(text: str, codes: list[str] | None = None) -> list[tuple[int, str]]:
    """(line, text) of every unbound formula-derived-looking number in a note's text."""
    codes = codes if codes is not None else [b.code for b in collect("", text)]
    inputs = code_inputs(codes)
    lines = text.split("\n")
    # Sections (any heading level) that hold an exec block or a display formula.
    section_of, live, current, fence = [], set(), 0, None
    for i, line in enumerate(lines):
        stripped = line.lstrip("> \t")
        if fence is None and HEADING.match(line):
            current = i
            if "误区" in line:  # the answers to common mistakes restate the note's computed numbers
                live.add(current)
        if stripped.startswith(("```", "~~~")):
            if fence is None:
                fence = stripped[:3]
                if "exec=" in stripped:
                    live.add(current)
            elif stripped.startswith(fence):
                fence = None
        if fence is None and "$$" in stripped:
            live.add(current)
        section_of.append((current, fence is not None or stripped.startswith(("```", "~~~"))))
    found: list[tuple[int, str]] = []
    spans = code_span_ranges(text)
    offset = 0
    for i, line in enumerate(lines):
        section, in_code = section_of[i]
        start = offset
        offset += len(line) + 1
        if in_code or section not in live or HEADING.match(line) or SOURCE.search(line) or not line.strip():
            continue
        masked = list(line)
        for a, b in spans:  # code spans (bindings) of this line
            for k in range(max(a, start), min(b, start + len(line))):
                masked[k - start] = " "
        prose = MASK.sub(lambda m: " " * len(m.group(0)), "".join(masked))
        wrong = prose.find("常见错误")
        if wrong >= 0:  # the wrong half of "常见错误：… 正确：…" is typed wrong on purpose
            right = prose.find("正确", wrong)
            cut = right if right >= 0 else len(prose)
            prose = prose[:wrong] + " " * (cut - wrong) + prose[cut:]
        for m in NUMBER.finditer(prose):
            value = _value(m.group("num"))
            unit = m.group("unit") or ""
            if value is None or _is_input(value, inputs):
                continue
            if unit in WIDTH_UNITS and value <= 16 and value == int(value):
                continue
            if unit == "%" and value == int(value) and value % 5 == 0:
                continue
            if CARD.search(prose, max(0, m.start() - 3), m.end() + 4):
                continue
            found.append((i + 1, line[m.start():m.end()].strip()))
    return found


def check(vault: VaultIndex) -> list[Problem]:
    """The ``make check`` warnings: one per unbound candidate in a published note that computes."""
    problems = []
    for path, note in vault.notes.items():
        if not note.published or "exec=" not in note.text:
            continue
        for line, token in candidates(note.text):
            problems.append(Problem(path, line, f"'{token}' looks computed but is typed by hand",
                                    f"bind it: `=name|{token}` with name computed by a block of the note "
                                    "(a number quoted from a paper or spec sheet: name the source on its line)",
                                    "warning"))
    return problems


def main(argv: list[str]) -> int:
    from hooks.lint import load

    docs = Path(argv[0] if argv else "docs")
    problems = check(load(docs))
    by_note: dict[str, int] = {}
    for p in problems:
        print(p.format(prefix=str(docs).rstrip("/") + "/"))
        by_note[p.path] = by_note.get(p.path, 0) + 1
    notes = [note for note in load(docs).notes.values() if note.published and "exec=" in note.text]
    print(f"{len(problems)} unbound candidates in {len(by_note)} of {len(notes)} notes with exec blocks")
    for path, n in sorted(by_note.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {n:3d}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
