"""Titles, descriptions, facets and sorts of the public tables, for Datasette."""

from __future__ import annotations

HIDDEN_TABLES = (
    "_sqlite_migrations", "documents_fts", "documents_fts_config", "documents_fts_data",
    "documents_fts_docsize", "documents_fts_idx",
)

TABLES = {
    "competitors": {
        "description": "The competitors you watch, from rivalwatch.toml.",
        "label_column": "name",
        "columns": {"id": "Slug of the name (or the id set in the config)",
                    "aliases": "Other names the news uses (JSON list)",
                    "products": "Product names (JSON list)",
                    "active": "1 while the competitor is in the config"},
    },
    "sources": {
        "description": "Every feed, changelog and page rivalwatch fetches, with its health.",
        "label_column": "id",
        "facets": ["competitor_id", "kind", "last_status"],
        "columns": {"kind": "feed, changelog or page",
                    "etag": "Validator sent back as If-None-Match",
                    "last_modified": "Validator sent back as If-Modified-Since",
                    "last_success_at": "Last fetch that worked (UTC)",
                    "consecutive_failures": "Failed fetches in a row",
                    "last_error": "Why the last fetch failed",
                    "next_attempt_after": "A failing source is not tried before this time"},
    },
    "documents": {
        "description": "Articles, releases and page snapshots, one row per item; edits "
                       "update the row and keep the old text in document_revisions.",
        "label_column": "title",
        "sort_desc": "published_at",
        "facets": ["competitor_id", "source_id", "kind"],
        "columns": {"kind": "article, release or snapshot",
                    "published_at": "When the source says it was published (UTC)",
                    "fetched_at": "When rivalwatch first stored it (UTC)",
                    "updated_at": "When its content last changed (UTC)",
                    "content_hash": "SHA-256 of title and text, blind to whitespace",
                    "revision": "1 for the original; +1 per edit",
                    "tagged_at": "When spaCy last tagged it"},
    },
    "document_revisions": {
        "description": "Earlier versions of edited documents: edits are signals.",
        "sort_desc": "replaced_at",
    },
    "releases": {
        "description": "Release entries split from changelogs and release feeds.",
        "sort_desc": "released_on",
        "facets": ["competitor_id", "breaking"],
        "columns": {"items": "JSON list of {type, text}",
                    "item_counts": "Items per type (added, fixed, ...)",
                    "breaking": "1 when the release has breaking changes"},
    },
    "page_changes": {
        "description": "Changes to watched pages, as unified diffs.",
        "sort_desc": "detected_at",
        "facets": ["competitor_id", "source_id"],
        "columns": {"significance": "0 to 1: money and plan changes rank above copy edits"},
    },
    "price_points": {
        "description": "Plans and prices read from pricing pages over time.",
        "facets": ["competitor_id", "currency", "period", "current"],
    },
    "price_changes": {"description": "Plans whose price changed, appeared or disappeared.",
                      "sort_desc": "detected_at", "facets": ["competitor_id", "change"]},
    "entities": {"description": "Canonical entities found by tagging.", "label_column": "name",
                 "facets": ["label", "competitor_id"]},
    "mentions": {"description": "Which documents mention which entities, how often."},
    "events": {"description": "Launches, pricing, funding and other events, with evidence.",
               "facets": ["type", "competitor_id"]},
    "keyphrases": {"description": "Lemmatised noun phrases per document, for trends."},
    "trends": {"description": "Term counts per window against their trailing baseline.",
               "facets": ["window", "term_kind"]},
    "runs": {"description": "One row per rivalwatch run, with stats and timings.",
             "sort_desc": "id", "facets": ["command", "status"]},
    "fetch_errors": {"description": "One row per failed fetch.", "sort_desc": "occurred_at",
                     "facets": ["source_id", "error_type"]},
}


def instance_metadata(project_name: str) -> dict:
    """The instance's title and description."""
    return {
        "title": f"rivalwatch: {project_name}",
        "description": "Competitor releases, site changes and industry news collected by "
                       "rivalwatch. Scraped text is shown as plain text.",
        "source": "rivalwatch",
        "source_url": "https://github.com/rivalwatch/rivalwatch",
    }


def database_metadata() -> dict:
    """Per-table metadata of a rivalwatch database."""
    tables = {name: dict(meta) for name, meta in TABLES.items()}
    for name in HIDDEN_TABLES:
        tables[name] = {"hidden": True}
    tables["documents"]["fts_table"] = "documents_fts"
    tables["documents"]["fts_pk"] = "id"
    return {"tables": tables}
