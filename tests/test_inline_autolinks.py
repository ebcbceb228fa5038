"""hooks/obsidian/autolinks.py: <scheme:…> and <address> autolinks by the spec's grammar."""

from __future__ import annotations

from bs4 import BeautifulSoup

from helpers import render


def links(text: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(render(text)[0], "html.parser")
    return [(a["href"], a.get_text()) for a in soup.find_all("a")]


def test_any_scheme_and_mail_addresses():
    assert links("<https://例子.cn/路径> <irc://x.org/a> <MAILTO:A@B.CN> <作者@x.cn> <ab@c.org>\n") == [
        ("https://xn--fsqu00a.cn/%E8%B7%AF%E5%BE%84", "https://例子.cn/路径"),
        ("irc://x.org/a", "irc://x.org/a"),
        ("MAILTO:A@B.CN", "MAILTO:A@B.CN"),
        ("mailto:ab@c.org", "ab@c.org"),
    ]


def test_backslashes_inside_are_kept_and_spaces_end_it():
    assert links("<https://x.org/a\\_b> <https://x.org/a b>\n") == [("https://x.org/a%5C_b", "https://x.org/a\\_b")]
    assert "&lt;https://x.org/a b&gt;" in render("<https://x.org/a b>\n")[0]


def test_an_escaped_angle_bracket_is_no_autolink():
    assert links("\\<https://x.org>\n") == []


def test_script_url_is_removed_by_the_html_policy_and_reported():
    out, build = render("<javascript:alert(1)>\n")
    assert BeautifulSoup(out, "html.parser").find("a") is None
    assert any("javascript" in p.message for p in build.problems)
