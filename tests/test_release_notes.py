"""Releases read from release feed entries: a table of cases, a GitHub feed, and the demo
feeds read the same as the demo changelog pages they mirror."""

import json
from pathlib import Path

import feedparser
import pytest

from crawlers.changelog_model import ITEM_TYPES
from crawlers.feeds import parse_feed
from crawlers.release_notes import release_from_feed_entry

FIXTURES = Path(__file__).parent / "fixtures" / "changelogs"
FEEDS = FIXTURES / "feeds"
CASES = json.loads((FIXTURES / "cases" / "feed_entries.json").read_text("utf-8"))
# The demo feed and the demo changelog page of the same product, as served at one moment.
MIRRORS = [
    ("beaconly_releases.rss", "http://127.0.0.1/beaconly/releases.rss", "demo_beaconly"),
    ("tallyboard_changelog.atom", "http://127.0.0.1/tallyboard/changelog.atom", "demo_tallyboard"),
]


def _releases(path: Path, url: str, content_type: str | None = None) -> list[dict]:
    """Every entry of a feed file as a release, the content HTML taken from feedparser."""
    body = path.read_bytes()
    entries = parse_feed(body, url, content_type=content_type).entries
    raw = feedparser.parse(body).entries
    assert len(raw) == len(entries)
    contents = [(e.get("content") or [{}])[0].get("value") or e.get("summary") for e in raw]
    return [
        release_from_feed_entry(e.title, html, e.text, e.published_at, e.url)
        for e, html in zip(entries, contents, strict=True)
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_feed_entry_cases(case):
    found = release_from_feed_entry(
        case["title"], case["content_html"], case["text"], case["published_at"], case["url"])
    assert found == case["expected"]


def test_the_cases_cover_every_field_and_the_shape_is_a_release_entry():
    keys = {"version", "released_on", "title", "body", "items", "breaking", "anchor_url"}
    assert all(set(case["expected"]) == keys for case in CASES)
    types = {item["type"] for case in CASES for item in case["expected"]["items"]}
    assert types <= set(ITEM_TYPES) and len(types) >= 6
    assert {case["expected"]["breaking"] for case in CASES} == {True, False}


def test_github_releases_feed_matches_golden(update_golden: bool):
    golden = FEEDS / "quillstack_cli_releases.expected.json"
    spec = json.loads(golden.read_text("utf-8"))
    found = _releases(FEEDS / "quillstack_cli_releases.atom", spec["url"], spec["content_type"])
    if update_golden:
        spec["releases"] = found
        golden.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    assert found == spec["releases"]


def _comparable(entry: dict) -> tuple:
    # The page's body also holds its card chrome (tags, "Permalink"); the rest must agree.
    return tuple(entry[key] for key in ("version", "released_on", "title", "items",
                                        "breaking", "anchor_url"))


@pytest.mark.parametrize("feed, url, page", MIRRORS, ids=lambda v: str(v)[:24])
def test_a_release_reads_the_same_from_the_feed_and_from_the_page(feed, url, page):
    page_entries = json.loads((FIXTURES / f"{page}.expected.json").read_text("utf-8"))["entries"]
    found = _releases(FEEDS / feed, url)
    assert len(found) == len(page_entries) >= 15
    assert [_comparable(e) for e in found] == [_comparable(e) for e in page_entries]


def test_content_that_is_not_markup_gives_no_items():
    for content in (None, "", "   ", "<!-- -->", "plain words, no tags"):
        release = release_from_feed_entry("v1.0.0", content, "Text.", None, None)
        assert release["items"] == [] and release["body"] == "Text."
