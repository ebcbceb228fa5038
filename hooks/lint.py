"""The note linter behind ``make check``: ``file:line: message — what to do``, errors and warnings.

It reads the vault with the same index the build uses (:mod:`hooks.vault`), so a name resolves
here exactly as it does on the site. Exit status 1 when there are errors, 0 with warnings only.

    python -m hooks.lint docs
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from hooks import checks_numbers, checks_tags, html_policy
from hooks.drill.checks import check as check_questions
from hooks.examples.blocks import FENCE_OPEN, RUNNERS, parse_info
from hooks.obsidian.callouts import HEADER as CALLOUT_HEADER
from hooks.obsidian.callouts import TYPES as CALLOUT_TYPES
from hooks.obsidian.textscan import code_span_ranges
from hooks.obsidian.wikilinks import WIKILINK
from hooks.problems import Problem
from hooks.vault import NOTE_SUFFIX, VaultIndex, hidden_reason

WIKILINK_RE = re.compile(WIKILINK)
MD_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src><[^>]+>|[^)\s]+)")
IGNORED_DIRS = {".obsidian", "templates", ".trash"}


def load(docs: Path) -> VaultIndex:
    vault = VaultIndex()
    for f in sorted(docs.rglob("*")):
        rel = f.relative_to(docs).as_posix()
        if not f.is_file():
            continue
        if IGNORED_DIRS & set(rel.split("/")[:-1]) or hidden_reason(rel):
            if rel.endswith(NOTE_SUFFIX):
                vault.add_hidden(rel)  # as in the build: a dot name is a warning, Obsidian's folders are not
            continue
        if rel.endswith(NOTE_SUFFIX):
            vault.add_note(rel, f.read_bytes())
        else:
            vault.add_attachment(rel)
    return vault


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of lines outside fenced code, with inline code blanked out."""
    out, fence = [], None
    for i, line in enumerate(text.split("\n"), 1):
        m = FENCE_OPEN.match(line)
        if fence is None and m:
            fence = m.group("fence")
            continue
        if fence is not None:
            if line.strip().lstrip("> ").startswith(fence) and not line.strip().lstrip("> ").strip(fence[0]):
                fence = None
            continue
        for start, end in reversed(code_span_ranges(line)):
            line = line[:start] + " " * (end - start) + line[end:]
        out.append((i, line))
    return out


def lint(vault: VaultIndex, docs: Path | None = None) -> list[Problem]:
    problems = list(vault.problems) + checks_tags.check(vault, docs) + check_questions(vault)
    problems += html_policy.lint(vault)  # raw HTML: no scripts, handlers, srcdoc…
    incoming: dict[str, int] = defaultdict(int)
    titles: dict[str, list[str]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    for path, note in vault.notes.items():
        if not note.published:
            continue
        front = note.front
        if not front.problems:
            if not front.title:
                problems.append(Problem(path, 1, "front matter has no 'title'", "add 'title: 中文标题'"))
            if not front.tags:
                problems.append(Problem(path, 1, "front matter has no 'tags'", "add 'tags: [分区, 主题]'"))
        if front.title:
            titles[front.title.lower()].append(path)
        for alias in front.aliases:
            aliases[alias.lower()].append(path)
        # Fenced code: executable blocks need a runner this build knows.
        for i, line in enumerate(note.text.split("\n"), 1):
            m = FENCE_OPEN.match(line)
            if m:
                lang, options = parse_info(m.group("info"))
                if "exec" in options and options["exec"] not in RUNNERS:
                    problems.append(Problem(path, i, f"exec=\"{options['exec']}\" is not a runner",
                                            "write " + " or ".join(f'exec="{r}"' for r in RUNNERS)))
                elif lang in ("python", "py") and any(k in options for k in ("session", "timeout")) and "exec" not in options:
                    problems.append(Problem(path, i, "block has example options but no exec runner",
                                            'add exec="cpu" (or exec="gpu")'))
        for lineno, line in prose_lines(note.text):
            for m in WIKILINK_RE.finditer(line):
                target = m.group("target").strip()
                if not target:
                    continue
                found = vault.resolve(target, path)
                if found.path is None:
                    close = vault.closest_names(target)
                    problems.append(Problem(path, lineno, f"broken {'embed' if m.group('embed') else 'link'} {m.group(0)}",
                                            f"did you mean {', '.join(close)}?" if close else "create the note or fix the name"))
                    continue
                if found.candidates:
                    problems.append(Problem(path, lineno, f"ambiguous link {m.group(0)}: {' and '.join(found.candidates)}",
                                            "write the folder too, e.g. [[folder/name]]", "warning"))
                incoming[found.path] += found.path != path
            for m in MD_IMAGE.finditer(line):
                src = m.group("src").strip("<>")
                if "://" in src:
                    continue
                if vault.resolve(src.split("#")[0], path).path is None:
                    problems.append(Problem(path, lineno, f"image '{src}' is not in the vault", "add the file to docs/attachments/"))
            callout = CALLOUT_HEADER.match(line)
            if callout and callout.group("type").lower() not in CALLOUT_TYPES:
                problems.append(Problem(path, lineno, f"unknown callout type [!{callout.group('type')}] (shown as note)",
                                        f"use one of {', '.join(sorted(set(CALLOUT_TYPES.values())))}", "warning"))
    for name, paths in {**{f"title '{k}'": v for k, v in titles.items()}, **{f"alias '{k}'": v for k, v in aliases.items()}}.items():
        if len(set(paths)) > 1:
            for p in sorted(set(paths)):
                others = ", ".join(x for x in sorted(set(paths)) if x != p)
                problems.append(Problem(p, 1, f"duplicate {name} (also in {others})", "make it unique", "warning"))
    for path, note in vault.notes.items():
        if note.published and not incoming[path] and path.rsplit("/", 1)[-1] != "index.md":
            problems.append(Problem(path, 0, "orphan note: no other note links to it",
                                    "link it from its section's index.md", "warning"))
    problems += checks_numbers.check(vault)  # numbers typed by hand where a block computes them
    return sorted(problems, key=lambda p: (p.path, p.line, p.message))


def main(argv: list[str]) -> int:
    docs = Path(argv[0] if argv else "docs")
    problems = lint(load(docs), docs)
    for p in problems:
        print(f"{p.format(prefix=str(docs).rstrip('/') + '/')}" + (" [warning]" if p.level == "warning" else ""))
    errors = sum(p.level == "error" for p in problems)
    print(f"{len(problems) - errors} warnings, {errors} errors in {docs}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
