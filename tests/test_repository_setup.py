"""The repository as contributors and CI meet it: the CI entry point, the committed Obsidian vault settings.

The workflows themselves are tested in test_workflows.py (actionlint and the permission rules).
"""

from __future__ import annotations

import json

from helpers import ROOT


def test_ci_entry_point_runs_the_readme_test_command():
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("exec make test")
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_vault_opens_in_obsidian_without_setup():
    obsidian = ROOT / "docs" / ".obsidian"
    app = json.loads((obsidian / "app.json").read_text(encoding="utf-8"))
    assert app["newLinkFormat"] == "shortest" and app["useMarkdownLinks"] is False
    assert app["attachmentFolderPath"] == "attachments" and (ROOT / "docs" / "attachments").is_dir()
    assert app["strictLineBreaks"] is False  # single newlines are line breaks, as the site renders them
    templates = json.loads((obsidian / "templates.json").read_text(encoding="utf-8"))
    template = ROOT / "docs" / templates["folder"] / "note.md"
    text = template.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle:") and "tags:" in text and "aliases:" in text
    assert "> [!question]" in text and 'exec="cpu"' in text
    assert "templates" in json.loads((obsidian / "core-plugins.json").read_text(encoding="utf-8"))
