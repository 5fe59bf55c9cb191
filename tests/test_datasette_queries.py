"""Canned queries: each returns the expected rows over the fixture database."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.storage import open_db
from reports.datasette import build_datasette
from reports.datasette_queries import canned_queries
from tests.test_datasette_fixtures import IMG, build_desk_db, fetch


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    config = build_desk_db(tmp_path_factory.mktemp("desk"))
    return build_datasette(config.db_path, config)


def rows(datasette, query: str, params: str = "") -> list[dict]:
    response = fetch(datasette, f"/rivalwatch/{query}.json?_shape=objects&{params}")[0]
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def picked(rows_: list[dict], *columns: str) -> list[tuple]:
    return [tuple(row[c] for c in columns) for row in rows_]


# (query, parameters, columns compared, expected rows in order)
CASES = [
    ("releases_this_week", "since=2026-11-20",
     ("released_on", "competitor", "version", "title", "announced_in", "document_id"),
     # Acme 2.0 came from the changelog and the feed: one row, the changelog's (more items).
     [("2026-11-24", "Acme", "v2.0", "Acme 2.0", "acme-changelog, acme-feed", 3),
      ("2026-11-25", "Globex", None, "Globex Insights", "globex-feed", 5)]),
    ("releases_this_week", "since=2026-10-01&competitor=Globex",
     ("released_on", "title"),
     [("2026-11-25", "Globex Insights"), ("2026-10-02", "Globex dark mode")]),
    ("releases_this_week", "since=2026-10-01&competitor=acme", ("title", "atom_title"),
     [("Acme 2.0", "Acme: Acme 2.0 (v2.0)")]),
    ("significant_changes", "since=2026-11-01",
     ("change_id", "competitor", "page", "significance", "price_changes"),
     [(1, "Acme", "pricing", 0.8, "Pro: $12 → $14 per seat/month")]),
    ("significant_changes", "since=2026-11-01&min_significance=0", ("change_id",), [(2,), (1,)]),
    ("significant_changes", "since=2026-11-26", ("change_id",), []),
    ("price_history", "competitor=Acme", ("plan", "price", "current", "first_seen_at"),
     [("Enterprise", "contact sales", 1, "2026-11-18T06:00:00Z"),
      ("Pro", "14 USD per seat/month", 1, "2026-11-25T06:00:00Z"),
      ("Pro", "12 USD per seat/month", 0, "2026-11-18T06:00:00Z")]),
    ("price_history", "competitor=acme&plan=pro", ("price",),
     [("14 USD per seat/month",), ("12 USD per seat/month",)]),
    ("price_history", "competitor=globex", ("plan",), []),
    ("rising_terms", "", ("term", "count", "score", "window_start"),
     [("ai agents", 5, 3.2, "2026-11-23"), ("usage-based pricing", 3, 2.1, "2026-11-23"),
      (IMG, 2, 1.5, "2026-11-23")]),
    ("rising_terms", "term_kind=entity", ("term",), [(IMG,)]),
    ("rising_terms", "window=month", ("term",), []),
    ("entity_mentions", "entity=competitor:globex", ("document_id", "entity", "mentions"),
     [(7, "Globex", 2), (5, "Globex", 1)]),
    ("entity_mentions", "entity=agents", ("document_id", "entity", "competitor"),
     [(7, "AI agents", None)]),
    ("recent_events", "since=2026-11-01", ("type", "competitor", "document_id"),
     [("funding", "Globex", 7), ("launch", "Acme", 3), ("pricing", "Acme", 1)]),
    ("recent_events", "since=2026-11-01&type=funding&competitor=Globex", ("type",),
     [("funding",)]),
    ("recent_events", "since=2026-11-01&competitor=acme&type=funding", ("type",), []),
    # Full text over documents (title or text), every word over page and price changes.
    ("search", "q=pricing", ("kind", "row_path"),
     [("snapshot", "documents/8"), ("page change", "page_changes/1"),
      ("article", "documents/2"), ("article", "documents/1")]),
    ("search", "q=per+seat", ("kind", "row_path"),
     # Porter stemming: "Seats are gone ... per agent run" matches "per seat" too.
     [("snapshot", "documents/8"), ("page change", "page_changes/1"),
      ("price change", "price_changes/1"), ("article", "documents/1")]),
    ("search", "q=agents+globex", ("row_path", "title"),
     [("documents/7", "Globex raises $20M to chase Acme")]),
    ("search", "q=%22unbalanced+quote", ("row_path",), []),
    ("search", "q=", ("row_path",), []),
]


@pytest.mark.parametrize(("query", "params", "columns", "expected"), CASES,
                         ids=[f"{c[0]}?{c[1]}" for c in CASES])
def test_canned_query_returns_expected_rows(desk, query, params, columns, expected):
    assert picked(rows(desk, query, params), *columns) == expected


def test_every_canned_query_is_covered_and_has_atom_columns(desk):
    assert {case[0] for case in CASES} == set(canned_queries())
    for name in canned_queries():
        response = fetch(desk, f"/rivalwatch/{name}.json?_shape=objects&since=2026-01-01"
                               "&q=pricing&competitor=acme")[0]
        assert {"atom_id", "atom_title", "atom_updated"} <= set(response.json()["columns"])


def test_search_snippet_marks_the_matched_words(desk):
    [article] = [r for r in rows(desk, "search", "q=bills") if r["kind"] == "article"]
    assert article["excerpt"] == "Seats are gone. Acme now [bills] per agent run."


def test_releases_default_to_the_last_seven_days(tmp_path):
    config = build_desk_db(tmp_path)
    today = dt.date.today()
    db = open_db(config.db_path)
    for id_, day in ((20, today), (21, today - dt.timedelta(days=8))):
        db["documents"].insert({"id": id_, "source_id": "globex-feed", "kind": "release",
                                "dedupe_key": f"d{id_}", "title": f"Release {id_}",
                                "competitor_id": "globex", "fetched_at": f"{day}T01:00:00Z"})
        db["releases"].insert({"document_id": id_, "competitor_id": "globex",
                               "source_id": "globex-feed", "released_on": day.isoformat(),
                               "title": f"Release {id_}"})
    db.close()
    week_ago = (today - dt.timedelta(days=7)).isoformat()
    fixture_days = [("Acme 2.0", "2026-11-24"), ("Globex Insights", "2026-11-25"),
                    ("Globex dark mode", "2026-10-02")]
    expected = {"Release 20"} | {title for title, day in fixture_days if day >= week_ago}
    found = rows(build_datasette(config.db_path, config), "releases_this_week")
    assert {row["title"] for row in found} == expected
