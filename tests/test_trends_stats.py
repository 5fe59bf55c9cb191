"""Trend statistics (nlp.trends): windows, rising scores, ranking, share of voice."""

import datetime as dt
import math

import numpy as np
import pytest

from nlp.trends import (
    baseline_starts,
    expected_count,
    log_likelihood_ratio,
    rank_rising,
    rising_score,
    score_window,
    share_of_voice,
    shift_window,
    window_of,
    windows_between,
)

D = dt.date

WINDOW_CASES = [
    # (day, window, start of its window)
    ("2026-11-30", "week", D(2026, 11, 30)),            # a Monday starts its own week
    ("2026-12-06", "week", D(2026, 11, 30)),            # Sunday ends it
    ("2026-01-01", "week", D(2025, 12, 29)),            # ISO week 1 starts in December
    ("2026-03-29T23:59:59Z", "week", D(2026, 3, 23)),
    ("2026-03-29T23:30:00-02:00", "week", D(2026, 3, 30)),  # 01:30 UTC on Monday
    ("2026-03-29T10:00:00+00:00", "day", D(2026, 3, 29)),
    ("2026-02-28", "month", D(2026, 2, 1)),
    (D(2024, 2, 29), "month", D(2024, 2, 1)),
    (dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC), "week", D(2026, 4, 27)),
]


@pytest.mark.parametrize(("day", "window", "start"), WINDOW_CASES)
def test_window_of(day, window, start):
    assert window_of(day, window) == start


def test_unknown_window_says_which_are_allowed():
    with pytest.raises(ValueError, match="day, week, month"):
        window_of("2026-01-01", "fortnight")


SHIFT_CASES = [
    (D(2026, 11, 30), "week", -8, D(2026, 10, 5)),
    (D(2026, 12, 28), "week", 1, D(2027, 1, 4)),
    (D(2026, 1, 1), "month", -1, D(2025, 12, 1)),
    (D(2026, 11, 1), "month", 14, D(2028, 1, 1)),
    (D(2026, 3, 1), "day", -1, D(2026, 2, 28)),
]


@pytest.mark.parametrize(("start", "window", "steps", "expected"), SHIFT_CASES)
def test_shift_window(start, window, steps, expected):
    assert shift_window(start, window, steps) == expected


def test_windows_between_and_baseline_starts():
    assert windows_between("2026-01-30", "2026-04-02", "month") == [
        D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)]
    assert baseline_starts("2026-12-02", "week", 3) == [
        D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23)]


# (count, window_total, baseline_counts, baseline_totals, min_support, expected score)
# Expected G-squared values were computed independently as 2N(H(rows) + H(cols) - H(cells)).
SCORE_CASES = [
    (20, 100, [10] * 8, [100] * 8, 3, 7.6845),         # doubled on a small corpus
    (40, 200, [2] * 8, [200] * 8, 3, 119.5349),        # 1% -> 20%: strong evidence
    (3, 1000, [0] * 8, [1000] * 8, 3, 13.1914),        # brand new, just at min support
    (1, 1000, [0] * 8, [1000] * 8, 3, 0.0),            # a single new mention: below support
    (2, 1000, [0] * 8, [1000] * 8, 3, 0.0),
    (100, 1000, [100] * 8, [1000] * 8, 3, 0.0),        # steady large term
    (105, 1000, [100] * 8, [1000] * 8, 3, 0.2430),     # steady, with noise: about zero
    (50, 1000, [100] * 8, [1000] * 8, 3, 0.0),         # falling terms do not rise
    (30, 500, [0] * 8, [0] * 8, 3, 0.0),               # no history: nothing to compare
    (5, 0, [1] * 8, [10] * 8, 3, 0.0),                 # empty window
    (20, 100, [80], [800], 3, 7.6845),                 # only the sums of the baseline count
]


@pytest.mark.parametrize(("count", "total", "counts", "totals", "support", "expected"),
                         SCORE_CASES)
