"""The schema: every public table, WAL, busy timeout, FTS, migrations that re-run safely."""

import sqlite3

from pipelines.storage import connect, open_db, transaction

PUBLIC_TABLES = {
    "competitors": {"id", "name", "aliases", "products", "homepage"},
    "sources": {"id", "competitor_id", "kind", "url", "label", "etag", "last_modified",
                "last_fetched_at", "last_success_at", "last_status", "consecutive_failures",
                "last_error"},
    "documents": {"id", "source_id", "competitor_id", "kind", "url", "title", "published_at",
                  "fetched_at", "updated_at", "text", "content_hash", "tagged_at"},
    "releases": {"document_id", "competitor_id", "version", "released_on", "items", "breaking"},
    "page_changes": {"id", "source_id", "competitor_id", "detected_at", "old_hash", "new_hash",
                     "diff", "added", "removed", "significance"},
    "entities": {"id", "label", "name", "competitor_id"},
    "mentions": {"document_id", "entity_id", "count"},
    "events": {"document_id", "type", "evidence"},
    "trends": {"window_start", "window", "term", "term_kind", "count", "baseline", "score"},
    "runs": {"id"},
    "fetch_errors": {"id", "source_id"},
    "document_revisions": {"document_id", "text"},
    "price_points": {"plan", "amount", "currency", "period", "unit"},
}


def test_every_public_table_has_its_documented_columns(tmp_path):
    db = open_db(tmp_path / "rw.db")
    for table, columns in PUBLIC_TABLES.items():
        assert columns <= set(db[table].columns_dict), table


def test_wal_mode_busy_timeout_and_fts(tmp_path):
    db = open_db(tmp_path / "rw.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db["competitors"].insert({"id": "x", "name": "X"})
    db["sources"].insert({"id": "s", "competitor_id": "x", "kind": "feed", "url": "http://a/"})
    db["documents"].insert({"source_id": "s", "kind": "article", "dedupe_key": "k",
                            "title": "Pricing overhaul", "text": "Seats now cost more"})
    hits = db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'seat'")
    assert len(hits.fetchall()) == 1  # porter stemming: seat matches Seats


def test_migrations_apply_once_and_reopen_cleanly(tmp_path):
    open_db(tmp_path / "rw.db").close()
    db = open_db(tmp_path / "rw.db")
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert applied == len(list(db.query("SELECT name FROM _sqlite_migrations")))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_dedupe_key_is_unique_per_source(tmp_path):
    db = open_db(tmp_path / "rw.db")
    row = {"source_id": "s", "kind": "article", "dedupe_key": "guid:1", "title": "t"}
    db["documents"].insert(row)
    try:
        db["documents"].insert(row)
    except sqlite3.IntegrityError:
        pass
    else:
        raise AssertionError("a second document with the same source and key was accepted")


def test_transaction_rolls_back_the_whole_batch(tmp_path):
    db = open_db(tmp_path / "rw.db")
    try:
        with transaction(db):
            db["competitors"].insert({"id": "a", "name": "A"})
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    assert db["competitors"].count == 0


def test_readonly_connection_cannot_write(tmp_path):
    open_db(tmp_path / "rw.db").close()
    db = connect(tmp_path / "rw.db", readonly=True)
    try:
        db.execute("INSERT INTO competitors (id, name) VALUES ('a', 'A')")
    except sqlite3.OperationalError as error:
        assert "readonly" in str(error)
    else:
        raise AssertionError("read-only connection wrote")
