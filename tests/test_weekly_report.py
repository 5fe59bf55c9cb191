"""The weekly report over a fixture database: a golden file, every section, charts, HTML."""

import datetime as dt
import json
from pathlib import Path

import pytest

from pipelines.registry import sync_config
from pipelines.storage import open_db
from pipelines.trending import compute_trends
from reports.weekly import render_report, write_report
from reports.weeks import parse_week
from rivalwatch.config import parse_config

GOLDEN = Path(__file__).parent / "fixtures" / "reports" / "weekly.golden.md"
CONFIG = """
[project]
name = "Golden watch"
datasette_url = "http://127.0.0.1:8001"
[[competitors]]
name = "Acme"
  [[competitors.sources]]
  kind = "changelog"
  url = "https://acme.example/changelog"
  [[competitors.sources]]
  kind = "page"
  url = "https://acme.example/pricing"
  label = "pricing"
[[competitors]]
name = "Sleepy Co"
  [[competitors.sources]]
  kind = "feed"
  url = "https://sleepy.example/feed"
[[feeds]]
name = "Industry News"
url = "https://news.example/rss"
"""
WEEK = parse_week("2026-W48")


def day(week_offset: int, weekday: int = 2) -> str:
    return (WEEK.start + dt.timedelta(weeks=week_offset, days=weekday)).isoformat()


@pytest.fixture
def fixture_db(tmp_path):
    config = parse_config(CONFIG, tmp_path / "rivalwatch.toml")
    db = open_db(tmp_path / "rivalwatch.db")
    sync_config(db, config)
    _documents(db)
    _signals(db)
    _tags(db)
    compute_trends(db, full=True)
    db.execute("UPDATE sources SET last_success_at = ?, consecutive_failures = 0",
               [day(0, 6) + "T06:00:00Z"])
    db.execute("UPDATE sources SET consecutive_failures = 2, last_error = 'HTTP 503 Service "
               "Unavailable', last_success_at = NULL WHERE id = 'sleepy-co-feed'")
    return db, config


def _doc(db, source, competitor, kind, title, when, text=""):
    n = db["documents"].count + 1
    return db["documents"].insert({
        "source_id": source, "competitor_id": competitor, "kind": kind, "title": title,
        "text": text or title, "dedupe_key": f"k{n}", "content_hash": f"h{n}",
        "url": f"https://example.test/{n}", "published_at": when + "T10:00:00Z",
        "fetched_at": when + "T11:00:00Z"}).last_pk


def _documents(db):
    for week in range(-8, 1):
        for n in range(5 if week < 0 else 1):
            _doc(db, "industry-news", None, "article", f"Market roundup {week}.{n}", day(week, n))
    for title, version, breaking in [("Acme 2.0", "2.0.0", 1), ("Acme 2.0.1", "2.0.1", 0)]:
        doc_id = _doc(db, "acme-changelog", "acme", "release", title, day(0))
        db["releases"].insert({"document_id": doc_id, "competitor_id": "acme", "version": version,
                               "released_on": day(0), "title": title, "breaking": breaking,
                               "items": "[]", "item_counts": json.dumps({"added": 2, "fixed": 1})})
    _doc(db, "sleepy-co-feed", "sleepy-co", "article", "Sleepy Co says hello", day(-7))


def _signals(db):
    db["page_changes"].insert({
        "source_id": "acme-pricing", "competitor_id": "acme", "detected_at": day(0, 3) + "T06:00Z",
        "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-Pro $12 per seat/month\n+Pro $14 per seat/month",
        "added": "Pro $14 per seat/month", "removed": "Pro $12 per seat/month",
        "significance": 0.82})
    db["price_changes"].insert({
        "source_id": "acme-pricing", "competitor_id": "acme", "detected_at": day(0, 3) + "T06:00Z",
        "plan": "Pro", "change": "changed", "summary": "Pro: $12 → $14 per seat/month"})


