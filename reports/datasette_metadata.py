"""Titles, descriptions, facets, sorts and labels of the public tables, for Datasette.

The metadata is fitted to the database it serves: tables that are absent get none,
and facets, sorts and labels naming columns a table lacks are dropped, so a database
from an older or newer schema still serves every page.
"""

from __future__ import annotations

# Bookkeeping of the migrations, the FTS index and the trend stage's progress.
HIDDEN_TABLES = (
    "_sqlite_migrations", "documents_fts", "documents_fts_config", "documents_fts_data",
    "documents_fts_docsize", "documents_fts_idx", "trend_state", "trend_document_windows",
)

_COMPETITOR = "The competitor it belongs to (empty for industry news)"
_SOURCE = "The feed, changelog or page it came from"

TABLES = {
    "competitors": {
        "description": "The competitors you watch, from rivalwatch.toml.",
        "label_column": "name", "sort": "name",
        "columns": {"id": "Slug of the name (or the id set in the config)",
                    "name": "Name as written in the config",
                    "aliases": "Other names the news uses (JSON list)",
                    "products": "Product names (JSON list)",
                    "homepage": "The competitor's site",
                    "active": "1 while the competitor is in the config",
                    "synced_at": "When the config was last copied here (UTC)"},
    },
    "sources": {
        "description": "Every feed, changelog and page rivalwatch fetches, with its health.",
        "label_column": "id", "sort": "id",
        "facets": ["competitor_id", "kind", "last_status", "active"],
        "columns": {"id": "Slug of the competitor and the source's kind or label",
                    "competitor_id": _COMPETITOR, "kind": "feed, changelog or page",
                    "url": "What is fetched", "label": "Optional name, e.g. pricing",
                    "etag": "Validator sent back as If-None-Match",
                    "last_modified": "Validator sent back as If-Modified-Since",
                    "last_fetched_at": "Last fetch attempt (UTC)",
                    "last_success_at": "Last fetch that worked (UTC)",
                    "last_new_item_at": "Last time the source had something new (UTC)",
                    "last_status": "HTTP status of the last fetch",
                    "consecutive_failures": "Failed fetches in a row",
                    "last_error": "Why the last fetch failed",
                    "stale_after_days": "Days without news before the source counts as stale",
                    "next_attempt_after": "A failing source is not tried before this time"},
    },
    "documents": {
        "description": "Articles, releases and page snapshots, one row per item; edits "
                       "update the row and keep the old text in document_revisions. "
                       "Scraped text is shown as plain text.",
        "label_column": "title", "sort_desc": "published_at",
        "facets": ["competitor_id", "kind", "source_id", {"week": "published_at"}],
        "columns": {"source_id": _SOURCE, "competitor_id": _COMPETITOR,
                    "kind": "article, release or snapshot",
                    "url": "Where it was published", "title": "Title as scraped",
                    "text": "Main text as scraped (plain text)",
                    "published_at": "When the source says it was published (UTC)",
                    "fetched_at": "When rivalwatch first stored it (UTC)",
                    "updated_at": "When its content last changed (UTC)",
                    "content_hash": "SHA-256 of title and text, blind to whitespace",
                    "dedupe_key": "What makes the item unique within its source",
                    "guid": "The feed's id for the item",
                    "revision": "1 for the original; +1 per edit",
                    "tagged_at": "When spaCy last tagged it"},
    },
    "document_revisions": {
        "description": "Earlier versions of edited documents: edits are signals.",
        "sort_desc": "replaced_at", "facets": [{"week": "replaced_at"}],
        "columns": {"document_id": "The document as it is now",
                    "revision": "Which version this was",
                    "replaced_at": "When a newer version replaced it (UTC)",
                    "text": "The text before the edit"},
    },
    "releases": {
        "description": "Release entries split from changelogs and release feeds. The same "
                       "release announced by both appears twice here; the canned query "
                       "releases_this_week shows it once.",
        "sort_desc": "released_on",
        "facets": ["competitor_id", "source_id", "breaking", {"week": "released_on"}],
        "columns": {"document_id": "The release's document (full text)",
                    "competitor_id": _COMPETITOR, "source_id": _SOURCE,
                    "version": "Version string, when the changelog gives one",
                    "released_on": "Release date (YYYY-MM-DD)",
                    "items": "What changed: a list of {type, text}",
                    "item_counts": "Items per type (added, fixed, ...)",
                    "breaking": "1 when the release has breaking changes",
                    "anchor_url": "Link to the entry on the changelog page"},
    },
    "page_changes": {
        "description": "Changes to watched pages, as unified diffs.",
        "sort_desc": "detected_at",
        "facets": ["competitor_id", "source_id", {"week": "detected_at"}],
        "columns": {"source_id": "The watched page", "competitor_id": _COMPETITOR,
                    "document_id": "The page's snapshot document",
                    "detected_at": "When the change was seen (UTC)",
                    "old_hash": "Content hash before", "new_hash": "Content hash after",
                    "diff": "Unified diff of the page's main text",
                    "added": "Lines added", "removed": "Lines removed",
                    "significance": "0 to 1: money and plan changes rank above copy edits"},
    },
    "price_points": {
        "description": "Plans and prices read from pricing pages over time.",
        "sort_desc": "first_seen_at",
        "facets": ["competitor_id", "plan", "currency", "period", "current"],
        "columns": {"plan": "Plan name", "amount": "Price (empty when contact sales)",
                    "currency": "ISO currency code", "period": "month, year, ...",
                    "unit": "What the price is per (seat, user, ...), if anything",
                    "contact_sales": "1 when the plan has no public price",
                    "first_seen_at": "First crawl that saw this price (UTC)",
                    "last_seen_at": "Latest crawl that saw this price (UTC)",
                    "current": "1 while the pricing page still shows it"},
    },
    "price_changes": {
        "description": "Plans whose price changed, appeared or disappeared.",
        "sort_desc": "detected_at",
        "facets": ["competitor_id", "change", {"week": "detected_at"}],
        "columns": {"detected_at": "When the change was seen (UTC)",
                    "change": "changed, added or removed",
                    "old": "The price before (JSON)", "new": "The price after (JSON)",
                    "summary": "The change in words"},
    },
    "entities": {
        "description": "Canonical entities found by tagging: competitors, products, "
                       "organisations, money, topics.",
        "label_column": "name", "sort_desc": "first_seen_at",
        "facets": ["label", "competitor_id"],
        "columns": {"id": "label:slug of the canonical name",
                    "label": "spaCy label (ORG, PRODUCT, MONEY, ...) or TOPIC",
                    "name": "Canonical name",
                    "competitor_id": "The competitor it is, or whose product it is",
                    "first_seen_at": "When tagging first found it (UTC)"},
    },
    "mentions": {
        "description": "Which documents mention which entities, how often.",
        "sort_desc": "document_id", "facets": ["entity_id"],
        "columns": {"document_id": "The document", "entity_id": "The entity",
                    "count": "Times it is mentioned in the document"},
    },
    "events": {
        "description": "Launches, pricing, funding and other events, with evidence.",
        "sort_desc": "id", "facets": ["type", "competitor_id", "source"],
        "columns": {"document_id": "The document it was found in",
                    "competitor_id": "The competitor concerned",
                    "type": "launch, pricing, funding, acquisition, partnership, security, "
                            "deprecation, outage, hiring, layoffs, ...",
                    "evidence": "The sentence or change it was read from",
                    "source": "What found it (the tagger or the page watcher)"},
    },
    "keyphrases": {
        "description": "Lemmatised noun phrases per document, for trends.",
        "sort_desc": "document_id",
        "columns": {"phrase": "Lemmatised noun phrase", "count": "Times in the document"},
    },
    "trends": {
        "description": "Term counts per window against their trailing baseline.",
        "sort_desc": "window_start", "facets": ["window", "term_kind", "window_start"],
        "columns": {"window": "Length of the window (e.g. a week)",
                    "window_start": "First day of the window",
                    "term_kind": "What the term is (entity, phrase, topic, ...)",
                    "term": "The term", "count": "Documents or mentions in the window",
                    "baseline": "Average count of the trailing windows",
                    "score": "How far above its baseline: higher is rising faster"},
    },
    "first_mentions": {
        "description": "Entities seen for the first time, the window it happened in and the "
                       "document that mentioned them first.",
        "sort_desc": "window_start", "facets": ["window", {"week": "window_start"}],
        "columns": {"window": "Length of the window", "window_start": "First day of the window",
                    "entity_id": "The entity", "document_id": "Its first mention"},
    },
    "share_of_voice": {
        "description": "Each competitor's share of the mentions per window.",
        "sort_desc": "window_start", "facets": ["window", "competitor_id", "window_start"],
        "columns": {"window": "Length of the window", "window_start": "First day of the window",
                    "competitor_id": "The competitor",
                    "mentions": "Documents mentioning the competitor in the window",
                    "share": "Its share of all competitors' mentions (0 to 1)"},
    },
    "trend_windows": {
        "description": "The windows the trend stage has counted, with their document counts.",
        "sort_desc": "window_start", "facets": ["window"],
        "columns": {"documents": "Documents published in the window",
                    "computed_at": "When the window was last counted (UTC)"},
    },
    "runs": {
        "description": "One row per rivalwatch run, with stats and timings.",
        "sort_desc": "id", "facets": ["command", "status"],
        "columns": {"command": "crawl, tag, trends, report or run",
                    "status": "ok, sources_failed or failed",
                    "exit_code": "The command's exit code",
                    "stats": "Counts (JSON)", "stage_timings": "Seconds per stage (JSON)",
                    "error": "Why it failed"},
    },
    "fetch_errors": {
        "description": "One row per failed fetch.",
        "sort_desc": "occurred_at", "facets": ["source_id", "error_type", "status"],
        "columns": {"run_id": "The run it happened in", "status": "HTTP status, if any",
                    "error_type": "Kind of failure", "message": "What went wrong"},
    },
}


