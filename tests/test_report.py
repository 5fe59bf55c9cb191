"""The markdown report: escaping of scraped text, links, sections, determinism."""

import datetime as dt
import re

import pytest

from pipelines.registry import sync_config
from pipelines.storage import open_db
from reports.markdown import escape_md, link, safe_url
from reports.weekly import render_report
from reports.weeks import default_week, parse_week
from rivalwatch.config import parse_config

HOSTILE = [
    ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ("# Not a heading", r"\# Not a heading"),
    ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
    ("![img](https://evil.example/x.png)", r"\!\[img\](https://evil.example/x.png)"),
    ("`rm -rf /`", r"\`rm -rf /\`"),
    ("a | b | c", r"a \| b \| c"),
    ("**bold** and _it_", r"\*\*bold\*\* and \_it\_"),
    ("line one\nline two\r\nthree", "line one line two three"),
    ("&lt;img src=x onerror=alert(1)&gt;", r"\&lt;img src=x onerror=alert(1)\&gt;"),
    ("v1.4.0 - fixes", "v1.4.0 - fixes"),
]


@pytest.mark.parametrize("raw,expected", HOSTILE)
def test_escape_md_renders_scraped_text_literally(raw, expected):
    assert escape_md(raw) == expected


def test_line_start_markers_are_escaped_when_asked():
    assert escape_md("1. first", line_start=True) == r"1\. first"
    assert escape_md("- item", line_start=True) == r"\- item"


def test_links_only_to_http_urls():
    assert link("t", "javascript:alert(1)") == "t"
    assert link("t", "data:text/html,x") == "t"
    assert link("t", "https://a.example/p (1)") == "[t](https://a.example/p%20%281%29)"
    assert safe_url("HTTPS://A.example/") == "HTTPS://A.example/"


def test_week_windows():
    week = parse_week("2026-W48")
    assert (week.start, week.end) == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert default_week(dt.date(2026, 11, 30)).name == "2026-W48"  # a Monday: last week
    assert default_week(dt.date(2026, 12, 2)).name == "2026-W49"
    with pytest.raises(ValueError, match="2026-W48"):
        parse_week("48/2026")


CONFIG = """
[project]
name = "Hostile test"
[[competitors]]
name = "Acme"
  [[competitors.sources]]
  kind = "feed"
  url = "https://acme.example/feed"
[[feeds]]
name = "News"
url = "https://news.example/rss"
"""


@pytest.fixture
def hostile_db(tmp_path):
    config = parse_config(CONFIG, tmp_path / "rivalwatch.toml")
    db = open_db(tmp_path / "rw.db")
    sync_config(db, config)
    titles = [raw for raw, _ in HOSTILE]
    for number, title in enumerate(titles):
        db["documents"].insert({
            "source_id": "acme-feed" if number % 2 else "news", "kind": "article",
            "competitor_id": "acme" if number % 2 else None, "dedupe_key": f"k{number}",
            "title": title, "text": "body",
            "url": "javascript:alert(1)" if number == 0 else f"https://acme.example/{number}",
            "published_at": f"2026-11-{23 + number % 7}T10:00:00Z",
        })
    return db, config


def test_report_escapes_every_hostile_title_and_links_only_http(hostile_db):
    db, config = hostile_db
    report = render_report(db, config, parse_week("2026-W48"))
    for raw, escaped in HOSTILE:
        assert escaped in report, raw
    assert not re.search(r"(?<!\\)\]\(javascript:", report)  # no unescaped link to it
    assert "<script>" not in report
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings == ["# Hostile test: 2026-W48", "## Headline", "## Competitors", "### Acme",
                        "## Industry", "### Rising terms", "### First mentions",
                        "### Share of voice in industry news", "### News",
                        "## Quiet competitors", "## Source health"]


def test_report_is_deterministic(hostile_db):
    db, config = hostile_db
    week = parse_week("2026-W48")
    assert render_report(db, config, week) == render_report(db, config, week)
