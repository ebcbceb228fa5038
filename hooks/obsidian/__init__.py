"""The page-level Obsidian layer: one Python-Markdown extension per Obsidian feature.

Each module exposes a ``register(md, ...)`` function; :mod:`hooks.pipeline` calls them in order
with explicit priorities. Every processor here runs after fenced code has been stashed, so code is
never touched.
"""
