"""The trends stage over a real database: counts, rising terms, first mentions, share of
voice, incremental recomputation that matches a full one, and index use."""

import datetime as dt

import numpy as np
import pytest

from pipelines.storage import open_db
from pipelines.trending import compute_trends
from tests.trend_probes import first_mentions, rising_terms, share_of_voice, term_series

W1, W2, W3 = "2026-11-02", "2026-11-09", "2026-11-16"  # three Mondays


class Corpus:
    """Rows inserted straight into a fresh database, as the tag stage would leave them."""

    def __init__(self, db):
        self.db = db
        db["competitors"].insert_all([{"id": "linear", "name": "Linear"},
                                      {"id": "jira", "name": "Jira"}])
        db["sources"].insert_all([
            {"id": "linear-blog", "competitor_id": "linear", "kind": "feed", "url": "http://l/"},
            {"id": "news", "competitor_id": None, "kind": "feed", "url": "http://n/"}])
        db["entities"].insert_all([
            {"id": "competitor:linear", "label": "competitor", "name": "Linear",
             "competitor_id": "linear"},
            {"id": "competitor:jira", "label": "competitor", "name": "Jira",
             "competitor_id": "jira"},
            {"id": "product:linear/linear-asks", "label": "product", "name": "Linear Asks",
             "competitor_id": "linear"},
            {"id": "org:stripe", "label": "org", "name": "Stripe", "competitor_id": None}])

    def add(self, day, *, source="news", entities=(), phrases=(), events=(),
            tagged_at="2026-12-01T00:00:00Z", published=True) -> int:
        competitor = "linear" if source == "linear-blog" else None
        when = f"{day}T09:00:00Z"
        doc_id = self.db["documents"].insert({
            "source_id": source, "competitor_id": competitor, "kind": "article",
            "dedupe_key": f"k{self.db['documents'].count}", "title": f"Post on {day}",
            "published_at": when if published else None, "fetched_at": when,
            "tagged_at": tagged_at}).last_pk
        self.db["mentions"].insert_all(
            [{"document_id": doc_id, "entity_id": e, "count": n} for e, n in _counted(entities)])
        self.db["keyphrases"].insert_all(
            [{"document_id": doc_id, "phrase": p, "count": 1} for p in phrases])
        self.db["events"].insert_all(
            [{"document_id": doc_id, "type": t, "evidence": t, "source": "nlp"} for t in events])
        return doc_id


def _counted(entities):
    return [(e, 1) if isinstance(e, str) else e for e in entities]


@pytest.fixture
def corpus(tmp_path):
    return Corpus(open_db(tmp_path / "rw.db"))


def trend_rows(db, window_start, window="week"):
    return {(r["term_kind"], r["term"]): r["count"] for r in db.query(
        'SELECT term_kind, term, count FROM trends WHERE "window" = ? AND window_start = ?',
        [window, window_start])}


def test_counts_documents_per_term_kind_in_each_week(corpus):
    corpus.add("2026-11-02", entities=[("competitor:linear", 3), "org:stripe"],
               phrases=["ai agents"], events=["launch", "launch"])
    corpus.add("2026-11-08", source="linear-blog", entities=["product:linear/linear-asks"],
               phrases=["ai agents", "sso"], events=["pricing"])
    corpus.add("2026-11-05", entities=["competitor:jira"], tagged_at=None)  # not tagged yet
    corpus.add("2026-11-09", entities=["competitor:jira"], events=["launch"])
    stats = compute_trends(corpus.db)
    assert stats["full"] and stats["windows_recomputed"] == 2
    assert trend_rows(corpus.db, W1) == {
        ("entity", "competitor:linear"): 1, ("entity", "org:stripe"): 1,
        ("entity", "product:linear/linear-asks"): 1,
        ("keyphrase", "ai agents"): 2, ("keyphrase", "sso"): 1,
        ("competitor", "linear"): 2,  # one mentions it, one is from its own blog
        ("event", "launch"): 1, ("event", "pricing"): 1}
    assert trend_rows(corpus.db, W2) == {("entity", "competitor:jira"): 1,
                                         ("competitor", "jira"): 1, ("event", "launch"): 1}
    assert trend_rows(corpus.db, "2026-11-01", window="month") == {}
    assert corpus.db["trend_windows"].get(("week", W1))["documents"] == 2


