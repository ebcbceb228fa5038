"""Page history under each note: last-updated date and contributors from git, shallow clones, no git.

Each test builds a small vault with the site's real configuration in a scratch git repository whose
commits have fixed authors and dates, and reads the rendered page.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup

from helpers import build_vault, write_vault
from hooks.site import git_meta

NOTE = "---\ntitle: {title}\ntags: [测试]\n---\n\n{body}\n"



def isolated(tmp_path: Path) -> dict[str, str]:
    """Git never looks above the test's folder (a developer's TMPDIR could be inside a repository)."""
    return {"GIT_CEILING_DIRECTORIES": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, author: tuple[str, str] | None = None, date: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    if author:
        env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1],
                   GIT_COMMITTER_NAME=author[0], GIT_COMMITTER_EMAIL=author[1])
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


ANN = ("Ann Author", "ann@example.org")
BO = ("Bo Writer", "bo@example.org")


def make_repo(root: Path) -> Path:
    """A vault with four commits by two authors on fixed days; returns the repository folder."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_vault(repo, {"甲.md": NOTE.format(title="甲", body="第一版。见 [[乙]]。"),
                       "乙.md": NOTE.format(title="乙", body="见 [[甲]]。")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two notes", author=ANN, date="2024-01-10T09:00:00+00:00")
    write_vault(repo, {"甲.md": NOTE.format(title="甲", body="第二版，Bo 补充。见 [[乙]]。")})
    git(repo, "commit", "-q", "-am", "Bo edits 甲", author=BO, date="2024-02-20T09:00:00+00:00")
    write_vault(repo, {"丙.md": NOTE.format(title="丙", body="见 [[甲]]。")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "丙", author=BO, date="2024-03-05T09:00:00+00:00")
    write_vault(repo, {"甲.md": NOTE.format(title="甲", body="第三版。见 [[乙]] 与 [[丙]]。")})
    git(repo, "commit", "-q", "-am", "Ann edits 甲", author=ANN, date="2024-04-01T09:00:00+00:00")
    return repo


def page_facts(site: Path, slug: str) -> tuple[str | None, str | None, str | None]:
    """(datetime attribute, shown date, contributors) of a built page's source-file facts."""
    soup = BeautifulSoup((site / slug / "index.html").read_text(encoding="utf-8"), "html.parser")
    aside = soup.select_one("article aside.md-source-file")
    if aside is None:
        return None, None, None
    facts = aside.select(".md-source-file__fact")
    time = facts[0].find("time")
    shown = facts[0].get_text(" ", strip=True)
    names = facts[1].find("nav").get_text(strip=True) if len(facts) > 1 else None
    return (time["datetime"] if time else None), shown, names


def build(root: Path, docs: Path) -> subprocess.CompletedProcess:
    result = build_vault(root, docs=docs, env=isolated(root))
    assert result.returncode == 0, result.stderr
    return result


def test_pages_show_last_commit_date_and_every_contributor(tmp_path):
    repo = make_repo(tmp_path)
    build(tmp_path, repo / "docs")
    site = tmp_path / "site"
    # 甲: four edits by two authors, Ann twice and Bo once; last changed on April 1st.
    assert page_facts(site, "甲") == ("2024-04-01", "2024-04-01", "Ann Author, Bo Writer")
    assert page_facts(site, "乙") == ("2024-01-10", "2024-01-10", "Ann Author")
    assert page_facts(site, "丙") == ("2024-03-05", "2024-03-05", "Bo Writer")
    html = (site / "甲" / "index.html").read_text(encoding="utf-8")
    assert "ann@example.org" not in html and "bo@example.org" not in html  # names, never addresses
    assert 'title="最后更新"' in html and 'title="贡献者"' in html  # Material's own translated titles


def test_uncommitted_note_builds_and_says_so(tmp_path):
    repo = make_repo(tmp_path)
    write_vault(repo, {"丁.md": NOTE.format(title="丁", body="尚未提交。见 [[甲]]。")})
    build(tmp_path, repo / "docs")
    assert page_facts(tmp_path / "site", "丁") == (None, "未提交", None)
    assert page_facts(tmp_path / "site", "甲")[1] == "2024-04-01"


def test_shallow_clone_dates_old_notes_as_upper_bounds(tmp_path):
    repo = make_repo(tmp_path)
    clone = tmp_path / "clone"
    # Two commits deep: the boundary is "丙" (March 5th); only 甲 changed after it.
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    result = build(tmp_path, clone / "docs")
    site = tmp_path / "site"
    # 甲's last change is inside the fetched history: exact date, but its older authors are cut off.
    assert page_facts(site, "甲") == ("2024-04-01", "2024-04-01", "Ann Author 等")
    # 乙 last changed in January, long before the boundary: the page claims only "no later than".
    assert page_facts(site, "乙") == ("2024-03-05", "不晚于 2024-03-05", None)
    # 丙 was created in the boundary commit itself, which git cannot tell apart from older files.
    assert page_facts(site, "丙") == ("2024-03-05", "不晚于 2024-03-05", None)
    info = [line for line in result.stderr.splitlines() if "shallow clone" in line]
    assert len(info) == 1 and "2 of 3 files" in info[0]


def test_vault_outside_git_builds_without_dates(tmp_path):
    docs = write_vault(tmp_path, {"甲.md": NOTE.format(title="甲", body="没有仓库。")})
    result = build(tmp_path, docs)
    assert page_facts(tmp_path / "site", "甲") == (None, None, None)
    assert "not in a git work tree" in result.stderr


def test_one_git_log_for_the_whole_tree(tmp_path, monkeypatch):
    """The history of every note comes from a single git log, however many notes there are."""
    repo = make_repo(tmp_path)
    calls: list[list[str]] = []
    real = git_meta._git

    def counting(args: list[str], cwd: Path):
        calls.append(args)
        return real(args, cwd)

    monkeypatch.setattr(git_meta, "_git", counting)
    for key, value in isolated(tmp_path).items():
        monkeypatch.setenv(key, value)
    history = git_meta.read_history(repo / "docs")
    assert [args[0] for args in calls] == ["rev-parse", "log"]
    assert {path: history.for_page(path).updated.isoformat() for path in ("甲.md", "乙.md", "丙.md")} == {
        "甲.md": "2024-04-01", "乙.md": "2024-01-10", "丙.md": "2024-03-05"}
    assert history.for_page("丁.md") == git_meta.PageHistory(committed=False)


def test_contributor_names_are_escaped(tmp_path):
    # Git itself drops '<' and '>' from names; '&' and inner quotes get through and must be escaped.
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_vault(repo, {"甲.md": NOTE.format(title="甲", body="正文。")})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "x", author=('Tom "T" & Jerry', "x@example.org"),
        date="2024-05-01T09:00:00+00:00")
    build(tmp_path, repo / "docs")
    html = (tmp_path / "site" / "甲" / "index.html").read_text(encoding="utf-8")
    assert 'Tom "T" & Jerry' not in html and "Tom &#34;T&#34; &amp; Jerry" in html
    assert page_facts(tmp_path / "site", "甲")[2] == 'Tom "T" & Jerry'
