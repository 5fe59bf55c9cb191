"""The tag stage: run untagged (or changed) documents through spaCy and store what it found.

Documents are streamed through one `nlp.pipe` (so `--workers` processes start once) and
written back a batch at a time, each batch in one transaction; a killed run loses at most
the batch in flight and the next run resumes with what is still untagged.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from nlp.watchlist import WatchedCompetitor
from pipelines.storage import transaction, utc_now
from rivalwatch.config import Config

if TYPE_CHECKING:
    from nlp.analysis import DocAnalysis

logger = logging.getLogger(__name__)
WRITE_BATCH = 200
_NEEDS_TAGGING = "tagged_at IS NULL OR tagged_hash IS NOT content_hash"


@dataclass
class TagStats:
    """What a tag run did."""

    tagged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    words: int = 0

    def as_dict(self) -> dict:
        return {"tagged": self.tagged, "skipped": sum(self.skipped.values()),
                "skipped_reasons": dict(sorted(self.skipped.items())), "words": self.words}


def watchlist(config: Config) -> list[WatchedCompetitor]:
    """The competitors of the config as the nlp package wants them."""
    return [WatchedCompetitor(id=c.id, name=c.name, aliases=tuple(c.aliases),
                              products=tuple(c.products)) for c in config.competitors]


def pending_count(db: Database) -> int:
    """How many documents are untagged or changed since they were tagged."""
    return db.execute(f"SELECT count(*) FROM documents WHERE {_NEEDS_TAGGING}").fetchone()[0]


def tag_documents(db: Database, config: Config, *, workers: int = 1,
                  progress: Callable[[int], None] | None = None) -> TagStats:
    """Tag every document that needs it; returns counts."""
    ids = [row[0] for row in db.execute(
        f"SELECT id FROM documents WHERE {_NEEDS_TAGGING} ORDER BY id")]
    stats = TagStats()
    if not ids:
        return stats
    from nlp.analysis import analyse_texts  # spaCy loads only when there is work
    from nlp.pipeline import build_pipeline

    nlp = build_pipeline(config.nlp.model, watchlist(config), config.topics.track)
    pending: deque[dict] = deque()  # rows handed to spaCy, not yet written back
    texts = (_text_of(row) for row in _remember(_document_rows(db, ids), pending))
    results = analyse_texts(nlp, texts, batch_size=config.nlp.batch_size, n_process=workers)
    for batch in _batched(results, WRITE_BATCH):
        done = [pending.popleft() for _ in batch]
        _write_batch(db, done, batch, stats)
        if progress:
            progress(len(batch))
    return stats


def _document_rows(db: Database, ids: list[int]) -> Iterator[dict]:
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        yield from db.query(
            f"SELECT id, competitor_id, title, text, content_hash FROM documents "
            f"WHERE id IN ({marks}) ORDER BY id", chunk)


def _remember(rows: Iterator[dict], pending: deque[dict]) -> Iterator[dict]:
    for row in rows:
        pending.append(row)
        yield row


def _text_of(row: dict) -> str:
    title, text = (row["title"] or "").strip(), (row["text"] or "").strip()
    return f"{title}\n\n{text}" if title and title not in text[:len(title) + 5] else text


def _batched(results: Iterator[DocAnalysis], size: int) -> Iterator[list[DocAnalysis]]:
    while batch := list(itertools.islice(results, size)):
        yield batch


def _write_batch(db: Database, rows: list[dict], results: list[DocAnalysis],
                 stats: TagStats) -> None:
    now = utc_now()
    with transaction(db):
        for row, result in zip(rows, results, strict=True):
            replace_tags(db, row, result, now)
            if result.skipped:
                stats.skipped[result.skipped] = stats.skipped.get(result.skipped, 0) + 1
            else:
                stats.tagged += 1
                stats.words += len(_text_of(row).split())


def replace_tags(db: Database, row: dict, result: DocAnalysis, now: str) -> None:
    """Replace one document's mentions, events and key phrases; mark it tagged."""
    doc_id = row["id"]
    db.execute("DELETE FROM mentions WHERE document_id = ?", [doc_id])
    db.execute("DELETE FROM keyphrases WHERE document_id = ?", [doc_id])
    db.execute("DELETE FROM events WHERE document_id = ? AND source = 'nlp'", [doc_id])
    _store_entities(db, doc_id, result, now)
    _store_events(db, row, result)
    db.conn.executemany("INSERT INTO keyphrases (document_id, phrase, count) VALUES (?, ?, ?)",
                        [(doc_id, phrase, count) for phrase, count in result.keyphrases])
    db.execute("UPDATE documents SET tagged_at = ?, tagged_hash = ?, tag_skipped = ? "
               "WHERE id = ?", [now, row["content_hash"], result.skipped, doc_id])


def _store_entities(db: Database, doc_id: int, result: DocAnalysis, now: str) -> None:
    db.conn.executemany(
        "INSERT INTO entities (id, label, name, competitor_id, first_seen_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        [(e.key, e.label, e.name, e.competitor_id, now) for e in result.entities])
    db.conn.executemany(
        "INSERT INTO mentions (document_id, entity_id, count) VALUES (?, ?, ?)",
        [(doc_id, e.key, e.count) for e in result.entities])


def _store_events(db: Database, row: dict, result: DocAnalysis) -> None:
    competitor = row["competitor_id"] or _only_competitor(result)
    db.conn.executemany(
        "INSERT INTO events (document_id, competitor_id, type, evidence, source) "
        "VALUES (?, ?, ?, ?, 'nlp')",
        [(row["id"], competitor, e.type, e.evidence) for e in result.events])


def _only_competitor(result: DocAnalysis) -> str | None:
    competitors = {e.competitor_id for e in result.entities
                   if e.key.startswith("competitor:") and e.competitor_id}
    return competitors.pop() if len(competitors) == 1 else None
