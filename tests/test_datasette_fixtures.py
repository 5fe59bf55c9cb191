"""The small rivalwatch database the Datasette tests serve, and helpers to fetch pages.

Two competitors (Acme, Globex) and an industry feed; a release announced twice; a
pricing page that changed; tagged mentions, events and trends; and scraped text
carrying XSS payloads in titles, text, URLs, diffs, release items, entity names,
event evidence and trend terms.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from pipelines.registry import sync_config
from pipelines.storage import open_db
from rivalwatch.config import parse_config

CONFIG = """
[project]
name = "Desk test"
db = "rivalwatch.db"
[[competitors]]
name = "Acme"
homepage = "https://acme.example"
  [[competitors.sources]]
  kind = "changelog"
  url = "https://acme.example/changelog"
  [[competitors.sources]]
  kind = "feed"
  url = "https://acme.example/feed"
  [[competitors.sources]]
  kind = "page"
  url = "https://acme.example/pricing"
  label = "pricing"
[[competitors]]
name = "Globex"
  [[competitors.sources]]
  kind = "feed"
  url = "https://globex.example/feed"
[[feeds]]
name = "Industry news"
url = "https://news.example/rss"
"""
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
XSS = f"{SCRIPT}{IMG}"
JS_URL = "javascript:alert(1)"
PAYLOADS_RAW = (SCRIPT, "<img src=x onerror", 'href="javascript:')


def _doc(id_, source, competitor, kind, title, text, when, url):
    return {"id": id_, "source_id": source, "competitor_id": competitor, "kind": kind,
            "dedupe_key": f"k{id_}", "title": title, "text": text, "published_at": when,
            "fetched_at": "2026-11-27T08:00:00Z", "url": url}


DOCUMENTS = [
    _doc(1, "acme-feed", "acme", "article", "Acme launches usage-based pricing",
         "Seats are gone. Acme now bills per agent run.", "2026-11-20T10:00:00Z",
         "https://acme.example/blog/usage"),
    _doc(2, "acme-feed", "acme", "article", XSS, f"{JS_URL} {XSS} pricing",
         "2026-11-21T10:00:00Z", JS_URL),
    _doc(3, "acme-changelog", "acme", "release", "Acme 2.0", "Added: agents. Fixed: exports.",
         "2026-11-24", "https://acme.example/changelog#v2-0"),
    _doc(4, "acme-feed", "acme", "release", "Acme 2.0", "Agents are here.",
         "2026-11-24T09:00:00Z", "https://acme.example/blog/acme-2"),
    _doc(5, "globex-feed", "globex", "release", "Globex Insights", "Insights for every board.",
         "2026-11-25T12:00:00Z", "https://globex.example/insights"),
    _doc(6, "globex-feed", "globex", "release", "Globex dark mode", "Dark mode.",
         "2026-10-02T12:00:00Z", "https://globex.example/dark"),
    _doc(7, "industry-news", None, "article", "Globex raises $20M to chase Acme",
         "Globex raised $20M. Analysts compare it with Acme and its agents.",
         "2026-11-26T07:00:00Z", "https://news.example/globex-raises"),
    _doc(8, "acme-pricing", "acme", "snapshot", "Pricing", "Pro $14 per seat/month",
         None, "https://acme.example/pricing"),
]
RELEASES = [
    {"document_id": 3, "competitor_id": "acme", "source_id": "acme-changelog", "version": "v2.0",
     "released_on": "2026-11-24", "title": "Acme 2.0", "breaking": 1,
     "items": json.dumps([{"type": "added", "text": "Agents"},
                          {"type": "fixed", "text": f"Exports {XSS}"}]),
     "item_counts": json.dumps({"added": 1, "fixed": 1}),
     "anchor_url": "https://acme.example/changelog#v2-0"},
    {"document_id": 4, "competitor_id": "acme", "source_id": "acme-feed", "version": "2.0",
     "released_on": "2026-11-24", "title": "Acme 2.0", "breaking": 0,
     "items": json.dumps([{"type": "added", "text": "Agents"}]),
     "item_counts": json.dumps({"added": 1}), "anchor_url": None},
    {"document_id": 5, "competitor_id": "globex", "source_id": "globex-feed", "version": None,
     "released_on": "2026-11-25", "title": "Globex Insights", "breaking": 0,
     "items": "[]", "item_counts": "{}", "anchor_url": None},
    {"document_id": 6, "competitor_id": "globex", "source_id": "globex-feed", "version": None,
     "released_on": "2026-10-02", "title": "Globex dark mode", "breaking": 0,
     "items": "[]", "item_counts": "{}", "anchor_url": None},
]
DIFF = ("--- https://acme.example/pricing (old)\n+++ https://acme.example/pricing (new)\n"
        "@@ -1,2 +1,2 @@\n Pro\n-$12 per seat/month\n+$14 per seat/month\n+" + XSS)
PAGE_CHANGES = [
    {"id": 1, "source_id": "acme-pricing", "competitor_id": "acme", "document_id": 8,
     "detected_at": "2026-11-25T06:00:00Z", "old_hash": "a", "new_hash": "b", "diff": DIFF,
     "added": f"$14 per seat/month\n{XSS}", "removed": "$12 per seat/month",
     "significance": 0.8},
    {"id": 2, "source_id": "acme-pricing", "competitor_id": "acme", "document_id": 8,
     "detected_at": "2026-11-26T06:00:00Z", "old_hash": "b", "new_hash": "c",
     "diff": "--- old\n+++ new\n@@ -1 +1 @@\n-Contact us\n+Talk to us", "added": "Talk to us",
     "removed": "Contact us", "significance": 0.1},
]
PRICE_POINTS = [
    {"id": 1, "source_id": "acme-pricing", "competitor_id": "acme", "plan": "Pro", "amount": 12.0,
     "currency": "USD", "period": "month", "unit": "seat", "contact_sales": 0,
     "first_seen_at": "2026-11-18T06:00:00Z", "last_seen_at": "2026-11-24T06:00:00Z",
     "current": 0},
    {"id": 2, "source_id": "acme-pricing", "competitor_id": "acme", "plan": "Pro", "amount": 14.0,
     "currency": "USD", "period": "month", "unit": "seat", "contact_sales": 0,
     "first_seen_at": "2026-11-25T06:00:00Z", "last_seen_at": "2026-11-26T06:00:00Z",
     "current": 1},
    {"id": 3, "source_id": "acme-pricing", "competitor_id": "acme", "plan": "Enterprise",
     "amount": None, "currency": None, "period": None, "unit": None, "contact_sales": 1,
     "first_seen_at": "2026-11-18T06:00:00Z", "last_seen_at": "2026-11-26T06:00:00Z",
     "current": 1},
]
PRICE_CHANGES = [
    {"id": 1, "source_id": "acme-pricing", "competitor_id": "acme",
     "detected_at": "2026-11-25T06:00:00Z", "plan": "Pro", "change": "changed",
     "old": json.dumps({"amount": 12.0}), "new": json.dumps({"amount": 14.0}),
     "summary": "Pro: $12 → $14 per seat/month"},
]
ENTITIES = [
    {"id": "competitor:acme", "label": "ORG", "name": "Acme", "competitor_id": "acme"},
    {"id": "competitor:globex", "label": "ORG", "name": "Globex", "competitor_id": "globex"},
    {"id": "topic:ai-agents", "label": "TOPIC", "name": "AI agents", "competitor_id": None},
    {"id": "org:xss", "label": "ORG", "name": IMG, "competitor_id": None},
]
MENTIONS = [
    {"document_id": 1, "entity_id": "competitor:acme", "count": 2},
    {"document_id": 2, "entity_id": "competitor:acme", "count": 1},
    {"document_id": 2, "entity_id": "org:xss", "count": 1},
    {"document_id": 3, "entity_id": "competitor:acme", "count": 1},
    {"document_id": 5, "entity_id": "competitor:globex", "count": 1},
    {"document_id": 7, "entity_id": "competitor:acme", "count": 1},
    {"document_id": 7, "entity_id": "competitor:globex", "count": 2},
    {"document_id": 7, "entity_id": "topic:ai-agents", "count": 1},
]
EVENTS = [
    {"id": 1, "document_id": 1, "competitor_id": "acme", "type": "pricing",
     "evidence": "Acme now bills per agent run.", "source": "tagger"},
    {"id": 2, "document_id": 3, "competitor_id": "acme", "type": "launch",
     "evidence": "Added: agents.", "source": "tagger"},
    {"id": 3, "document_id": 7, "competitor_id": "globex", "type": "funding",
     "evidence": f"Globex raised $20M. {XSS}", "source": "tagger"},
]
TRENDS = [
    {"window": "week", "window_start": "2026-11-23", "term_kind": "keyphrase", "term": "ai agents",
     "count": 5, "baseline": 1.0, "score": 3.2},
    {"window": "week", "window_start": "2026-11-23", "term_kind": "keyphrase",
     "term": "usage-based pricing", "count": 3, "baseline": 0.5, "score": 2.1},
    {"window": "week", "window_start": "2026-11-23", "term_kind": "entity", "term": IMG,
     "count": 2, "baseline": 0.0, "score": 1.5},
    {"window": "week", "window_start": "2026-11-23", "term_kind": "keyphrase", "term": "seats",
     "count": 1, "baseline": 2.0, "score": -0.5},
    {"window": "week", "window_start": "2026-11-16", "term_kind": "keyphrase", "term": "ai agents",
     "count": 1, "baseline": 1.0, "score": 0.0},
]
# Parameters under which each canned query has rows in this database.
QUERY_PARAMS = {
    "releases_this_week": "since=2026-10-01",
    "significant_changes": "since=2026-11-01&min_significance=0",
    "price_history": "competitor=acme",
    "rising_terms": "",
    "entity_mentions": "entity=competitor:acme",
    "recent_events": "since=2026-11-01",
    "search": "q=pricing",
}
ROWS = {"documents": DOCUMENTS, "releases": RELEASES, "page_changes": PAGE_CHANGES,
        "price_points": PRICE_POINTS, "price_changes": PRICE_CHANGES, "entities": ENTITIES,
        "mentions": MENTIONS, "events": EVENTS, "trends": TRENDS}


def build_desk_db(directory: Path):
    """Write rivalwatch.toml and a filled rivalwatch.db in directory; returns the config."""
    (directory / "rivalwatch.toml").write_text(CONFIG)
    config = parse_config(CONFIG, directory / "rivalwatch.toml")
    db = open_db(config.db_path)
    sync_config(db, config)
    for table, rows in ROWS.items():
        db[table].insert_all(rows)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return config


def fetch(datasette, *paths: str) -> list:
    """GET each path from datasette's in-process client."""
    async def run():
        await datasette.invoke_startup()
        return [await datasette.client.get(path) for path in paths]
    return asyncio.run(run())


def test_fixture_database_fills_every_table_the_desk_reads(tmp_path):
    config = build_desk_db(tmp_path)
    db = open_db(config.db_path)
    counts = {table: db[table].count for table in ROWS}
    assert counts == {table: len(rows) for table, rows in ROWS.items()}
    assert {row["id"] for row in db["sources"].rows} == {
        "acme-changelog", "acme-feed", "acme-pricing", "globex-feed", "industry-news"}
