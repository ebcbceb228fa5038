"""A code fence may interrupt a paragraph, as in CommonMark and Obsidian.

superfences only recognises a fence after a blank line, so a note that writes a sentence and then
```` ``` ```` on the next line would show its code as a paragraph. This preprocessor runs just
before superfences and adds the blank line (inside a blockquote or callout: a bare ``>`` line).
Lines inside fences are never changed.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.preprocessors import Preprocessor

FENCE = re.compile(r"^(?P<prefix>(?:[ ]{0,3}>[ ]?)*)(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def separate_fences(lines: list[str]) -> list[str]:
    out: list[str] = []
    open_fence: str | None = None
    for line in lines:
        m = FENCE.match(line)
        if open_fence is None:
            if m and not ("`" in m.group("info") and m.group("fence")[0] == "`"):
                prev = out[-1] if out else ""
                prefix = m.group("prefix")
                if prev.strip() and prev.strip() != prefix.strip():
                    out.append(prefix.rstrip())
                open_fence = m.group("fence")
        elif m and m.group("fence")[0] == open_fence[0] and len(m.group("fence")) >= len(open_fence) \
                and not m.group("info").strip():
            open_fence = None
        out.append(line)
    return out


class FenceSeparator(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return separate_fences(lines)


def register(md: Markdown, priority: float) -> None:
    md.preprocessors.register(FenceSeparator(md), "obsidian-fence-separator", priority)
