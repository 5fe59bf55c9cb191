"""Trend statistics as pure functions: time windows, rising-term scores, share of voice.

A term's count in a window is the number of documents that mention it; the window total
is the number of documents in the window. A term is rising when its share of documents in
the window is higher than in its trailing baseline, scored by Dunning's log-likelihood
ratio (G-squared) on the 2x2 table of documents with and without the term, inside and
before the window. G-squared grows with the evidence, not with the ratio alone, so one
mention of a new word scores little and a steady large term scores about zero.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

WINDOWS = ("day", "week", "month")
DEFAULT_MIN_SUPPORT = 3
# G-squared above which a rise is listed: chi-squared with 1 degree of freedom at p = 0.001,
# so the weekly chance fluctuations of hundreds of steady terms stay off the list.
MIN_RISING_SCORE = 10.83
Term = TypeVar("Term", bound=Hashable)


def as_date(value: dt.date | str) -> dt.date:
    """The UTC calendar day of a date, a datetime or an ISO 8601 string."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if len(text) <= 10:
        return dt.date.fromisoformat(text)
    return as_date(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def window_of(day: dt.date | str, window: str = "week") -> dt.date:
    """The first day of the window ("day", ISO "week" from Monday, "month") holding day."""
    day = as_date(day)
    if window == "day":
        return day
    if window == "week":
        return day - dt.timedelta(days=day.weekday())
    if window == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown window {window!r}; use one of {', '.join(WINDOWS)}")


def shift_window(start: dt.date | str, window: str, steps: int) -> dt.date:
    """The start of the window `steps` windows after (negative: before) the one at start."""
    start = window_of(start, window)
    if window == "day":
        return start + dt.timedelta(days=steps)
    if window == "week":
        return start + dt.timedelta(weeks=steps)
    months = start.year * 12 + start.month - 1 + steps
    return dt.date(months // 12, months % 12 + 1, 1)


def window_end(start: dt.date | str, window: str) -> dt.date:
    """The first day after the window that starts at start (windows are half-open)."""
    return shift_window(start, window, 1)


def windows_between(first: dt.date | str, last: dt.date | str, window: str) -> list[dt.date]:
    """Starts of every window from the one holding first to the one holding last."""
    current, last_start = window_of(first, window), window_of(last, window)
    starts = []
    while current <= last_start:
        starts.append(current)
        current = shift_window(current, window, 1)
    return starts


def baseline_starts(start: dt.date | str, window: str, windows: int) -> list[dt.date]:
    """Starts of the `windows` windows just before the one at start, oldest first."""
    return [shift_window(start, window, -steps) for steps in range(windows, 0, -1)]


def expected_count(window_total: int, baseline_counts: Sequence[int],
                   baseline_totals: Sequence[int]) -> float:
    """The count the window would have at the baseline's rate (0 without a baseline)."""
    total = sum(baseline_totals)
    return window_total * sum(baseline_counts) / total if total else 0.0


def log_likelihood_ratio(count: int, total: int, other_count: int, other_total: int) -> float:
    """Dunning's G-squared: count of total against other_count of other_total (>= 0)."""
    cells = [(count, total - count), (other_count, other_total - other_count)]
    rows = [total, other_total]
    columns = [count + other_count, total + other_total - count - other_count]
    grand = total + other_total
    if grand == 0:
        return 0.0
    g2 = 0.0
    for i, row in enumerate(cells):
        for j, observed in enumerate(row):
            if observed > 0:
                g2 += observed * math.log(observed * grand / (rows[i] * columns[j]))
    return max(0.0, 2.0 * g2)


def rising_score(count: int, window_total: int, baseline_counts: Sequence[int],
                 baseline_totals: Sequence[int], *,
                 min_support: int = DEFAULT_MIN_SUPPORT) -> float:
    """How strongly a term rose in a window over its baseline: G-squared, 0 if it did not.

    Zero below min_support documents, without a baseline (nothing to compare with), or
    when the term's share of documents did not grow.
    """
    base_count, base_total = sum(baseline_counts), sum(baseline_totals)
    if count < min_support or window_total <= 0 or base_total <= 0:
        return 0.0
    if count * base_total <= base_count * window_total:
        return 0.0
    return log_likelihood_ratio(count, window_total, base_count, base_total)


def rank_rising(scores: Mapping[Term, float], *, counts: Mapping[Term, int] | None = None,
                limit: int = 10, min_score: float = MIN_RISING_SCORE) -> list[Term]:
    """Terms scoring at least min_score, best first (ties: higher count, then term order)."""
    counts = counts or {}
    rising = [term for term, score in scores.items() if score > 0 and score >= min_score]
    rising.sort(key=lambda term: (-scores[term], -counts.get(term, 0), str(term)))
    return rising[:limit]


def score_window(counts: Mapping[Term, int], window_total: int,
                 baseline: Iterable[tuple[Mapping[Term, int], int]], *,
                 min_support: int = DEFAULT_MIN_SUPPORT) -> dict[Term, float]:
    """Score every term of one window against baseline, a list of (counts, total) windows."""
    baseline = list(baseline)
    totals = [total for _, total in baseline]
    return {term: rising_score(count, window_total, [b.get(term, 0) for b, _ in baseline],
                               totals, min_support=min_support)
            for term, count in counts.items()}


def share_of_voice(counts: Mapping[Term, int]) -> dict[Term, float]:
    """Each competitor's share of all mentions (shares sum to 1; empty when none)."""
    total = sum(counts.values())
    if total <= 0:
        return {}
    return {key: count / total for key, count in counts.items() if count > 0}
