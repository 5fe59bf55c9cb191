"""`rivalwatch crawl` for real: Scrapy against a loopback server, into a SQLite file."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_PYTHONPATH, run_cli

pytestmark = pytest.mark.slow


def write_config(tmp_path: Path, base: str, extra: str = "") -> Path:
    path = tmp_path / "rivalwatch.toml"
    path.write_text(f"""
[project]
name = "Test watch"
db = "rw.db"
[crawl]
autothrottle = false
retries = 0

[[competitors]]
name = "Alpha Analytics"
  [[competitors.sources]]
  kind = "feed"
  url = "{base}/alpha.xml"
  [[competitors.sources]]
  kind = "feed"
  url = "{base}/beta.atom"
  releases = true

[[feeds]]
name = "Gamma news"
url = "{base}/gamma.json"
{extra}
""")
    return path


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def crawl(tmp_path: Path) -> tuple[int, str]:
    result = run_cli("crawl", "-c", "rivalwatch.toml", cwd=tmp_path)
    return result.returncode, result.stdout + result.stderr


def test_crawl_stores_rss_atom_and_json_feed_entries(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    code, output = crawl(tmp_path)
    assert code == 0, output
    counts = dict(rows(tmp_path / "rw.db", "SELECT source_id, count(*) FROM documents GROUP BY 1"))
    assert counts == {"alpha-analytics-feed": 5, "alpha-analytics-releases": 4, "gamma-news": 3}
    kinds = dict(rows(tmp_path / "rw.db", "SELECT source_id, kind FROM documents GROUP BY 1"))
    assert kinds["alpha-analytics-releases"] == "release"
    assert kinds["gamma-news"] == "article"
    for published, text in rows(tmp_path / "rw.db", "SELECT published_at, text FROM documents"):
        assert published.endswith("Z") and len(published) == 20
        assert "<p>" not in text and "&amp;" not in text


def test_config_is_synced_into_competitors_and_sources(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    crawl(tmp_path)
    assert rows(tmp_path / "rw.db", "SELECT id, name FROM competitors") == [
        ("alpha-analytics", "Alpha Analytics")]
    sources = rows(tmp_path / "rw.db", "SELECT id, competitor_id, kind FROM sources ORDER BY id")
    assert ("gamma-news", None, "feed") in sources


def test_recrawl_of_unchanged_feeds_sends_conditional_get_and_writes_nothing(
        tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    crawl(tmp_path)
    before = rows(tmp_path / "rw.db", "SELECT * FROM documents ORDER BY id")
    site_server.clear_log()
    code, output = crawl(tmp_path)
    assert code == 0, output
    assert "3 not modified (304)" in output and "0 new, 0 updated" in output
    feed_requests = [r for r in site_server.requests() if r["path"] != "/robots.txt"]
    assert len(feed_requests) == 3
    assert all(r["headers"].get("If-None-Match") for r in feed_requests)
    assert rows(tmp_path / "rw.db", "SELECT * FROM documents ORDER BY id") == before
    assert rows(tmp_path / "rw.db", "SELECT count(*) FROM document_revisions") == [(0,)]


def test_edited_entry_is_updated_in_place_and_its_old_text_kept(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    crawl(tmp_path)
    feed = site_server.root / "alpha.xml"
    original = feed.read_text()
    assert "Series B" in original
    feed.write_text(original.replace("Series B", "Series B extension", 1))
    code, output = crawl(tmp_path)
    assert code == 0, output
    assert "0 new, 1 updated" in output
    (title, revision, updated), = rows(
        tmp_path / "rw.db",
        "SELECT title, revision, updated_at FROM documents WHERE title LIKE '%Series B%'")
    assert "Series B extension" in title and revision == 2 and updated
    (old_title,), = rows(tmp_path / "rw.db", "SELECT title FROM document_revisions")
    assert "extension" not in old_title and "Series B" in old_title


def test_one_failing_source_is_recorded_and_the_rest_stored(tmp_path, site_server):
    extra = f"""
[[feeds]]
name = "Broken"
url = "{site_server.url}/status/500"
[[feeds]]
name = "Nobody home"
url = "http://127.0.0.1:9/feed.xml"
[[feeds]]
name = "Not a feed"
url = "{site_server.url}/error.html"
"""
    (site_server.root / "error.html").write_text(
        "<!doctype html><html><head><title>502 Bad Gateway</title></head>"
        "<body><h1>Something went wrong</h1><p>Try again later.</p></body></html>")
    (site_server.root / "empty.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    extra += f'[[feeds]]\nname = "Empty"\nurl = "{site_server.url}/empty.xml"\n'
    write_config(tmp_path, site_server.url, extra)
    code, output = crawl(tmp_path)
    assert code == 3, output
    assert rows(tmp_path / "rw.db", "SELECT count(*) FROM documents") == [(12,)]
    health = dict(rows(tmp_path / "rw.db", "SELECT id, last_error FROM sources "
                                           "WHERE consecutive_failures = 1"))
    assert health["broken"] == "HTTP 500 Internal Server Error"
    assert health["nobody-home"].startswith("connection refused")
    assert health["empty"] == "feed has no entries"
    errors = rows(tmp_path / "rw.db", "SELECT source_id, error_type FROM fetch_errors ORDER BY 1")
    assert [e[0] for e in errors] == ["broken", "empty", "nobody-home", "not-a-feed"]
    assert health["not-a-feed"].startswith("not a feed")
    assert "FAILED broken: HTTP 500" in output


def test_scrapy_crawl_by_hand_from_the_project_root(tmp_path, site_server):
    config = write_config(tmp_path, site_server.url)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "feeds", "-a", f"config={config}",
         "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": TEST_PYTHONPATH})
    assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "rw.db", "SELECT count(*) FROM documents") == [(12,)]
