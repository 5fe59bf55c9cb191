"""Benchmark: trends and the weekly report at 10k and 100k documents.

Run from the project root: .venv/bin/python benchmarks/report.py [--small 10000] [--large 100000]
Builds synthetic tagged databases (10 mentions and about 4 key phrases per document,
spread over 52 weeks), then times a full compute_trends, the weekly report of the last
week, and an incremental compute_trends after one day of documents is re-tagged. A third
database holds the first whole weeks (about 10k documents) of the large one's stream:
the same weekly volume with five weeks of history, so against it the large one shows what
a longer history costs, while against the first it shows what a busier week costs.
"""

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.storage import open_db  # noqa: E402
from pipelines.trending import compute_trends  # noqa: E402
from reports import queries, trend_queries  # noqa: E402
from reports.weekly import render_report  # noqa: E402
from reports.weeks import iso_week  # noqa: E402
from rivalwatch.config import parse_config  # noqa: E402

LAST_DAY = dt.date(2026, 11, 29)  # a Sunday: the last week is complete
COMPETITORS = [f"Rival {i:02d}" for i in range(20)]
EVENTS = ["launch", "pricing", "funding", "partnership", "security", "outage"]


def config_text() -> str:
    """A config naming the synthetic competitors (the report lists them)."""
    blocks = [f'[[competitors]]\nname = "{name}"\n' for name in COMPETITORS]
    return '[project]\nname = "Benchmark"\n\n' + "\n".join(blocks)


def entity_rows() -> list[tuple]:
    """Competitors, their products, organisations and topics as the tag stage stores them."""
    rows = [(f"competitor:rival-{i:02d}", "competitor", name, f"rival-{i:02d}")
            for i, name in enumerate(COMPETITORS)]
    rows += [(f"product:rival-{i % 20:02d}/p{i}", "product", f"Product {i}", f"rival-{i % 20:02d}")
             for i in range(100)]
    rows += [(f"org:org-{i}", "org", f"Org {i}", None) for i in range(3000)]
    return rows + [(f"topic:topic-{i}", "topic", f"Topic {i}", None) for i in range(40)]


def zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def document_days(total: int, weeks: int) -> list[dt.date]:
    """Publication days in stream order: an even flow over `weeks` weeks up to LAST_DAY."""
    first = LAST_DAY - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    span = (LAST_DAY - first).days + 1
    return [first + dt.timedelta(days=i * span // total) for i in range(total)]


def build(path: Path, days: list[dt.date], seed: int = 7) -> None:
    """A tagged database with one document per day in days (in one transaction)."""
    db = open_db(path)
    rng = np.random.default_rng(seed)
    entities = entity_rows()
    entity_p, phrase_p = zipf_weights(len(entities), 0.9), zipf_weights(20_000, 1.0)
    conn = db.conn
    with conn:
        _insert_registry(conn, entities)
        for start in range(0, len(days), 5000):
            _insert_documents(conn, days[start:start + 5000], start, rng, entity_p, phrase_p,
                              [e[0] for e in entities])
    db.close()


def _insert_registry(conn: sqlite3.Connection, entities: list[tuple]) -> None:
    conn.executemany("INSERT INTO competitors (id, name, active) VALUES (?, ?, 1)",
                     [(f"rival-{i:02d}", name) for i, name in enumerate(COMPETITORS)])
    conn.executemany("INSERT INTO sources (id, competitor_id, kind, url, active) "
                     "VALUES (?, ?, 'feed', ?, 1)",
                     [(f"blog-{i:02d}", f"rival-{i:02d}", f"http://rival{i}.example/feed")
                      for i in range(20)] +
                     [(f"news-{i}", None, f"http://news{i}.example/rss") for i in range(5)])
    conn.executemany("INSERT INTO entities (id, label, name, competitor_id) VALUES (?, ?, ?, ?)",
                     entities)


def _insert_documents(conn, days, offset, rng, entity_p, phrase_p, entity_ids) -> None:
    docs, mentions, phrases, events = [], [], [], []
    for i, day in enumerate(days, start=offset + 1):
        industry = i % 3 == 0
        source = f"news-{i % 5}" if industry else f"blog-{i % 20:02d}"
        when = f"{day.isoformat()}T{i % 24:02d}:00:00Z"
        docs.append((i, source, None if industry else f"rival-{i % 20:02d}", when, when,
                     f"guid:{i}", f"Post {i}", f"Short text of post {i}."))
        for e in np.unique(rng.choice(len(entity_ids), 10, p=entity_p)):
            mentions.append((i, entity_ids[e], 1))
        phrases += [(i, f"phrase {p}", 1) for p in np.unique(rng.choice(20_000, 4, p=phrase_p))]
        if i % 4 == 0:
            events.append((i, EVENTS[i % len(EVENTS)], "benchmark", "nlp"))
    conn.executemany(
        "INSERT INTO documents (id, source_id, competitor_id, kind, published_at, fetched_at, "
        "dedupe_key, title, text, tagged_at, content_hash, tagged_hash) VALUES "
        "(?, ?, ?, 'article', ?, ?, ?, ?, ?, '2026-11-30T06:00:00Z', 'h', 'h')", docs)
    conn.executemany("INSERT INTO mentions VALUES (?, ?, ?)", mentions)
    conn.executemany("INSERT INTO keyphrases VALUES (?, ?, ?)", phrases)
    conn.executemany("INSERT INTO events (document_id, type, evidence, source) "
                     "VALUES (?, ?, ?, ?)", events)


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def measure(path: Path, config) -> dict:
    """Seconds for a full compute, the report of the last week, and an incremental run
    after the last day's documents are re-tagged."""
    db = open_db(path)
    last_day = db.execute("SELECT MAX(COALESCE(published_at, fetched_at)) FROM documents "
                          "INDEXED BY idx_documents_when").fetchone()[0][:10]
    window = iso_week(dt.date.fromisoformat(last_day))
    full, stats = timed(lambda: compute_trends(db, full=True))
    report, text = timed(lambda: render_report(db, config, window))
    db.execute("UPDATE documents SET tagged_at = '2026-11-30T07:00:00Z' "
               "WHERE COALESCE(published_at, fetched_at) >= ?", [last_day])
    db.conn.commit()
    incremental, inc = timed(lambda: compute_trends(db))
    top = trend_queries.rising_terms(db, window, limit=1)
    return {"documents": db["documents"].count, "mentions": db["mentions"].count,
            "full": full, "report": report, "incremental": incremental,
            "rows": stats["rows_written"], "recomputed": inc["windows_recomputed"],
            "week_docs": len(queries.documents_in(db, window)),
            "report_chars": len(text), "top": top[0]["term"] if top else "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    config = parse_config(config_text())
    stream = document_days(args.large, weeks=52)
    weeks = max(1, round(52 * args.small / args.large))
    first_weeks = [day for day in stream if day < stream[0] + dt.timedelta(weeks=weeks)]
    cases = {f"{args.small // 1000}k over 52 weeks": document_days(args.small, weeks=52),
             f"first {weeks} weeks of the {args.large // 1000}k": first_weeks,
             f"{args.large // 1000}k over 52 weeks": stream}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, days) in enumerate(cases.items()):
            path = Path(tmp) / f"bench{n}.db"
            built, _ = timed(lambda p=path, d=days: build(p, d))
            results[name] = measure(path, config)
            print(f"built {name} in {built:.1f}s")
    print_results(results)


def print_results(results: dict) -> None:
    print(f"{'database':28} {'docs':>7} {'mentions':>9} {'week':>5} {'full':>8} {'report':>8} "
          f"{'incr.':>8} {'full+rep':>9}  top rising term")
    for name, r in results.items():
        print(f"{name:28} {r['documents']:>7} {r['mentions']:>9} {r['week_docs']:>5} "
              f"{r['full']:>7.2f}s "
              f"{r['report']:>7.3f}s {r['incremental']:>7.3f}s {r['full'] + r['report']:>8.2f}s"
              f"  {r['top']}")
    names = list(results)
    large = results[names[2]]
    for label in names[:2]:
        base = results[label]
        print(f"{names[2]} / {label}: full {large['full'] / base['full']:.2f}x, "
              f"report {large['report'] / base['report']:.2f}x, "
              f"incremental {large['incremental'] / base['incremental']:.2f}x, "
              f"full+report {_sum(large) / _sum(base):.2f}x")


def _sum(result: dict) -> float:
    return result["full"] + result["report"]


if __name__ == "__main__":
    main()
