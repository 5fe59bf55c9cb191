"""The trends stage: per-window term counts, rising scores, first mentions, share of voice.

Counts are SQL aggregates over one window at a time (documents found through the
`idx_documents_when` index); the statistics are the pure functions of `nlp.trends`.
A run recomputes only the windows touched by documents tagged since the last run, and
rescores the windows whose baseline includes them; `full=True` rebuilds everything.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlite_utils import Database

from nlp.trends import (
    DEFAULT_MIN_SUPPORT,
    as_date,
    baseline_starts,
    expected_count,
    rising_score,
    shift_window,
    window_end,
    window_of,
    windows_between,
)
from nlp.trends import share_of_voice as shares_of
from pipelines.storage import transaction, utc_now

logger = logging.getLogger(__name__)

TERM_KINDS = ("entity", "keyphrase", "competitor", "event")
_WHEN = "COALESCE(d.published_at, d.fetched_at)"
_TAGGED = "d.tagged_at IS NOT NULL AND d.tag_skipped IS NULL"
_IN_WINDOW = f"{_WHEN} >= :start AND {_WHEN} < :end AND {_TAGGED}"
# The same windows as nlp.trends.window_of, for grouping inside SQLite.
_SQL_WINDOW_START = {"day": "date({})", "week": "date({}, 'weekday 0', '-6 days')",
                     "month": "date({}, 'start of month')"}

# term_kind -> (term, documents) in the window; CROSS JOIN pins the join order so each
# query walks the window's documents first and reaches the tags through their keys.
_COUNT_SQL = {
    "entity": f"""SELECT m.entity_id AS term, COUNT(*) AS n FROM documents d
        CROSS JOIN mentions m ON m.document_id = d.id WHERE {_IN_WINDOW} GROUP BY m.entity_id""",
    "keyphrase": f"""SELECT k.phrase AS term, COUNT(*) AS n FROM documents d
        CROSS JOIN keyphrases k ON k.document_id = d.id WHERE {_IN_WINDOW} GROUP BY k.phrase""",
    "competitor": f"""SELECT competitor_id AS term, COUNT(*) AS n FROM (
          SELECT d.id, d.competitor_id FROM documents d
          WHERE {_IN_WINDOW} AND d.competitor_id IS NOT NULL
          UNION
          SELECT d.id, e.competitor_id FROM documents d
          CROSS JOIN mentions m ON m.document_id = d.id CROSS JOIN entities e ON e.id = m.entity_id
          WHERE {_IN_WINDOW} AND e.competitor_id IS NOT NULL)
        GROUP BY competitor_id""",
    "event": f"""SELECT e.type AS term, COUNT(DISTINCT e.document_id) AS n FROM documents d
        CROSS JOIN events e ON e.document_id = d.id WHERE {_IN_WINDOW} GROUP BY e.type""",
}
_TOTAL_SQL = f"SELECT COUNT(*) FROM documents d WHERE {_IN_WINDOW}"
_VOICE_SQL = f"""SELECT e.competitor_id, SUM(m.count) FROM documents d
    CROSS JOIN sources s ON s.id = d.source_id
    CROSS JOIN mentions m ON m.document_id = d.id CROSS JOIN entities e ON e.id = m.entity_id
    WHERE {_IN_WINDOW} AND s.competitor_id IS NULL AND e.competitor_id IS NOT NULL
    GROUP BY e.competitor_id"""
_SCORE_SQL = """SELECT t.term_kind, t.term, t.count, COALESCE((
        SELECT SUM(b.count) FROM trends b WHERE b."window" = t."window"
        AND b.term_kind = t.term_kind AND b.term = t.term
        AND b.window_start >= :first AND b.window_start < :start), 0)
    FROM trends t WHERE t."window" = :window AND t.window_start = :start"""
_DOCUMENTS_FIRST = "documents d CROSS JOIN mentions m ON m.document_id = d.id"
_MENTIONS_FIRST = "mentions m CROSS JOIN documents d ON d.id = m.document_id"


def compute_trends(db: Database, *, window: str = "week", baseline_windows: int = 8,
                   full: bool = False, min_support: int = DEFAULT_MIN_SUPPORT) -> dict:
    """Recompute trend tables for the windows touched since the last run (all if full)."""
    window_of(dt.date.today(), window)  # an unknown window fails before any write
    settings = {"baseline_windows": baseline_windows, "min_support": min_support}
    state = _state(db, window)
    full = full or state is None or any(state[key] != value for key, value in settings.items())
    mark = None if full else state["tagged_through"]
    through = db.execute("SELECT MAX(tagged_at) FROM documents").fetchone()[0]
    if full:
        _clear(db, window)
        counted = _all_windows(db, window)
    else:
        counted = _touched_windows(db, window, mark)
    scored = _windows_to_score(db, counted, window, baseline_windows)
    rows = sum(_recompute_window(db, window, start, start in counted, baseline_windows,
                                 min_support) for start in sorted(counted | scored))
    with transaction(db):
        rows += _update_first_mentions(db, window, mark)
        _remember_document_windows(db, window, mark)
        _save_state(db, window, through, settings)
    stats = {"window": window, "full": full, "windows_recomputed": len(counted),
             "windows_rescored": len(counted | scored), "rows_written": rows}
    logger.info("trends: %s", stats)
    return stats


def _state(db: Database, window: str) -> dict | None:
    rows = list(db.query('SELECT * FROM trend_state WHERE "window" = ?', [window]))
    return rows[0] if rows else None


def _save_state(db: Database, window: str, through: str | None, settings: dict) -> None:
    db.execute(
        'INSERT OR REPLACE INTO trend_state ("window", tagged_through, baseline_windows, '
        "min_support, computed_at) VALUES (?, ?, ?, ?, ?)",
        [window, through or "", settings["baseline_windows"], settings["min_support"],
         utc_now()])


def _clear(db: Database, window: str) -> None:
    with transaction(db):
        for table in ("trend_state", "trends", "trend_windows", "first_mentions",
                      "share_of_voice", "trend_document_windows"):
            db.execute(f'DELETE FROM {table} WHERE "window" = ?', [window])


def _all_windows(db: Database, window: str) -> set[dt.date]:
    first, last = db.execute(
        f"SELECT MIN({_WHEN}), MAX({_WHEN}) FROM documents d WHERE {_TAGGED}").fetchone()
    return set(windows_between(first, last, window)) if first else set()


def _touched_windows(db: Database, window: str, mark: str) -> set[dt.date]:
    """Windows holding a document tagged after mark, now or at the last computation."""
    rows = db.execute(
        f"""SELECT {_WHEN}, w.window_start FROM documents d
        LEFT JOIN trend_document_windows w ON w.document_id = d.id AND w."window" = ?
        WHERE d.tagged_at > ?""", [window, mark])
    touched = set()
    for when, old_start in rows:
        if old_start:
            touched.add(as_date(old_start))
        if when:
            touched.add(window_of(when, window))
    return touched


def _windows_to_score(db: Database, counted: set[dt.date], window: str,
                      baseline_windows: int) -> set[dt.date]:
    """Counted windows and the later ones whose baseline includes them (up to the latest)."""
    latest = db.execute('SELECT MAX(window_start) FROM trend_windows WHERE "window" = ?',
                        [window]).fetchone()[0]
    last = max([*counted, *([as_date(latest)] if latest else [])], default=None)
    return {later for start in counted for steps in range(baseline_windows + 1)
            if (later := shift_window(start, window, steps)) <= last}


def _recompute_window(db: Database, window: str, start: dt.date, count: bool,
                      baseline_windows: int, min_support: int) -> int:
    """Count (when asked) and score one window in one transaction; rows written."""
    params = {"window": window, "start": start.isoformat(),
              "end": window_end(start, window).isoformat()}
    with transaction(db):
        written = _count_window(db, params) if count else 0
        return written + _score_window(db, params, baseline_windows, min_support)


def _count_window(db: Database, params: dict) -> int:
    db.execute('DELETE FROM trends WHERE "window" = :window AND window_start = :start', params)
    written = 0
    for kind, sql in _COUNT_SQL.items():
        written += db.execute(
            'INSERT INTO trends ("window", window_start, term_kind, term, count, baseline, '
            f"score) SELECT :window, :start, '{kind}', term, n, 0, 0 FROM ({sql})",
            params).rowcount
    documents = db.execute(_TOTAL_SQL, params).fetchone()[0]
    db.execute('INSERT OR REPLACE INTO trend_windows ("window", window_start, documents, '
               "computed_at) VALUES (:window, :start, :documents, :now)",
               {**params, "documents": documents, "now": utc_now()})
    return written + 1 + _count_share_of_voice(db, params)


def _count_share_of_voice(db: Database, params: dict) -> int:
    db.execute('DELETE FROM share_of_voice WHERE "window" = :window AND window_start = :start',
               params)
    mentions = dict(db.execute(_VOICE_SQL, params).fetchall())
    rows = [(params["window"], params["start"], competitor, mentions[competitor], share)
            for competitor, share in sorted(shares_of(mentions).items())]
    db.conn.executemany('INSERT INTO share_of_voice ("window", window_start, competitor_id, '
                        "mentions, share) VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)


def _score_window(db: Database, params: dict, baseline_windows: int, min_support: int) -> int:
    window, start = params["window"], as_date(params["start"])
    starts = baseline_starts(start, window, baseline_windows)
    totals = _window_totals(db, window, starts[0] if starts else start, start)
    window_total = totals.get(params["start"], 0)
    baseline_totals = [totals.get(day.isoformat(), 0) for day in starts]
    first = (starts[0] if starts else start).isoformat()
    updates = []
    for kind, term, count, base in db.execute(_SCORE_SQL, {**params, "first": first}):
        baseline = expected_count(window_total, [base], baseline_totals)
        score = rising_score(count, window_total, [base], baseline_totals,
                             min_support=min_support)
        updates.append((round(baseline, 4), round(score, 4), window, params["start"], kind, term))
    db.conn.executemany('UPDATE trends SET baseline = ?, score = ? WHERE "window" = ? '
                        "AND window_start = ? AND term_kind = ? AND term = ?", updates)
    return len(updates)


def _window_totals(db: Database, window: str, first: dt.date, last: dt.date) -> dict[str, int]:
    return dict(db.execute(
        'SELECT window_start, documents FROM trend_windows WHERE "window" = ? '
        "AND window_start >= ? AND window_start <= ?",
        [window, first.isoformat(), last.isoformat()]).fetchall())


def _update_first_mentions(db: Database, window: str, mark: str | None) -> int:
    """Keep each entity's earliest document, re-checking entities of touched documents."""
    start_sql = _SQL_WINDOW_START[window].format("c.first_at")
    insert = ('INSERT OR REPLACE INTO first_mentions ("window", window_start, entity_id, '
              f"document_id) SELECT :window, {start_sql}, c.entity_id, c.document_id ")
    params = {"window": window, "mark": mark}
    if mark is None:
        return db.execute(insert + f"FROM ({_first_sql(_DOCUMENTS_FIRST, '1')}) c",
                          params).rowcount
    # Entities whose first document was re-tagged may have lost it: find theirs again.
    lost = [row[0] for row in db.execute(
        'SELECT f.entity_id FROM first_mentions f JOIN documents d ON d.id = f.document_id '
        'WHERE f."window" = :window AND d.tagged_at > :mark', params)]
    params["lost"] = json.dumps(lost)
    db.execute('DELETE FROM first_mentions WHERE "window" = :window '
               "AND entity_id IN (SELECT value FROM json_each(:lost))", params)
    lost_sql = _first_sql(_MENTIONS_FIRST, "m.entity_id IN (SELECT value FROM json_each(:lost))")
    written = db.execute(insert + f"FROM ({lost_sql}) c", params).rowcount
    return written + db.execute(
        insert + f"""FROM ({_first_sql(_DOCUMENTS_FIRST, 'd.tagged_at > :mark')}) c
        LEFT JOIN first_mentions f ON f."window" = :window AND f.entity_id = c.entity_id
        LEFT JOIN documents fd ON fd.id = f.document_id
        WHERE f.entity_id IS NULL OR c.first_at < COALESCE(fd.published_at, fd.fetched_at)""",
        params).rowcount


def _first_sql(tables: str, where: str) -> str:
    return (f"SELECT m.entity_id, d.id AS document_id, MIN({_WHEN}) AS first_at FROM {tables} "
            f"WHERE {_TAGGED} AND {_WHEN} IS NOT NULL AND {where} GROUP BY m.entity_id")


def _remember_document_windows(db: Database, window: str, mark: str | None) -> None:
    """Record each touched document's window, so a later date change finds the old one."""
    start_sql = _SQL_WINDOW_START[window].format(_WHEN)
    db.execute(
        'INSERT OR REPLACE INTO trend_document_windows ("window", document_id, window_start) '
        f"SELECT :window, d.id, {start_sql} FROM documents d "
        f"WHERE {_WHEN} IS NOT NULL AND d.tagged_at > :mark",
        {"window": window, "mark": mark or ""})
