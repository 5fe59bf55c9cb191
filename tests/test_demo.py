"""`rivalwatch demo` end to end: every sample source stored, both states crawled, a report."""

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--dir", str(folder / "demo"), cwd=folder, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "demo", result.stdout


def query(folder, sql):
    with sqlite3.connect(folder / "rivalwatch.db") as conn:
        return conn.execute(sql).fetchall()


def test_every_sample_source_has_documents(demo):
    folder, _ = demo
    empty = query(folder, "SELECT s.id FROM sources s LEFT JOIN documents d ON d.source_id = s.id "
                          "GROUP BY s.id HAVING count(d.id) = 0")
    assert empty == []
    assert query(folder, "SELECT count(*) FROM sources")[0][0] >= 17
    assert query(folder, "SELECT count(*) FROM sources WHERE consecutive_failures > 0") == [(0,)]


def test_the_demo_spans_twelve_weeks_and_every_format(demo):
    folder, _ = demo
    weeks = query(folder, "SELECT count(DISTINCT strftime('%Y-%W', published_at)) FROM documents")
    assert weeks[0][0] >= 12
    kinds = dict(query(folder, "SELECT kind, count(*) FROM documents GROUP BY kind"))
    assert kinds["article"] > 50 and kinds["release"] > 30 and kinds["snapshot"] == 6
    assert {c for (c,) in query(folder, "SELECT competitor_id FROM releases")} == {
        "beaconly", "quillstack", "tallyboard"}


def test_the_second_crawl_finds_new_and_edited_items_and_a_price_change(demo):
    folder, output = demo
    crawl2 = output.split("Crawl 2")[1]
    assert "0 new" not in crawl2 and "0 updated" not in crawl2
    assert query(folder, "SELECT count(*) FROM document_revisions")[0][0] >= 2
    changes = [s for (s,) in query(folder, "SELECT summary FROM price_changes")]
    assert "Pro: $12 → $14 per seat/month" in changes
    assert any(c.startswith("Scale: new plan") for c in changes)


def test_the_report_lists_releases_news_and_industry(demo):
    folder, output = demo
    report_path = output.split("Report:")[1].split()[0]
    report = Path(report_path).read_text(encoding="utf-8")
    for section in ("## Headline", "## Competitors", "### Beaconly", "### Quillstack",
                    "### Tallyboard", "## Industry", "### Rising terms", "### First mentions",
                    "### Share of voice in industry news", "## Quiet competitors",
                    "## Source health"):
        assert section in report, section
    # Which releases fall in the reported week depends on the weekday the demo runs.
    assert "**Releases (" in report
    assert "| Pro | Pro: \\$12 → \\$14 per seat/month |" in report
    assert "(2026-W" in report or "-share-of-voice.png)" in report
    assert "make serve" in output
