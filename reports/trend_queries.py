"""Read-only queries over the trend tables the trends stage writes."""

from __future__ import annotations

import datetime as dt
import re

from sqlite_utils import Database

from reports.weeks import Window

MIN_RISING_SCORE = 10.83  # G-squared for p < 0.001 with one degree of freedom, as the stage uses


def _week_start(window: Window, weeks_back: int = 0) -> str:
    """Monday of the ISO week holding the window's last day (a --since window ends in it)."""
    monday = window.last_day - dt.timedelta(days=window.last_day.weekday())
    return (monday - dt.timedelta(weeks=weeks_back)).isoformat()


# Numbers and dates rise and fall with the calendar, not the market.
NAMED_LABELS = ("ORG", "PRODUCT", "PERSON", "GPE", "TOPIC", "EVENT", "WORK_OF_ART", "LAW",
                "NORP", "FAC", "LOC")


def rising_terms(db: Database, window: Window, *, limit: int = 10) -> list[dict]:
    """The week's rising names and phrases, best first; a phrase that repeats a rising
    name (the topic "AI agents" and the phrase "ai agents") is shown once."""
    labels = ",".join("?" * len(NAMED_LABELS))
    rows = db.query(
        f"""SELECT t.term_kind, t.term, COALESCE(e.name, t.term) AS name, e.label,
                   t.count, t.baseline, t.score
            FROM trends t LEFT JOIN entities e ON t.term_kind = 'entity' AND e.id = t.term
            WHERE t."window" = 'week' AND t.window_start = ? AND t.score >= ?
              AND ((t.term_kind = 'entity' AND e.label IN ({labels}))
                   OR (t.term_kind = 'keyphrase' AND t.term LIKE '% %'))
            ORDER BY t.score DESC, t.count DESC, t.term_kind, t.term LIMIT ?""",
        [_week_start(window), MIN_RISING_SCORE, *NAMED_LABELS, limit * 2])
    shown, seen = [], set()
    for row in rows:
        key = row["name"].casefold()
        if key not in seen:
            seen.add(key)
            shown.append(row)
    return shown[:limit]


def term_series(db: Database, kind: str, term: str, window: Window, weeks: int = 8) -> list[int]:
    """The term's weekly counts over the `weeks` weeks ending with this one."""
    counts = dict(db.execute(
        """SELECT window_start, count FROM trends WHERE "window" = 'week' AND term_kind = ?
           AND term = ? AND window_start >= ? AND window_start <= ?""",
        [kind, term, _week_start(window, weeks - 1), _week_start(window)]).fetchall())
    return [counts.get(_week_start(window, back), 0) for back in range(weeks - 1, -1, -1)]


_NAME = re.compile(r"^[A-Z][\w&.' -]{2,}$")
_NOT_A_NAME_START = {"New", "Fixed", "Added", "Improved", "Changed", "The", "Our"}


def first_mentions(db: Database, window: Window, *, labels=("ORG", "PRODUCT")) -> list[dict]:
    """Organisations and products first seen this week, with the document that named them;
    what does not look like a name ("100k", "New \"Group") is left out."""
    marks = ",".join("?" * len(labels))
    rows = db.query(
        f"""SELECT f.entity_id, e.label, COALESCE(e.name, f.entity_id) AS name, d.id AS document_id,
                   d.title, COALESCE(d.url, s.url) AS url
            FROM first_mentions f JOIN entities e ON e.id = f.entity_id
            JOIN documents d ON d.id = f.document_id JOIN sources s ON s.id = d.source_id
            WHERE f."window" = 'week' AND f.window_start = ? AND e.label IN ({marks})
              AND e.competitor_id IS NULL
            ORDER BY e.label, name COLLATE NOCASE, f.entity_id""",
        [_week_start(window), *labels])
    named = [row for row in rows if _looks_like_name(row["name"])]
    return [row for n, row in enumerate(named)
            if row["name"] not in {earlier["name"] for earlier in named[:n]}]


def _looks_like_name(name: str) -> bool:
    return bool(_NAME.match(name)) and name.split()[0] not in _NOT_A_NAME_START


def share_of_voice(db: Database, window: Window, *, weeks: int = 12) -> list[dict]:
    """Each competitor's share of industry-news mentions, per week, for `weeks` weeks."""
    return list(db.query(
        """SELECT v.window_start, v.competitor_id, COALESCE(c.name, v.competitor_id) AS name,
                  v.mentions, v.share
           FROM share_of_voice v LEFT JOIN competitors c ON c.id = v.competitor_id
           WHERE v."window" = 'week' AND v.window_start >= ? AND v.window_start <= ?
           ORDER BY v.window_start, v.competitor_id""",
        [_week_start(window, weeks - 1), _week_start(window)]))
