"""Obsidian highlights ``==text==``, also right next to Chinese characters and around bold or math.

pymdownx.mark misses ``==**粗体**==和`` (a closing ``==`` followed by a CJK character), so the
layer has its own processor; it runs before the emphasis processors, and the highlighted text is
processed further (bold, math and links work inside).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor

# Whitespace before the closing '==' is allowed (Obsidian highlights "==一句话。  =="), not after the opening.
HIGHLIGHT = r"(?<!=)==(?![\s=])(?P<text>[^\n]+?)\s*(?<!=)==(?!=)"


class HighlightProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match, data: str):
        el = etree.Element("mark")
        el.text = m.group("text")
        return el, m.start(0), m.end(0)


def register(md: Markdown, priority: float) -> None:
    md.inlinePatterns.register(HighlightProcessor(HIGHLIGHT, md), "obsidian-highlight", priority)
