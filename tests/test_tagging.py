"""`rivalwatch tag` end to end on a fixture database: links, events, idempotence, resume."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pipelines.registry import sync_config
from pipelines.storage import open_db
from rivalwatch.config import parse_config
from tests.conftest import TEST_PYTHONPATH, run_cli

pytestmark = pytest.mark.slow

CONFIG = """
[project]
name = "Tag test"
db = "rw.db"
[[competitors]]
name = "Tallyboard"
aliases = ["Tallyboard Inc."]
products = ["Tallyboard Insights"]
  [[competitors.sources]]
  kind = "feed"
  url = "https://tallyboard.example/feed"
[[competitors]]
name = "Linear"
[[feeds]]
name = "News"
url = "https://news.example/rss"
[topics]
track = ["AI agents"]
"""

DOCS = [
    ("tallyboard-feed", "Tallyboard raises $45 million Series C",
     "Tallyboard Inc. has raised $45 million in a Series C round led by Opal Street Partners."),
    ("news", "Linear's new AI agents", "Linear launched AI agents that triage issues for teams."),
    ("news", "A linear regression primer", "Fit a linear model to your churn data in five steps."),
    ("news", "", ""),
    ("news", "Neuigkeiten", "Die Firma hat heute eine neue Version veröffentlicht und die Preise "
                            "für alle Kunden in Deutschland erhöht."),
]


def make_db(folder, docs=DOCS):
    (folder / "rivalwatch.toml").write_text(CONFIG)
    config = parse_config(CONFIG, folder / "rivalwatch.toml")
    db = open_db(config.db_path)
    sync_config(db, config)
    db["documents"].insert_all([
        {"source_id": source, "competitor_id": "tallyboard" if source != "news" else None,
         "kind": "article", "dedupe_key": f"k{n}", "title": title, "text": text,
         "content_hash": f"h{n}", "published_at": "2026-11-20T10:00:00Z"}
        for n, (source, title, text) in enumerate(docs)])
    db.close()
    return config.db_path


def rows(db_path, sql):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_tag_links_competitors_products_topics_and_events(tmp_path):
    db_path = make_db(tmp_path)
    result = run_cli("tag", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Tagged 3 documents" in result.stdout
    assert "1 empty" in result.stdout and "1 not English" in result.stdout
    mentions = set(rows(db_path, "SELECT document_id, entity_id FROM mentions"))
    assert (1, "competitor:tallyboard") in mentions
    assert (2, "competitor:linear") in mentions and (2, "topic:ai-agents") in mentions
    assert not any(e == "competitor:linear" for d, e in mentions if d == 3)
    events = set(rows(db_path, "SELECT document_id, type, competitor_id FROM events"))
    assert (1, "funding", "tallyboard") in events
    assert rows(db_path, "SELECT count(*) FROM documents WHERE tagged_at IS NULL") == [(0,)]
    assert rows(db_path, "SELECT tag_skipped FROM documents WHERE id = 4") == [("empty",)]


def test_retag_is_idempotent_and_changed_documents_are_tagged_again(tmp_path):
    db_path = make_db(tmp_path)
    run_cli("tag", cwd=tmp_path)
    before = rows(db_path, "SELECT * FROM mentions ORDER BY 1, 2")
    again = run_cli("tag", cwd=tmp_path)
    assert "Tagged 0 documents" in again.stdout
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE documents SET title = 'Tallyboard cuts jobs', "
                     "text = 'Tallyboard laid off 40 people in sales.', "
                     "content_hash = 'edited' WHERE id = 1")
    edited = run_cli("tag", cwd=tmp_path)
    assert "Tagged 1 documents" in edited.stdout
    assert rows(db_path, "SELECT type FROM events WHERE document_id = 1") == [("layoffs",)]
    after = rows(db_path, "SELECT * FROM mentions WHERE document_id != 1 ORDER BY 1, 2")
    assert after == [m for m in before if m[0] != 1]


def test_a_killed_tag_run_resumes_where_it_stopped(tmp_path):
    corpus = [("news", f"Tallyboard update {n}",
               f"Tallyboard shipped feature {n} for teams using AI agents in Lisbon. " * 8)
              for n in range(1500)]
    db_path = make_db(tmp_path, corpus)
    process = subprocess.Popen([sys.executable, "-m", "rivalwatch", "tag"], cwd=tmp_path,
                               env={**os.environ, "PYTHONPATH": TEST_PYTHONPATH},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _tagged(db_path) == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partly = _tagged(db_path)
    assert 0 < partly < 1500, "the kill should land mid-run"
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    result = run_cli("tag", cwd=tmp_path, timeout=600)
    assert f"Tagged {1500 - partly} documents" in result.stdout
    assert rows(db_path, "SELECT count(*), count(DISTINCT document_id) FROM mentions "
                         "WHERE entity_id = 'competitor:tallyboard'") == [(1500, 1500)]


def _tagged(db_path) -> int:
    try:
        return rows(db_path, "SELECT count(*) FROM documents WHERE tagged_at IS NOT NULL")[0][0]
    except sqlite3.OperationalError:
        return 0
