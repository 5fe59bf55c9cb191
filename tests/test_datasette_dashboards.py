"""The Intelligence dashboard: its page, filters, and each chart's data with and without filters."""

from __future__ import annotations

import urllib.parse

import pytest
from datasette_dashboards import replace_opts_in_query

from reports.datasette import build_datasette
from reports.datasette_dashboards import DASHBOARD, dashboard_charts, dashboards
from tests.test_datasette_fixtures import IMG, build_desk_db, fetch

FILTERED = {"competitor": "acme", "date_start": "2026-11-23", "date_end": "2026-11-30"}
# chart -> (columns compared, rows without filters, rows with FILTERED)
EXPECTED = {
    "mentions": (("week", "competitor", "documents"),
                 [("2026-11-16", "Acme", 2), ("2026-11-23", "Acme", 2),
                  ("2026-11-23", "Globex", 2)],
                 [("2026-11-23", "Acme", 2)]),
    # Acme 2.0, announced by changelog and feed, counts once.
    "releases": (("month", "competitor", "releases"),
                 [("2026-10-01", "Globex", 1), ("2026-11-01", "Acme", 1),
                  ("2026-11-01", "Globex", 1)],
                 [("2026-11-01", "Acme", 1)]),
    "events": (("week", "type", "events"),
               [("2026-11-16", "pricing", 1), ("2026-11-23", "funding", 1),
                ("2026-11-23", "launch", 1)],
               [("2026-11-23", "launch", 1)]),
    # Trends are not per competitor; the date filter picks the newest window inside it.
    "rising": (("term", "count", "score"),
               [("ai agents", 5, 3.2), ("usage-based pricing", 3, 2.1), (IMG, 2, 1.5)],
               [("ai agents", 5, 3.2), ("usage-based pricing", 3, 2.1), (IMG, 2, 1.5)]),
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    config = build_desk_db(tmp_path_factory.mktemp("desk"))
    return build_datasette(config.db_path, config)


def chart_rows(datasette, chart: dict, filters: dict) -> list[dict]:
    """The rows the dashboard's JavaScript fetches for chart under filters."""
    sql = replace_opts_in_query(chart["query"], filters)
    query = urllib.parse.urlencode({"sql": sql, **filters, "_shape": "array"})
    response = fetch(datasette, f"/{chart['db']}.json?{query}")[0]
    assert response.status_code == 200, response.text
    return response.json()


def test_dashboard_page_lists_charts_and_filters(desk):
    listing, page = fetch(desk, "/-/dashboards", f"/-/dashboards/{DASHBOARD}")
    assert listing.status_code == page.status_code == 200
    assert "Competitor intelligence" in listing.text
    for chart in dashboard_charts("rivalwatch").values():
        assert chart["title"] in page.text
    assert '<option value="Acme" >Acme</option>' in page.text
    assert 'type="date"' in page.text
    assert 'href="/rivalwatch/releases_this_week.atom"' in page.text


def test_each_chart_page_answers(desk):
    slugs = list(dashboard_charts("rivalwatch"))
    pages = fetch(desk, *[f"/-/dashboards/{DASHBOARD}/{slug}" for slug in slugs])
    assert [p.status_code for p in pages] == [200] * len(slugs)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_chart_data_without_and_with_filters(desk, slug):
    chart = dashboard_charts("rivalwatch")[slug]
    columns, unfiltered, filtered = EXPECTED[slug]
    for filters, expected in (({}, unfiltered), (FILTERED, filtered)):
        found = [tuple(row[c] for c in columns) for row in chart_rows(desk, chart, filters)]
        assert found == expected, filters


def test_rising_chart_follows_the_date_range(desk):
    chart = dashboard_charts("rivalwatch")["rising"]
    # The week of 16 Nov is the newest window before the 22nd; nothing rose in it.
    assert chart_rows(desk, chart, {"date_end": "2026-11-22"}) == []


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_chart_encodings_name_columns_the_query_returns(desk, slug):
    chart = dashboard_charts("rivalwatch")[slug]
    returned = set(chart_rows(desk, chart, {})[0])
    fields = {enc["field"] for enc in chart["display"]["encoding"].values()}
    assert fields <= returned


def test_charts_never_use_html_renderers():
    # The plugin's table and metric charts write values with innerHTML.
    charts = dashboards("rivalwatch")[DASHBOARD]["charts"].values()
    assert {chart["library"] for chart in charts} <= {"vega-lite", "markdown"}