def test_month_and_day_windows(corpus):
    corpus.add("2026-10-31", entities=["org:stripe"])
    corpus.add("2026-11-01", entities=["org:stripe"])
    compute_trends(corpus.db, window="month")
    compute_trends(corpus.db, window="day")
    assert trend_rows(corpus.db, "2026-11-01", "month") == {("entity", "org:stripe"): 1}
    assert trend_rows(corpus.db, "2026-10-31", "day") == {("entity", "org:stripe"): 1}
    assert trend_rows(corpus.db, W1) == {}  # weeks were not asked for


def _planted_corpus(corpus, rise_week=9, weeks=11, docs=60, seed=3):
    rng = np.random.default_rng(seed)
    monday = dt.date(2026, 9, 7)
    phrases = [f"phrase {i}" for i in range(40)]
    for week in range(weeks):
        start = monday + dt.timedelta(weeks=week)
        for n in range(docs):
            day = start + dt.timedelta(days=n % 7)
            chosen = [p for i, p in enumerate(phrases) if rng.random() < 0.5 / (i + 1) ** 0.6]
            if week == rise_week and n < 25 or week != rise_week and rng.random() < 0.01:
                chosen.append("usage-based pricing")
            corpus.add(day.isoformat(), entities=["competitor:linear"], phrases=chosen)
    return [monday + dt.timedelta(weeks=week) for week in range(weeks)]


def test_a_planted_trend_rises_to_the_top_of_its_week_only(corpus):
    starts = _planted_corpus(corpus)
    compute_trends(corpus.db)
    top = rising_terms(corpus.db, starts[9])
    assert top[0]["term"] == "usage-based pricing" and top[0]["count"] == 25
    assert top[0]["baseline"] < 2 and top[0]["score"] > 50
    for start in starts[:9]:
        names = [row["term"] for row in rising_terms(corpus.db, start, limit=10)]
        assert "usage-based pricing" not in names, start
    steady = corpus.db.execute(
        "SELECT MAX(score) FROM trends WHERE term = 'competitor:linear'").fetchone()[0]
    assert steady == 0.0  # in every document every week: never rising


def test_term_series_fills_empty_weeks_with_zero(corpus):
    corpus.add("2026-11-03", phrases=["sso"])
    corpus.add("2026-11-18", phrases=["sso"])
    corpus.add("2026-11-19", phrases=["sso"])
    compute_trends(corpus.db)
    assert term_series(corpus.db, "keyphrase", "sso", "2026-11-20", windows=4) == [
        {"window_start": "2026-10-26", "count": 0}, {"window_start": W1, "count": 1},
        {"window_start": W2, "count": 0}, {"window_start": W3, "count": 2}]


def test_first_mentions_follow_the_earliest_document(corpus):
    corpus.add("2026-11-03", entities=["competitor:linear"])
    later = corpus.add("2026-11-17", entities=["competitor:linear", "org:stripe"])
    compute_trends(corpus.db)
    assert [r["entity_id"] for r in first_mentions(corpus.db, W1)] == ["competitor:linear"]
    [stripe] = first_mentions(corpus.db, W3)
    assert (stripe["name"], stripe["document_id"], stripe["label"]) == ("Stripe", later, "org")
    # A backfilled older article mentions Stripe: its first mention moves to week 2.
    older = corpus.add("2026-11-10", entities=["org:stripe"], tagged_at="2026-12-02T00:00:00Z")
    compute_trends(corpus.db)
    assert first_mentions(corpus.db, W3) == []
    assert [r["document_id"] for r in first_mentions(corpus.db, W2)] == [older]
    # Re-tagged without Stripe: the first mention goes back to the later document.
    corpus.db.execute("DELETE FROM mentions WHERE document_id = ?", [older])
    corpus.db.execute("UPDATE documents SET tagged_at = '2026-12-03T00:00:00Z' WHERE id = ?",
                      [older])
    compute_trends(corpus.db)
    assert [r["document_id"] for r in first_mentions(corpus.db, W3)] == [later]
    assert first_mentions(corpus.db, W2) == []


