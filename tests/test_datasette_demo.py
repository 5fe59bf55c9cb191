"""Over the demo database: every canned query has rows, every feed entries, every chart data."""

from __future__ import annotations

import urllib.parse

import feedparser
import pytest
from datasette_dashboards import replace_opts_in_query

from reports.datasette import build_datasette
from reports.datasette_dashboards import dashboard_charts
from reports.datasette_queries import canned_queries
from rivalwatch.config import load_config
from tests.conftest import run_cli
from tests.test_datasette_fixtures import fetch

pytestmark = pytest.mark.slow

# What a product manager would type on Monday: defaults everywhere, a word to search for.
DEMO_PARAMS = {name: "" for name in canned_queries()} | {"search": "q=pricing"}


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--dir", "demo", cwd=folder, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    config = load_config(folder / "demo" / "rivalwatch.toml")
    return build_datasette(config.db_path, config)


@pytest.mark.parametrize("name", sorted(DEMO_PARAMS))
def test_canned_query_and_feed_have_rows_on_the_demo(demo_desk, name):
    params = DEMO_PARAMS[name]
    data, feed, page = fetch(demo_desk, f"/rivalwatch/{name}.json?_shape=objects&{params}",
                             f"/rivalwatch/{name}.atom?{params}", f"/rivalwatch/{name}?{params}")
    rows = data.json()["rows"]
    assert rows, f"{name} has no rows on the demo database"
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert len(parsed.entries) == len(rows)
    assert page.status_code == 200


@pytest.mark.parametrize("slug", ["mentions", "releases", "events", "rising"])
def test_dashboard_chart_has_data_on_the_demo(demo_desk, slug):
    chart = dashboard_charts("rivalwatch")[slug]
    sql = urllib.parse.quote(replace_opts_in_query(chart["query"], {}))
    response = fetch(demo_desk, f"/rivalwatch.json?_shape=array&sql={sql}")[0]
    assert response.status_code == 200 and response.json()