def test_rising_score(count, total, counts, totals, support, expected):
    score = rising_score(count, total, counts, totals, min_support=support)
    assert score == pytest.approx(expected, abs=1e-4)


def test_log_likelihood_ratio_is_symmetric_and_zero_for_equal_rates():
    assert log_likelihood_ratio(10, 100, 80, 800) == pytest.approx(0.0, abs=1e-12)
    assert log_likelihood_ratio(20, 100, 80, 800) == pytest.approx(
        log_likelihood_ratio(80, 800, 20, 100))
    assert log_likelihood_ratio(0, 0, 0, 0) == 0.0


def test_expected_count_is_the_baseline_rate_times_the_window():
    assert expected_count(200, [10, 30], [1000, 1000]) == pytest.approx(4.0)
    assert expected_count(200, [0, 0], [0, 0]) == 0.0


def test_a_single_new_mention_never_ranks_first():
    baseline = [({"pricing": 30, "sso": 10}, 500)] * 8
    counts = {"pricing": 60, "sso": 16, "zanzibar": 1}
    scores = score_window(counts, 500, baseline)
    assert scores["zanzibar"] == 0.0
    assert rank_rising(scores, counts=counts)[0] == "pricing"
    # Even without a support threshold, one mention is weaker evidence than a real rise.
    loose = score_window(counts, 500, baseline, min_support=1)
    assert rank_rising(loose, counts=counts, min_score=0)[0] == "pricing"


def test_rank_rising_drops_non_rising_terms_and_breaks_ties_stably():
    scores = {"b": 12.0, "a": 12.0, "c": 0.0, "d": 50.0, "e": -1.0, "f": 9.0}
    assert rank_rising(scores) == ["d", "a", "b"]  # f: a chance-level rise
    assert rank_rising(scores, counts={"b": 9}) == ["d", "b", "a"]
    assert rank_rising(scores, limit=1) == ["d"]
    assert rank_rising(scores, min_score=0) == ["d", "a", "b", "f"]


def _synthetic_weeks(seed: int, weeks: int, rise_week: int, docs: int = 300) -> list[dict]:
    """Document counts per term and week: 150 steady terms, a large one, a planted riser."""
    rng = np.random.default_rng(seed)
    rates = {f"term-{i:03d}": 0.3 / (i + 1) ** 0.7 for i in range(150)}
    rates["steady-large"] = 0.6
    corpus = []
    for week in range(weeks):
        planted = 0.15 if week == rise_week else (0.004 if week % 3 == 1 else 0.0)
        counts = {term: int(rng.binomial(docs, p)) for term, p in
                  {**rates, "ai agents": planted}.items()}
        corpus.append({term: n for term, n in counts.items() if n})
    return corpus


def _ranking(corpus: list[dict], week: int, docs: int = 300) -> tuple[list[str], dict]:
    baseline = [(counts, docs) for counts in corpus[max(0, week - 8):week]]
    scores = score_window(corpus[week], docs, baseline)
    return rank_rising(scores, counts=corpus[week]), scores


@pytest.mark.parametrize("seed", range(5))
def test_planted_trend_tops_its_week_and_is_nowhere_near_the_top_before(seed):
    rise = 10
    corpus = _synthetic_weeks(seed, weeks=12, rise_week=rise)
    assert 30 <= corpus[rise]["ai agents"] <= 70
    assert _ranking(corpus, rise)[0][0] == "ai agents"
    for week in range(rise):
        top, scores = _ranking(corpus, week)
        assert "ai agents" not in top, (week, top)
        assert top[:1] != ["steady-large"], week
        assert scores["steady-large"] < 10.83  # chance-level only (p > 0.001)


def test_share_of_voice():
    shares = share_of_voice({"linear": 30, "jira": 10, "asana": 0})
    assert shares == {"linear": 0.75, "jira": 0.25}
    assert math.fsum(share_of_voice({"a": 1, "b": 1, "c": 1}).values()) == pytest.approx(1.0)
    assert share_of_voice({}) == {}
    assert share_of_voice({"a": 0}) == {}
