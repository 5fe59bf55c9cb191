"""Scraped HTML shows as text on every page: tables, rows, canned queries, dashboards, feeds."""

from __future__ import annotations

import urllib.parse

import pytest
from datasette_dashboards import replace_opts_in_query
from markupsafe import Markup

from reports.datasette import build_datasette
from reports.datasette_dashboards import TOP_RISING
from reports.datasette_render import render_query_link, render_value
from tests.test_datasette_fixtures import (
    IMG,
    PAYLOADS_RAW,
    QUERY_PARAMS,
    SCRIPT,
    build_desk_db,
    fetch,
)

ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"

# Pages showing a payload, and the escaped text each must contain.
PAGES = [
    ("/rivalwatch/documents", ESCAPED_SCRIPT),
    ("/rivalwatch/documents/2", ESCAPED_SCRIPT),
    ("/rivalwatch/documents?_search=pricing", ESCAPED_SCRIPT),
    ("/rivalwatch/releases", ESCAPED_SCRIPT),
    ("/rivalwatch/releases/3", ESCAPED_IMG),
    ("/rivalwatch/page_changes", ESCAPED_SCRIPT),
    ("/rivalwatch/page_changes/1", ESCAPED_SCRIPT),
    ("/rivalwatch/entities", ESCAPED_IMG),
    ("/rivalwatch/mentions", ESCAPED_SCRIPT),
    ("/rivalwatch/events", ESCAPED_SCRIPT),
    ("/rivalwatch/events/3", ESCAPED_IMG),
    ("/rivalwatch/trends", ESCAPED_IMG),
    ("/rivalwatch/document_revisions", None),
    ("/rivalwatch/releases_this_week?since=2026-11-01", ESCAPED_IMG),
    ("/rivalwatch/significant_changes?since=2026-11-01", ESCAPED_SCRIPT),
    ("/rivalwatch/rising_terms?term_kind=entity", ESCAPED_IMG),
    ("/rivalwatch/entity_mentions?entity=org:xss", ESCAPED_SCRIPT),
    ("/rivalwatch/recent_events?since=2026-11-01", ESCAPED_SCRIPT),
    ("/rivalwatch/search?q=pricing", ESCAPED_SCRIPT),
    ("/rivalwatch/search?q=%3Cscript%3E", None),
    ("/-/dashboards/intelligence", None),
    ("/-/dashboards/intelligence?competitor=%27%3E%3Cscript%3Ealert(1)%3C/script%3E", None),
    ("/-/dashboards/intelligence/rising", None),
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    config = build_desk_db(tmp_path_factory.mktemp("desk"))
    return build_datasette(config.db_path, config)


@pytest.mark.parametrize(("path", "escaped"), PAGES, ids=[p[0] for p in PAGES])
def test_page_shows_scraped_html_as_text(desk, path, escaped):
    page = fetch(desk, path)[0]
    assert page.status_code == 200
    for payload in PAYLOADS_RAW:
        assert payload not in page.text
    assert escaped is None or escaped in page.text


@pytest.mark.parametrize("name", sorted(QUERY_PARAMS))
def test_feeds_show_scraped_html_as_text(desk, name):
    feed = fetch(desk, f"/rivalwatch/{name}.atom?{QUERY_PARAMS[name]}&since=2026-01-01")[0]
    assert feed.status_code == 200
    for payload in PAYLOADS_RAW:
        assert payload not in feed.text


def test_dashboard_data_reaches_charts_as_json_text(desk):
    # Vega-Lite draws these strings as SVG text; here they must arrive unchanged as data.
    page = fetch(desk, "/-/dashboards/intelligence")[0].text
    assert "renderChart('rising'" in page
    data = fetch(desk, f"/rivalwatch.json?_shape=array&sql={_quote(TOP_RISING)}")[0]
    assert data.status_code == 200
    assert IMG in [row["term"] for row in data.json()]


def _quote(sql: str) -> str:
    return urllib.parse.quote(replace_opts_in_query(sql, {}))


def test_markdown_columns_are_not_rendered_as_html(desk):
    sql = f"select '{IMG}' as note_markdown, '[x](javascript:alert(1))' as link_markdown"
    page = fetch(desk, "/rivalwatch?sql=" + _quote(sql))[0]
    assert ESCAPED_IMG in page.text
    assert "<img" not in page.text.split("<tbody>")[1]
    assert 'href="javascript:' not in page.text


# (value, column) -> the exact HTML the renderer gives (None: Datasette's own rendering)
RENDERED = [
    ("-a\n+<b>", "diff", '<pre class="rw-diff"><span class="rw-diff-del">-a</span>\n'
                         '<span class="rw-diff-add">+&lt;b&gt;</span></pre>'),
    ("--- x\n+++ y\n@@ -1 +1 @@\n same", "diff",
     '<pre class="rw-diff"><span class="rw-diff-file">--- x</span>\n'
     '<span class="rw-diff-file">+++ y</span>\n<span class="rw-diff-hunk">@@ -1 +1 @@</span>\n'
     '<span class="rw-diff-same"> same</span></pre>'),
    (f"a\n{SCRIPT}", "text",
     '<div class="rw-text">a\n&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</div>'),
    ('[{"type": "added", "text": "<i>x</i>"}]', "items",
     '<ul class="rw-items"><li><span class="rw-item-type">added</span> '
     '&lt;i&gt;x&lt;/i&gt;</li></ul>'),
    ('{"added": 1}', "items", None),
    ("not json", "items", None),
    ("", "text", None),
    (None, "diff", None),
    (3, "text", None),
    ({"value": "acme", "label": "<b>Acme</b>"}, "text", None),
    (SCRIPT, "title", None),
]


@pytest.mark.parametrize(("value", "column", "expected"), RENDERED)
def test_render_value(value, column, expected):
    rendered = render_value(value, column)
    assert rendered == expected
    assert rendered is None or isinstance(rendered, Markup)


# (value, column) -> link HTML in canned-query results, or None
LINKS = [
    (7, "document_id", '<a href="/db/documents/7">7</a>'),
    (2, "change_id", '<a href="/db/page_changes/2">2</a>'),
    ("documents/8", "row_path", '<a href="/db/documents/8">8</a>'),
    ('documents/8"><script>', "row_path", None),
    ("7", "document_id", None),
    (7, "id", None),
]


@pytest.mark.parametrize(("value", "column", "expected"), LINKS)
def test_render_query_link(value, column, expected):
    assert render_query_link(value, column, "/db") == expected
