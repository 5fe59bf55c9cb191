"""Read-only queries the reports run (never writes)."""

from __future__ import annotations

import json

from sqlite_utils import Database

from reports.weeks import Window

_WHEN = "COALESCE(d.published_at, d.fetched_at)"


def competitors(db: Database) -> list[dict]:
    """Active competitors, by name."""
    return list(db.query("SELECT id, name, homepage FROM competitors WHERE active = 1 "
                         "ORDER BY name COLLATE NOCASE, id"))


def industry_sources(db: Database) -> list[dict]:
    """Active sources that belong to no competitor (industry news)."""
    return list(db.query("SELECT id, url, label FROM sources WHERE competitor_id IS NULL "
                         "AND active = 1 ORDER BY id"))


def documents_in(db: Database, window: Window, *, kind: str | None = None) -> list[dict]:
    """Documents published (or, lacking a date, first fetched) in the window, newest first."""
    sql = f"""
        SELECT d.id, d.source_id, d.competitor_id, d.kind, d.title, d.text,
               COALESCE(d.url, s.url) AS url, {_WHEN} AS happened_at, d.updated_at,
               d.revision, s.label AS source_label, s.url AS source_url
        FROM documents d JOIN sources s ON s.id = d.source_id
        WHERE {_WHEN} >= :start AND {_WHEN} < :end
          AND (:kind IS NULL OR d.kind = :kind)
        ORDER BY happened_at DESC, d.title, d.id
    """
    return list(db.query(sql, {"start": window.start_iso, "end": window.end_iso, "kind": kind}))


def releases_in(db: Database, window: Window) -> list[dict]:
    """Releases in the window with their version, date, item counts and breaking flag."""
    sql = f"""
        SELECT d.id, d.competitor_id, d.title, COALESCE(d.url, s.url) AS url,
               r.version, r.released_on, r.title AS release_title, r.item_counts, r.breaking,
               {_WHEN} AS happened_at
        FROM documents d JOIN sources s ON s.id = d.source_id
        LEFT JOIN releases r ON r.document_id = d.id
        WHERE d.kind = 'release' AND {_WHEN} >= :start AND {_WHEN} < :end
        ORDER BY happened_at DESC, r.version DESC, d.title, d.id
    """
    rows = list(db.query(sql, {"start": window.start_iso, "end": window.end_iso}))
    for row in rows:
        row["item_counts"] = json.loads(row["item_counts"] or "{}")
    return rows


def edited_in(db: Database, window: Window) -> list[dict]:
    """Documents whose text changed during the window (edits are signals)."""
    sql = """
        SELECT d.id, d.competitor_id, d.kind, d.title, COALESCE(d.url, s.url) AS url,
               d.updated_at, d.revision
        FROM documents d JOIN sources s ON s.id = d.source_id
        WHERE d.kind != 'snapshot' AND d.updated_at >= :start AND d.updated_at < :end
        ORDER BY d.updated_at DESC, d.id
    """
    return list(db.query(sql, {"start": window.start_iso, "end": window.end_iso}))
