"""Sync the config's competitors and sources into the database."""

from __future__ import annotations

import json

from sqlite_utils import Database

from pipelines.storage import transaction, utc_now
from rivalwatch.config import Config


def sync_config(db: Database, config: Config) -> None:
    """Upsert every competitor and source of the config; mark vanished ones inactive."""
    now = utc_now()
    with transaction(db):
        _sync_competitors(db, config, now)
        _sync_sources(db, config, now)


def _sync_competitors(db: Database, config: Config, now: str) -> None:
    rows = [
        {"id": c.id, "name": c.name, "aliases": json.dumps(c.aliases),
         "products": json.dumps(c.products), "homepage": c.homepage, "active": 1,
         "synced_at": now}
        for c in config.competitors
    ]
    db["competitors"].upsert_all(rows, pk="id")
    _deactivate_missing(db, "competitors", [r["id"] for r in rows])


def _sync_sources(db: Database, config: Config, now: str) -> None:
    rows = [
        {"id": s.id, "competitor_id": s.competitor_id, "kind": s.kind, "url": s.url,
         "label": s.label, "releases": int(s.releases), "active": 1,
         "stale_after_days": s.stale_after_days, "synced_at": now}
        for s in config.sources()
    ]
    db["sources"].upsert_all(rows, pk="id")
    _deactivate_missing(db, "sources", [r["id"] for r in rows])


def _deactivate_missing(db: Database, table: str, keep_ids: list[str]) -> None:
    marks = ",".join("?" for _ in keep_ids) or "NULL"
    db.execute(f"UPDATE [{table}] SET active = 0 WHERE id NOT IN ({marks})", keep_ids)


def source_state(db: Database) -> dict[str, dict]:
    """Per source id: the stored validators and back-off time the spiders need."""
    rows = db.execute(
        "SELECT id, etag, last_modified, next_attempt_after FROM sources"
    ).fetchall()
    return {r[0]: {"etag": r[1], "last_modified": r[2], "next_attempt_after": r[3]} for r in rows}
