"""Read-only queries the reports run (never writes)."""

from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from reports.weeks import Window

WHEN = "COALESCE(d.published_at, d.fetched_at)"  # a document's date: published, else fetched
# Two release rows are one release when a changelog and a release feed both announce it:
# same version (a leading "v" ignored), else same day and title. reports.weekly.merge_releases
# applies the same rule in Python.
RELEASE_KEY = f"""CASE WHEN COALESCE(r.version, '') != ''
      THEN 'v:' || CASE WHEN lower(r.version) LIKE 'v%' THEN substr(lower(r.version), 2)
                        ELSE lower(r.version) END
      ELSE 'd:' || COALESCE(r.released_on, substr({WHEN}, 1, 10)) || ':'
           || lower(trim(COALESCE(r.title, d.title, '')))
    END"""
DETECTION_LAG_DAYS = 1


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
               COALESCE(d.url, s.url) AS url, {WHEN} AS happened_at, d.updated_at,
               d.revision, s.label AS source_label, s.url AS source_url
        FROM documents d JOIN sources s ON s.id = d.source_id
        WHERE {WHEN} >= :start AND {WHEN} < :end
          AND (:kind IS NULL OR d.kind = :kind)
        ORDER BY happened_at DESC, d.title, d.id
    """
    return list(db.query(sql, {"start": window.start_iso, "end": window.end_iso, "kind": kind}))


def releases_in(db: Database, window: Window) -> list[dict]:
    """Releases in the window with their version, date, item counts and breaking flag."""
    sql = f"""
        SELECT d.id, d.competitor_id, d.title, COALESCE(d.url, s.url) AS url,
               r.version, r.released_on, r.title AS release_title, r.item_counts, r.breaking,
               {WHEN} AS happened_at
        FROM documents d JOIN sources s ON s.id = d.source_id
        LEFT JOIN releases r ON r.document_id = d.id
        WHERE d.kind = 'release' AND {WHEN} >= :start AND {WHEN} < :end
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


def detection_bounds(window: Window) -> dict[str, str]:
    """The window shifted by a day for what is dated by when a crawl saw it (page and price
    changes): Monday morning's cron sees last week's changes, so they count for last week."""
    lag = dt.timedelta(days=DETECTION_LAG_DAYS)
    return {"start": (window.start + lag).isoformat(), "end": (window.end + lag).isoformat()}


def page_changes_in(db: Database, window: Window, *, min_significance: float = 0.5) -> list[dict]:
    """Significant changes to watched pages detected in the window, biggest first."""
    return list(db.query(
        """SELECT p.id, p.competitor_id, p.source_id, s.label, s.url, p.detected_at, p.diff,
                  p.added, p.removed, p.significance
           FROM page_changes p JOIN sources s ON s.id = p.source_id
           WHERE p.detected_at >= :start AND p.detected_at < :end
             AND p.significance >= :min
           ORDER BY p.significance DESC, p.detected_at, p.id""",
        {**detection_bounds(window), "min": min_significance}))


def price_changes_in(db: Database, window: Window) -> list[dict]:
    """Plans whose price changed, appeared or disappeared in the window."""
    return list(db.query(
        """SELECT p.id, p.competitor_id, p.plan, p.change, p.summary, p.detected_at, s.url
           FROM price_changes p JOIN sources s ON s.id = p.source_id
           WHERE p.detected_at >= :start AND p.detected_at < :end
           ORDER BY p.competitor_id, p.plan COLLATE NOCASE, p.id""",
        detection_bounds(window)))


def events_in(db: Database, window: Window) -> list[dict]:
    """Events of documents dated in the window, with the evidence and the source link."""
    return list(db.query(
        f"""SELECT e.id, e.type, e.evidence, e.competitor_id, d.id AS document_id, d.title,
                   COALESCE(d.url, s.url) AS url, {WHEN} AS happened_at
            FROM events e JOIN documents d ON d.id = e.document_id
            JOIN sources s ON s.id = d.source_id
            WHERE e.source = 'nlp' AND {WHEN} >= :start AND {WHEN} < :end
            ORDER BY e.type, happened_at DESC, e.id""",
        {"start": window.start_iso, "end": window.end_iso}))


def news_mentions_in(db: Database, window: Window) -> list[dict]:
    """Industry-news documents of the window that mention a competitor or its products."""
    return list(db.query(
        f"""SELECT DISTINCT en.competitor_id, d.id, d.title, COALESCE(d.url, s.url) AS url,
                   {WHEN} AS happened_at, s.id AS source_id
            FROM documents d JOIN sources s ON s.id = d.source_id
            JOIN mentions m ON m.document_id = d.id JOIN entities en ON en.id = m.entity_id
            WHERE s.competitor_id IS NULL AND en.competitor_id IS NOT NULL
              AND {WHEN} >= :start AND {WHEN} < :end
            ORDER BY en.competitor_id, happened_at DESC, d.id""",
        {"start": window.start_iso, "end": window.end_iso}))


def last_activity(db: Database, before: str) -> dict[str, str | None]:
    """Per competitor, the date of its newest own document before `before`."""
    return dict(db.execute(
        f"""SELECT c.id, (SELECT max({WHEN}) FROM documents d
                          WHERE d.competitor_id = c.id AND d.kind != 'snapshot'
                            AND {WHEN} < :before)
            FROM competitors c WHERE c.active = 1 ORDER BY c.id""",
        {"before": before}).fetchall())


def sources_health(db: Database) -> list[dict]:
    """Every active source with the columns its health is judged by."""
    return list(db.query(
        """SELECT id, competitor_id, kind, url, consecutive_failures, last_error,
                  last_success_at, last_new_item_at, next_attempt_after, stale_after_days
           FROM sources WHERE active = 1 ORDER BY id"""))


def releases_per_week(db: Database, first: str, end: str) -> list[dict]:
    """Release counts per competitor per ISO week (Monday) between first and end; a release
    both a changelog and a release feed announce counts once (same version, else day+title)."""
    return list(db.query(
        f"""SELECT d.competitor_id, date({WHEN}, 'weekday 0', '-6 days') AS week,
                   count(DISTINCT {RELEASE_KEY}) AS releases
            FROM documents d LEFT JOIN releases r ON r.document_id = d.id
            WHERE d.kind = 'release' AND d.competitor_id IS NOT NULL
              AND {WHEN} >= :first AND {WHEN} < :end
            GROUP BY 1, 2 ORDER BY 1, 2""",
        {"first": first, "end": end}))