def _tags(db):
    db["entities"].insert_all([
        {"id": "competitor:acme", "label": "ORG", "name": "Acme", "competitor_id": "acme"},
        {"id": "topic:ai-agents", "label": "TOPIC", "name": "AI agents"},
        {"id": "org:zephyr-labs", "label": "ORG", "name": "Zephyr Labs"}])
    for week in range(-8, 1):
        count = 10 if week == 0 else 1
        for n in range(count):
            doc_id = _doc(db, "industry-news", None, "article", f"Agents story {week}.{n}",
                          day(week, n % 5), "Acme and AI agents")
            db["mentions"].insert_all([
                {"document_id": doc_id, "entity_id": "topic:ai-agents", "count": 1},
                {"document_id": doc_id, "entity_id": "competitor:acme", "count": 1}])
    zephyr = _doc(db, "industry-news", None, "article", "Zephyr Labs raises $20M", day(0),
                  "Zephyr Labs raised $20 million.")
    db["mentions"].insert({"document_id": zephyr, "entity_id": "org:zephyr-labs", "count": 1})
    db["events"].insert({"document_id": zephyr, "type": "funding", "source": "nlp",
                         "evidence": "Zephyr Labs raised $20 million."})
    db.execute("UPDATE documents SET tagged_at = fetched_at, tagged_hash = content_hash")


def test_report_matches_its_golden_file(fixture_db, update_golden):
    db, config = fixture_db
    report = render_report(db, config, WEEK, charts={"share_of_voice": "sov.png"})
    if update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(report, encoding="utf-8")
    assert report == GOLDEN.read_text(encoding="utf-8")


def test_report_has_every_section_and_the_planted_signals(fixture_db):
    db, config = fixture_db
    report = render_report(db, config, WEEK)
    for heading in ("## Headline", "## Competitors", "### Acme", "### Sleepy Co", "## Industry",
                    "### Rising terms", "### First mentions", "### Share of voice",
                    "## Quiet competitors", "## Source health"):
        assert heading in report, heading
    headline = report.split("## Headline")[1].split("## Competitors")[0]
    assert "Pro: \\$12 → \\$14 per seat/month" in headline
    assert "**Acme** shipped 2 releases, 1 with breaking changes" in headline
    assert "| AI agents | 10 |" in report
    assert "Zephyr Labs (ORG)" in report
    assert "- Sleepy Co: nothing new since" in report
    assert "| [sleepy-co-feed](https://sleepy.example/feed) | failing | HTTP 503" in report
    assert "http://127.0.0.1:8001/rivalwatch/documents/" in report


def test_write_report_draws_charts_and_is_deterministic(fixture_db, tmp_path):
    db, config = fixture_db
    first = write_report(db, config, WEEK, tmp_path / "a" / "2026-W48.md")
    again = write_report(db, config, WEEK, tmp_path / "b" / "2026-W48.md")
    for name in ("2026-W48.md", "2026-W48-share-of-voice.png", "2026-W48-releases.png"):
        assert (first.parent / name).read_bytes() == (again.parent / name).read_bytes(), name
    assert "![Share of voice in industry news over 12 weeks](2026-W48-share-of-voice.png)" in \
        first.read_text()


def test_html_report_is_sanitised(fixture_db, tmp_path):
    db, config = fixture_db
    db.execute("UPDATE documents SET title = '<script>alert(1)</script> [x](javascript:alert(1))'"
               " WHERE title = 'Acme 2.0'")
    page = write_report(db, config, WEEK, tmp_path / "r.html", format="html").read_text()
    assert "<script>" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h2>Headline</h2>" in page and "<table>" in page


def test_a_since_window_reads_the_trends_of_the_week_it_ends_in(fixture_db):
    from reports.weeks import since

    db, config = fixture_db
    window = since(WEEK.start + dt.timedelta(days=2), WEEK.last_day)
    report = render_report(db, config, window)
    assert "| AI agents | 10 |" in report