def test_share_of_voice_counts_industry_news_only(corpus):
    corpus.add("2026-11-02", entities=[("competitor:linear", 2), "product:linear/linear-asks"])
    corpus.add("2026-11-03", entities=["competitor:jira", "org:stripe"])
    corpus.add("2026-11-04", source="linear-blog", entities=[("competitor:linear", 9)])
    corpus.add("2026-11-10", entities=["competitor:jira"])
    compute_trends(corpus.db)
    rows = share_of_voice(corpus.db, W2, weeks=3)
    assert [(r["window_start"], r["name"], r["mentions"], r["share"]) for r in rows] == [
        (W1, "Linear", 3, 0.75), (W1, "Jira", 1, 0.25), (W2, "Jira", 1, 1.0)]


def table_dump(db):
    dump = {}
    for table in ("trends", "trend_windows", "first_mentions", "share_of_voice"):
        columns = [c for c in db[table].columns_dict if c != "computed_at"]
        dump[table] = sorted(tuple(row[c] for c in columns) for row in db[table].rows)
    return dump


def test_incremental_recompute_matches_a_full_one(corpus, tmp_path):
    starts = _planted_corpus(corpus, weeks=12)
    compute_trends(corpus.db)
    assert compute_trends(corpus.db)["windows_recomputed"] == 0
    new = "2026-12-05T00:00:00Z"
    corpus.add("2026-10-14", phrases=["sso", "phrase 1"], tagged_at=new)  # week 6
    moved = corpus.db.execute("SELECT id FROM documents WHERE published_at LIKE '2026-09-08%' "
                              "LIMIT 1").fetchone()[0]
    corpus.db.execute("UPDATE documents SET published_at = '2026-11-25T09:00:00Z', "
                      "tagged_at = ? WHERE id = ?", [new, moved])  # week 1 -> week 12
    stats = compute_trends(corpus.db)
    assert stats["windows_recomputed"] == 3  # weeks 1, 6 and 12
    # and the weeks whose 8-week baseline holds one of them: 2-9 after week 1, 7-11 after 6
    assert stats["windows_rescored"] == 12
    incremental = table_dump(corpus.db)
    full_db = open_db(tmp_path / "full.db")
    corpus.db.conn.backup(full_db.conn)  # the same rows, WAL included
    compute_trends(full_db, full=True)
    assert table_dump(full_db) == incremental
    assert trend_rows(corpus.db, starts[11].isoformat())[("keyphrase", "phrase 0")] > 0


def test_changed_settings_force_a_full_recompute(corpus):
    corpus.add("2026-11-02", phrases=["sso"])
    compute_trends(corpus.db)
    assert compute_trends(corpus.db)["full"] is False
    assert compute_trends(corpus.db, baseline_windows=4)["full"] is True


def test_unknown_window_fails_before_writing(corpus):
    with pytest.raises(ValueError, match="fortnight"):
        compute_trends(corpus.db, window="fortnight")


def test_window_counts_walk_an_index_not_the_documents_table(corpus):
    from pipelines.trending import _COUNT_SQL  # the queries compute_trends runs

    params = {"start": W1, "end": W2}
    for kind, sql in _COUNT_SQL.items():
        plan = " | ".join(row[3] for row in corpus.db.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                              params))
        assert "USING COVERING INDEX idx_documents_when" in plan, (kind, plan)
        assert "SCAN d" not in plan, (kind, plan)


def test_an_empty_database_computes_nothing(corpus):
    stats = compute_trends(corpus.db)
    assert (stats["windows_recomputed"], stats["rows_written"]) == (0, 0)
    assert rising_terms(corpus.db, W1) == [] and share_of_voice(corpus.db, W1) == []
