"""Feed parsing from downloaded bytes: golden files per format, errors, dates, safety."""

import dataclasses
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from crawlers.feeds import FeedError, ParsedFeed, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
CASES = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
DATES = json.loads((FIXTURES / "dates.json").read_text(encoding="utf-8"))
URL = "https://brightmetrics.example/blog/rss.xml"


def parse_fixture(name: str, case: dict) -> ParsedFeed:
    body = (FIXTURES / name).read_bytes()
    return parse_feed(body, case["url"], content_type=case["content_type"])


def golden_path(name: str) -> Path:
    path = FIXTURES / name
    return path.with_name(path.name.split(".")[0] + ".expected.json")


def as_json(feed: ParsedFeed) -> str:
    """The golden form of a feed: its text, not its markup (content_html is left out)."""
    data = dataclasses.asdict(feed)
    for entry in data["entries"]:
        entry.pop("content_html")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def rss(item: str, *, channel: str = "", prolog: str = "") -> bytes:
    """A minimal RSS 2.0 document around one item's inner XML."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}\n<rss version="2.0"><channel>'
        f"<title>Probe</title><link>https://probe.example/</link>{channel}"
        f"<item><title>Probe item</title>{item}</item></channel></rss>"
    ).encode()


# --- golden files --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES["good"]))
def test_feed_matches_golden(name, update_golden):
    parsed = as_json(parse_fixture(name, CASES["good"][name]))
    golden = golden_path(name)
    if update_golden:
        golden.write_text(parsed, encoding="utf-8")
    assert parsed == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES["good"]))
def test_entries_have_absolute_urls_and_utc_dates(name):
    for entry in parse_fixture(name, CASES["good"][name]).entries:
        assert entry.url is None or entry.url.startswith(("https://", "http://"))
        for moment in (entry.published_at, entry.updated_at):
            assert moment is None or time.strptime(moment, "%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [("site/alpha.xml", "rss20", 5), ("site/beta.atom", "atom10", 4),
     ("site/gamma.json", "json11", 3)],
)
def test_integration_site_feeds(name, fmt, count):
    parsed = parse_fixture(name, CASES["good"][name])
    assert (parsed.format, len(parsed.entries)) == (fmt, count)
    assert all(e.published_at[:7] in ("2026-10", "2026-11") for e in parsed.entries)
    assert len({e.guid for e in parsed.entries}) == count


# --- failures ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES["bad"]))
def test_bad_feed_raises_a_readable_reason(name):
    case = CASES["bad"][name]
    with pytest.raises(FeedError) as caught:
        parse_fixture(name, case)
    expected = case["error"]
    if expected.endswith("..."):
        assert str(caught.value).startswith(expected[:-3])
        assert len(str(caught.value)) > len(expected[:-3])
    else:
        assert str(caught.value) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"  \r\n\t ", "application/rss+xml", "empty response"),
        (b"\xef\xbb\xbf<html><body>Log in</body></html>", None,
         "not a feed: the server returned an HTML page"),
        (b'<?xml version="1.0"?>\n<!-- generated -->\n<!DOCTYPE html PUBLIC '
         b'"-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/'
         b'xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"></html>',
         "application/xhtml+xml", "not a feed: the server returned an HTML page"),
        (b"Service temporarily unavailable", "text/html",
         "not a feed: the server returned an HTML page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "not a feed: could not parse XML: "),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}',
         "application/feed+json", "feed has no entries"),
        (b'{"version": "https://jsonfeed.org/version/1", "title": "T"}', None,
         "not a feed: the JSON Feed has no list of items"),
        (b'[{"title": "not a feed"}]', "application/json",
         "not a feed: the JSON is not a JSON Feed (no jsonfeed.org version)"),
        (b"callback({})", "application/json", "not a feed: could not parse JSON: "),
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         b"<url><loc>https://probe.example/</loc></url></urlset>", "application/xml",
         "not a feed: the document is XML but not RSS or Atom"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
         b"</feed>", "application/atom+xml", "feed has no entries"),
    ],
)
def test_unusable_bodies(body, content_type, reason):
    with pytest.raises(FeedError) as caught:
        parse_feed(body, URL, content_type=content_type)
    assert str(caught.value).startswith(reason)


def test_parse_error_names_the_place():
    with pytest.raises(FeedError, match=r"could not parse XML: .+ \(line \d+, column \d+\)"):
        parse_feed((FIXTURES / "garbage.txt").read_bytes(), URL, content_type="text/plain")
    with pytest.raises(FeedError, match=r"could not parse JSON: .+ \(line 5, column \d+\)"):
        parse_feed((FIXTURES / "broken.json").read_bytes(), URL)


def test_rss_served_as_html_is_still_read():
    parsed = parse_feed((FIXTURES / "rss20.xml").read_bytes(), URL, content_type="text/html")
    assert len(parsed.entries) == 4


def test_feed_error_is_a_value_error():
    assert issubclass(FeedError, ValueError)


@pytest.mark.parametrize(
    ("name", "content_type", "title"),
    [
        # The server's charset is wrong; the bytes and the XML prolog are right.
        ("iso-8859-1.xml", "application/rss+xml; charset=utf-8", "Facturé Actualités"),
        ("windows-1252.xml", "text/xml; charset=iso-8859-1",
         "Ledgerly’s “Money Matters” Newsletter"),
        ("shift_jis.xml", "text/html; charset=utf-8", "カケイボ ニュース"),
        # No charset anywhere: the bytes decide.
        ("iso-8859-1-http.xml", "text/xml", "Facturé Actualités"),
        ("shift_jis-http.xml", "application/xml; charset=shift_jis", "カケイボ ニュース"),
    ],
)
def test_charset_conflicts_still_decode(name, content_type, title):
    body = (FIXTURES / name).read_bytes()
    assert parse_feed(body, URL, content_type=content_type).title == title


def test_json_feed_with_bom_and_charset():
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Café",
                "items": [{"id": "1", "content_text": "Crème brûlée"}]}
    body = b"\xef\xbb\xbf" + json.dumps(document, ensure_ascii=False).encode()
    parsed = parse_feed(body, URL, content_type="application/feed+json; charset=utf-8")
    assert (parsed.title, parsed.entries[0].text) == ("Café", "Crème brûlée")


def test_rss_author_with_a_long_top_level_domain():
    body = rss("<author>dana@brightmetrics.agency (Dana Whitfield)</author>")
    assert parse_feed(body, URL).entries[0].author == "Dana Whitfield"


# --- security ------------------------------------------------------------------------


def outputs(body: bytes) -> str:
    """Everything parsing produced, the error message included."""
    try:
        return as_json(parse_feed(body, "https://attacker.example/rss"))
    except FeedError as error:
        return str(error)


@pytest.mark.parametrize("name", ["xxe.xml", "xxe-parameter.xml"])
def test_external_entities_never_read_local_files(name):
    assert "root:" not in outputs((FIXTURES / name).read_bytes())


XXE_ITEM = "<description>&xxe;</description>"
XXE_DECL = '<!ENTITY xxe SYSTEM "file:///etc/passwd">'


@pytest.mark.parametrize(
    "body",
    [
        # A "]>" inside an entity value must not end the DTD early for the check.
        rss(XXE_ITEM, prolog=f'<!DOCTYPE rss [<!ENTITY a "]>">{XXE_DECL}]>'),
        rss(XXE_ITEM, prolog=f"<!DOCTYPE rss [{XXE_DECL}]>").replace(
            b'encoding="utf-8"', b'encoding="Shift_JIS"'),
        rss(XXE_ITEM, prolog=f"<!DOCTYPE rss [{XXE_DECL}]>").decode().replace(
            'encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"),
        rss(XXE_ITEM, prolog='<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//X//EN" "/etc/passwd">]>'),
    ],
    ids=["bracket-in-value", "shift_jis", "utf-16", "public-id"],
)
def test_disguised_external_entities_are_refused(body):
    with pytest.raises(FeedError, match="external entities") as caught:
        parse_feed(body, URL)
    assert "root:" not in str(caught.value)


def test_external_dtd_is_not_fetched_and_feed_still_reads():
    doctype = '\n<!DOCTYPE rss SYSTEM "file:///etc/passwd">'
    parsed = parse_feed(rss("<description>ok</description>", prolog=doctype), URL)
    assert parsed.entries[0].text == "ok"


def test_billion_laughs_is_refused_fast_with_bounded_memory():
    body = (FIXTURES / "billion-laughs.xml").read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    text = outputs(body)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2.0 and peak < 20_000_000
    assert "lollollol" not in text and len(text) < 10_000


def test_quadratic_blowup_is_refused():
    big = "A" * 50_000
    body = rss("<description>" + "&big;" * 5_000 + "</description>",
               prolog=f'\n<!DOCTYPE rss [\n<!ENTITY big "{big}">\n]>')
    with pytest.raises(FeedError, match="entities expand"):
        parse_feed(body, URL)


def test_harmless_entity_declarations_are_allowed():
    prolog = '\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY company "Acme">\n]>'
    parsed = parse_feed(rss("<description>&company;&nbsp;wins</description>",
                            prolog=prolog), URL)
    assert len(parsed.entries) == 1
    assert "root:" not in parsed.entries[0].text


# --- dates and text ------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), DATES["rss_pubdate"])
def test_rss_pubdate(raw, expected):
    entry = parse_feed(rss(f"<pubDate>{raw}</pubDate>"), URL).entries[0]
    assert (entry.published_at, entry.updated_at) == (expected, None)


@pytest.mark.parametrize(("raw", "expected"), DATES["atom_published"])
def test_atom_published(raw, expected):
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>E</title>'
        f"<id>urn:e</id><published>{raw}</published>"
        "<updated>2026-12-01T00:00:00Z</updated></entry></feed>"
    ).encode()
    entry = parse_feed(body, URL).entries[0]
    assert (entry.published_at, entry.updated_at) == (expected, "2026-12-01T00:00:00Z")


@pytest.mark.parametrize(("raw", "expected"), DATES["json_date_published"])
def test_json_date_published(raw, expected):
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
                "items": [{"id": "1", "content_text": "x", "date_published": raw}]}
    entry = parse_feed(json.dumps(document).encode(), URL).entries[0]
    assert entry.published_at == expected


def test_full_content_wins_over_summary_and_scripts_are_dropped():
    item = ("<description>short</description><content:encoded><![CDATA[<p>Full "
            "<b>story</b></p><script>steal()</script>]]></content:encoded>")
    body = rss(item).replace(
        b'<rss version="2.0">',
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">')
    assert parse_feed(body, URL).entries[0].text == "Full story"


def test_utf16_feed_with_bom():
    body = rss("<description>Über café</description>").decode()
    body = body.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert parse_feed(body, URL).entries[0].text == "Über café"


def test_entries_keep_document_order():
    body = rss("<guid isPermaLink=\"false\">1</guid></item><item><title>B</title>"
               "<guid isPermaLink=\"false\">2</guid></item>"
               "<item><title>C</title><guid isPermaLink=\"false\">3</guid>")
    assert [e.guid for e in parse_feed(body, URL).entries] == ["1", "2", "3"]
