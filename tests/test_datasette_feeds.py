"""Every canned query is an Atom feed: valid, with the query's rows as entries, text only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest

from reports.datasette import build_datasette, plugin_config
from reports.datasette_queries import canned_queries
from tests.test_datasette_fixtures import IMG, QUERY_PARAMS, XSS, build_desk_db, fetch

ATOM = "{http://www.w3.org/2005/Atom}"
PARAMS = QUERY_PARAMS


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    config = build_desk_db(tmp_path_factory.mktemp("desk"))
    return build_datasette(config.db_path, config)


def feed_and_rows(datasette, name: str, params: str):
    feed, data = fetch(datasette, f"/rivalwatch/{name}.atom?{params}",
                       f"/rivalwatch/{name}.json?_shape=objects&{params}")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("application/xml")
    return feed, data.json()["rows"]


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_feed_is_valid_atom_with_one_entry_per_row(desk, name):
    feed, rows = feed_and_rows(desk, name, PARAMS[name])
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == canned_queries()[name]["title"]
    assert rows and len(parsed.entries) == len(rows)
    assert sorted(e.id for e in parsed.entries) == sorted(r["atom_id"] for r in rows)
    assert sorted(e.title for e in parsed.entries) == sorted(r["atom_title"] for r in rows)
    for entry in parsed.entries:
        assert entry.updated_parsed is not None
        assert all(link.href.startswith(("http://", "https://")) for link in entry.get("links", []))


def test_every_canned_query_has_a_feed_case():
    assert set(PARAMS) == set(canned_queries())


def test_release_feed_entries_carry_the_release_and_its_link(desk):
    feed, _ = feed_and_rows(desk, "releases_this_week", "since=2026-11-20")
    entries = {e.title: e for e in feedparser.parse(feed.content).entries}
    assert set(entries) == {"Acme: Acme 2.0 (v2.0)", "Globex: Globex Insights"}
    acme = entries["Acme: Acme 2.0 (v2.0)"]
    assert acme.link == "https://acme.example/changelog#v2-0"
    assert acme.updated == "2026-11-24T00:00:00+00:00"
    assert acme.content[0].value == "Added: agents. Fixed: exports."


def test_empty_result_is_an_empty_valid_feed_not_an_error(desk):
    feed, rows = feed_and_rows(desk, "search", "q=nothing+matches+this")
    parsed = feedparser.parse(feed.content)
    assert rows == [] and parsed.entries == [] and not parsed.bozo
    assert parsed.feed.title == "Search documents, releases and changes"


def test_scraped_html_in_feeds_is_text_not_markup(desk):
    feed, _ = feed_and_rows(desk, "search", "q=pricing")
    root = ET.fromstring(feed.content)
    tags = {element.tag for element in root.iter()}
    assert not {"script", "img", f"{ATOM}script", f"{ATOM}img"} & tags
    assert b"<script>" not in feed.content and b"<img" not in feed.content
    xss_entry = next(e for e in root.iter(f"{ATOM}entry")
                     if e.findtext(f"{ATOM}id") == "rivalwatch:documents:2")
    assert xss_entry.findtext(f"{ATOM}title") == XSS
    content = xss_entry.find(f"{ATOM}content")
    assert content.get("type") == "text" and XSS in content.text
    # The javascript: URL of the document is replaced by its source's http(s) URL.
    assert xss_entry.find(f"{ATOM}link").get("href") == "https://acme.example/feed"


def test_trend_terms_in_feed_titles_stay_text(desk):
    feed, _ = feed_and_rows(desk, "rising_terms", "term_kind=entity")
    [entry] = ET.fromstring(feed.content).iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"Rising: {IMG} (2 mentions, baseline 0.0)"


def test_no_feed_can_carry_html_content():
    assert all("atom_content_html" not in q["sql"] for q in canned_queries().values())
    atom = plugin_config("rivalwatch")["datasette-atom"]
    assert atom["allow_unsafe_html_in_canned_queries"] is False
