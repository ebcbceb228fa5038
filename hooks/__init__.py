"""Build code of llm-kb: MkDocs hooks plus the Python-Markdown extensions of the Obsidian layer.

Start reading at :mod:`hooks.pipeline` (what runs on each page, in order) and
:mod:`hooks.mkdocs_hooks` (what runs once per build).
"""