def instance_metadata(project_name: str) -> dict:
    """The instance's title and description."""
    return {
        "title": f"rivalwatch: {project_name}",
        "description": "Competitor releases, site changes, prices and industry news collected "
                       "by rivalwatch. Start with the canned queries below or the Intelligence "
                       "dashboard. Scraped text is shown as plain text.",
        "source": "rivalwatch",
        "source_url": "https://github.com/rivalwatch/rivalwatch",
    }


def fit_table(meta: dict, columns: set[str]) -> dict:
    """meta without the facets, sorts and label that name a column not in columns."""
    fitted = dict(meta)
    facets = [f for f in meta.get("facets", []) if _facet_column(f) in columns]
    if "facets" in meta:
        fitted["facets"] = facets
    for key in ("sort", "sort_desc", "label_column"):
        if key in meta and meta[key] not in columns:
            del fitted[key]
    return fitted


def _facet_column(facet: str | dict) -> str:
    return facet if isinstance(facet, str) else next(iter(facet.values()))


def database_metadata(schema: dict[str, set[str]] | None = None) -> dict:
    """Per-table metadata, fitted to schema ({table: columns}) when given."""
    if schema is None:
        tables = {name: dict(meta) for name, meta in TABLES.items()}
    else:
        tables = {name: fit_table(meta, schema[name])
                  for name, meta in TABLES.items() if name in schema}
    for name in HIDDEN_TABLES:
        tables[name] = {"hidden": True}
    if "documents" in tables and (schema is None or "documents_fts" in schema):
        tables["documents"].update(fts_table="documents_fts", fts_pk="id")
    return {"tables": tables}
