"""The repository as contributors and CI meet it: workflows, the committed Obsidian vault settings."""

from __future__ import annotations

import json
import re

import yaml

from helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key 'on' as True
    return data


def test_pull_requests_run_with_read_only_token_and_no_secrets():
    ci = load("ci.yml")
    assert "pull_request" in ci["on"] and "pull_request_target" not in ci["on"]
    assert ci["permissions"] == {"contents": "read"}
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    assert not re.search(r"\$\{\{[^}]*\bsecrets\.", text)  # no expression reads a secret
    test_job = ci["jobs"]["test"]
    assert "permissions" not in test_job  # inherits the read-only default
    assert any(step.get("run", "").startswith("sudo --preserve-env=PATH make test") for step in test_job["steps"])
    deploy = ci["jobs"]["deploy"]
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


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
