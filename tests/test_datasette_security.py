"""Datasette stays read-only, keeps its time and row limits, and renders no scraped HTML."""

from __future__ import annotations

import hashlib
import urllib.parse

import pytest

from reports.datasette import SETTINGS, build_datasette, metadata
from reports.datasette_queries import canned_queries
from tests.test_datasette_fixtures import QUERY_PARAMS, build_desk_db, fetch

WRITES = [
    "DELETE FROM documents",
    "UPDATE documents SET title = 'x'",
    "INSERT INTO competitors (id, name) VALUES ('x', 'x')",
    "DROP TABLE documents",
    "select 1; DELETE FROM documents",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "PRAGMA journal_mode = DELETE",
]


@pytest.fixture
def desk(tmp_path):
    config = build_desk_db(tmp_path)
    return build_datasette(config.db_path, config), config.db_path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sql_path(sql: str) -> str:
    return "/rivalwatch.json?" + urllib.parse.urlencode({"sql": sql})


def test_write_sql_is_refused_and_the_file_is_unchanged(desk):
    datasette, db_path = desk
    before = digest(db_path)
    for response in fetch(datasette, *[sql_path(sql) for sql in WRITES]):
        assert response.status_code == 400
    pages = ["/", "/rivalwatch", "/rivalwatch/documents", "/-/dashboards/intelligence",
             *[f"/rivalwatch/{name}?{params}" for name, params in QUERY_PARAMS.items()],
             *[f"/rivalwatch/{name}.atom?{params}" for name, params in QUERY_PARAMS.items()]]
    assert all(r.status_code == 200 for r in fetch(datasette, *pages))
    assert digest(db_path) == before
    count = fetch(datasette, sql_path("select count(*) as n from documents"))[0]
    assert count.json()["rows"] == [[8]]


def test_no_canned_query_writes():
    for query in canned_queries().values():
        assert not query.get("write")
        assert query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))


def test_time_and_row_limits_stay_on(desk):
    datasette, _ = desk
    assert datasette.setting("sql_time_limit_ms") == SETTINGS["sql_time_limit_ms"] <= 5000
    assert datasette.setting("max_returned_rows") == SETTINGS["max_returned_rows"] <= 5000
    many = fetch(datasette, sql_path(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 5000) "
        "SELECT i FROM n"))[0].json()
    assert len(many["rows"]) == SETTINGS["max_returned_rows"] and many["truncated"]


def test_a_runaway_query_is_interrupted(desk):
    datasette, _ = desk
    response = fetch(datasette, sql_path(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n"))[0]
    assert response.status_code == 400
    assert "SQL query took too long" in response.text


def test_markdown_rendering_is_switched_off_for_every_column(tmp_path):
    config = build_desk_db(tmp_path)
    plugins = metadata(config.db_path, config)["plugins"]
    assert plugins["datasette-render-markdown"] == {"columns": [], "patterns": []}
