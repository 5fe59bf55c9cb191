"""Every Datasette page over the fixture database answers, with the project's metadata."""

from __future__ import annotations

import pytest
from datasette.utils import path_from_row_pks

from reports.datasette import build_datasette
from reports.datasette_facets import next_monday, week_label
from reports.datasette_metadata import HIDDEN_TABLES, TABLES, database_metadata, fit_table
from reports.datasette_queries import canned_queries
from tests.test_datasette_fixtures import QUERY_PARAMS, build_desk_db, fetch


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    config = build_desk_db(tmp_path_factory.mktemp("desk"))
    return build_datasette(config.db_path, config)


def visible_tables(datasette) -> list[str]:
    data = fetch(datasette, "/rivalwatch.json")[0].json()
    return sorted(t["name"] for t in data["tables"] if not t["hidden"])


def row_paths(datasette, table: str) -> list[str]:
    """The paths of the first rows of table."""
    data = fetch(datasette, f"/rivalwatch/{table}.json?_size=3&_shape=objects"
                            "&_extra=primary_keys")[0].json()
    pks = data["primary_keys"]
    return [f"/rivalwatch/{table}/{path_from_row_pks(row, pks, not pks)}" for row in data["rows"]]


def test_index_shows_title_description_queries_and_dashboard(desk):
    home, database = fetch(desk, "/", "/rivalwatch")
    assert "rivalwatch: Desk test" in home.text
    assert "Scraped text is shown as plain text" in home.text
    assert 'href="/-/dashboards"' in home.text
    for query in canned_queries().values():
        assert query["title"].replace("'", "&#39;") in database.text


def test_internal_tables_are_hidden_and_public_ones_listed(desk):
    tables = visible_tables(desk)
    assert not [t for t in tables if t.startswith(("_", "documents_fts"))]
    assert set(TABLES) <= set(tables)


def test_every_table_and_row_page_answers(desk):
    for table in visible_tables(desk):
        paths = [f"/rivalwatch/{table}", *row_paths(desk, table)]
        for path, response in zip(paths, fetch(desk, *paths), strict=True):
            assert response.status_code == 200, path


def test_every_canned_query_page_answers_with_its_description(desk):
    for name, query in canned_queries().items():
        page = fetch(desk, f"/rivalwatch/{name}?{QUERY_PARAMS[name]}")[0]
        assert page.status_code == 200
        assert query["description"].replace("'", "&#39;") in page.text
        assert f'href="/rivalwatch/{name}.atom' in page.text


def test_tables_describe_their_columns(desk):
    page = fetch(desk, "/rivalwatch/page_changes")[0].text
    assert 'data-column-description="0 to 1: money and plan changes rank above copy edits"' in page


def test_foreign_keys_show_labels(desk):
    page = fetch(desk, "/rivalwatch/documents?id=7")[0].text
    assert '<a href="/rivalwatch/sources/industry-news">industry-news</a>' in page
    mentions = fetch(desk, "/rivalwatch/mentions?document_id=1")[0].text
    assert ">Acme launches usage-based pricing</a>" in mentions
    assert ">Acme</a>" in mentions


# (table, column whose values must come newest first)
NEWEST_FIRST = [("documents", "published_at"), ("releases", "released_on"),
                ("page_changes", "detected_at"), ("price_points", "first_seen_at"),
                ("events", "id"), ("trends", "window_start")]


@pytest.mark.parametrize(("table", "column"), NEWEST_FIRST)
def test_tables_sort_newest_first(desk, table, column):
    data = fetch(desk, f"/rivalwatch/{table}.json?_shape=array")[0].json()
    values = [row[column] for row in data if row[column] is not None]
    assert len(values) > 1 and values == sorted(values, reverse=True)


# (table, facet name and type as Datasette reports them)
FACETS = [("documents", {"competitor_id", "kind", "source_id", "published_at"}),
          ("releases", {"competitor_id", "source_id", "breaking", "released_on"}),
          ("events", {"type", "competitor_id", "source"}),
          ("sources", {"competitor_id", "kind", "last_status", "active"})]


@pytest.mark.parametrize(("table", "expected"), FACETS)
def test_tables_have_their_facets(desk, table, expected):
    data = fetch(desk, f"/rivalwatch/{table}.json?_extra=facet_results")[0].json()
    results = data["facet_results"]
    assert {f["name"] for f in results.get("results", results).values()} == expected


def test_week_facet_counts_and_filters_by_iso_week(desk):
    data = fetch(desk, "/rivalwatch/documents.json?_extra=facet_results")[0].json()
    results = data["facet_results"]
    week = results.get("results", results)["published_at"]
    assert week["type"] == "week"
    assert [(v["label"], v["count"]) for v in week["results"]] == [
        ("2026-W48 (from 23 Nov)", 4), ("2026-W47 (from 16 Nov)", 2),
        ("2026-W40 (from 28 Sep)", 1)]
    chosen = week["results"][0]["toggle_url"].replace("http://localhost", "")
    assert chosen.endswith("published_at__gte=2026-11-23&published_at__lt=2026-11-30")
    filtered = fetch(desk, f"{chosen}&_shape=array")[0]
    assert sorted(row["id"] for row in filtered.json()) == [3, 4, 5, 7]


@pytest.mark.parametrize(("monday", "label", "following"), [
    ("2026-11-23", "2026-W48 (from 23 Nov)", "2026-11-30"),
    ("2026-12-28", "2026-W53 (from 28 Dec)", "2027-01-04"),
    ("2024-12-30", "2025-W01 (from 30 Dec)", "2025-01-06"),
])
def test_week_labels_use_iso_weeks(monday, label, following):
    assert week_label(monday) == label
    assert next_monday(monday) == following


def test_metadata_fits_a_database_lacking_tables_and_columns():
    schema = {"documents": {"id", "title", "kind"}, "documents_fts": {"title", "text"}}
    tables = database_metadata(schema)["tables"]
    assert "releases" not in tables
    assert set(tables) - {"documents"} == set(HIDDEN_TABLES)
    assert tables["documents"]["facets"] == ["kind"]
    assert "sort_desc" not in tables["documents"]
    assert tables["documents"]["label_column"] == "title"
    assert tables["documents"]["fts_table"] == "documents_fts"


def test_fit_table_keeps_what_the_table_has():
    meta = {"facets": ["a", {"week": "b"}, "c"], "sort_desc": "b", "label_column": "z"}
    assert fit_table(meta, {"a", "b"}) == {"facets": ["a", {"week": "b"}], "sort_desc": "b"}


def test_new_trend_tables_are_described_and_their_bookkeeping_hidden(desk):
    tables = visible_tables(desk)
    assert {"first_mentions", "share_of_voice", "trend_windows"} <= set(tables)
    assert not {"trend_state", "trend_document_windows"} & set(tables)
    page = fetch(desk, "/rivalwatch/share_of_voice")[0]
    assert "share of the mentions per window" in page.text
