"""Read-back probes of the trend tables for tests (the report has its own queries in
reports/trend_queries.py, which may not import pipelines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlite_utils import Database

from nlp.trends import MIN_RISING_SCORE, shift_window, window_of
from pipelines.trending import _WHEN, TERM_KINDS


def _start_key(window_start: dt.date | str, window: str) -> str:
    return window_of(window_start, window).isoformat()


def rising_terms(db: Database, window_start: dt.date | str, window: str = "week",
                 limit: int = 10, term_kinds: Sequence[str] = TERM_KINDS, *,
                 min_score: float = MIN_RISING_SCORE) -> list[dict]:
    """The window's rising terms (score at least min_score), best first, with names."""
    kinds = list(term_kinds)
    marks = ",".join("?" * len(kinds))
    return list(db.query(
        f"""SELECT t.term_kind, t.term, COALESCE(e.name, c.name, t.term) AS name,
               e.label, t.count, t.baseline, t.score
        FROM trends t
        LEFT JOIN entities e ON t.term_kind = 'entity' AND e.id = t.term
        LEFT JOIN competitors c ON t.term_kind = 'competitor' AND c.id = t.term
        WHERE t."window" = ? AND t.window_start = ? AND t.score > 0
          AND t.score >= ? AND t.term_kind IN ({marks})
        ORDER BY t.score DESC, t.count DESC, t.term_kind, t.term LIMIT ?""",
        [window, _start_key(window_start, window), min_score, *kinds, limit]))


def first_mentions(db: Database, window_start: dt.date | str,
                   window: str = "week") -> list[dict]:
    """Entities first seen in the window, with the document that first mentioned them."""
    return list(db.query(
        f"""SELECT f.entity_id, e.label, COALESCE(e.name, f.entity_id) AS name,
               e.competitor_id, f.document_id, d.title, COALESCE(d.url, s.url) AS url,
               {_WHEN} AS happened_at
        FROM first_mentions f LEFT JOIN entities e ON e.id = f.entity_id
        JOIN documents d ON d.id = f.document_id LEFT JOIN sources s ON s.id = d.source_id
        WHERE f."window" = ? AND f.window_start = ?
        ORDER BY e.label, name COLLATE NOCASE, f.entity_id""",
        [window, _start_key(window_start, window)]))


def share_of_voice(db: Database, window_start: dt.date | str, window: str = "week",
                   weeks: int = 12) -> list[dict]:
    """Competitors' share of industry-news mentions in the `weeks` windows up to this one."""
    last = window_of(window_start, window)
    first = shift_window(last, window, -(weeks - 1))
    return list(db.query(
        """SELECT v.window_start, v.competitor_id, COALESCE(c.name, v.competitor_id) AS name,
               v.mentions, v.share
        FROM share_of_voice v LEFT JOIN competitors c ON c.id = v.competitor_id
        WHERE v."window" = ? AND v.window_start >= ? AND v.window_start <= ?
        ORDER BY v.window_start, v.share DESC, v.competitor_id""",
        [window, first.isoformat(), last.isoformat()]))


def term_series(db: Database, term_kind: str, term: str, window_start: dt.date | str,
                windows: int = 8, window: str = "week") -> list[dict]:
    """The term's count in each of the `windows` windows up to this one (0 when absent)."""
    last = window_of(window_start, window)
    starts = [shift_window(last, window, -steps) for steps in range(windows - 1, -1, -1)]
    counts = dict(db.execute(
        'SELECT window_start, count FROM trends WHERE "window" = ? AND term_kind = ? '
        "AND term = ? AND window_start >= ? AND window_start <= ?",
        [window, term_kind, term, starts[0].isoformat(), last.isoformat()]).fetchall())
    return [{"window_start": day.isoformat(), "count": counts.get(day.isoformat(), 0)}
            for day in starts]
