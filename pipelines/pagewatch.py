"""Page watch: record how a watched page changed and how its prices moved."""

from __future__ import annotations

import json

from sqlite_utils import Database

from pipelines.pagediff import compare_price_points, diff_snapshots

_PRICE_FIELDS = ("plan", "amount", "currency", "period", "unit", "contact_sales")


def record_page_change(db: Database, old: dict, new: dict, now: str) -> dict | None:
    """Store the diff between a page's previous and new snapshot; None when nothing changed."""
    change = diff_snapshots(old["text"] or "", new["text"] or "", label=new.get("url") or "")
    if change is None:
        return None
    row = {
        "source_id": new["source_id"], "competitor_id": new["competitor_id"],
        "document_id": old["id"], "detected_at": now, "old_hash": old["content_hash"],
        "new_hash": new["content_hash"], "diff": change.diff,
        "added": "\n".join(change.added), "removed": "\n".join(change.removed),
        "significance": round(change.significance, 3),
    }
    row["id"] = db["page_changes"].insert(row).last_pk
    return row


def record_prices(db: Database, snapshot: dict, points: list[dict], now: str) -> list[dict]:
    """Update a page's current price points; returns the price changes (none on a baseline)."""
    current = _current_points(db, snapshot["source_id"])
    if not current:
        _insert_points(db, snapshot, points, now)
        return []
    changes = compare_price_points(list(current.values()), points)
    if not changes:
        db.execute("UPDATE price_points SET last_seen_at = ? WHERE source_id = ? AND current = 1",
                   [now, snapshot["source_id"]])
        return []
    db.execute("UPDATE price_points SET current = 0 WHERE source_id = ? AND current = 1",
               [snapshot["source_id"]])
    _insert_points(db, snapshot, points, now)
    return [_record_change(db, snapshot, change, now) for change in changes]


def _current_points(db: Database, source_id: str) -> dict[int, dict]:
    rows = db.query("SELECT * FROM price_points WHERE source_id = ? AND current = 1", [source_id])
    return {r["id"]: {f: (bool(r[f]) if f == "contact_sales" else r[f]) for f in _PRICE_FIELDS}
            for r in rows}


def _insert_points(db: Database, snapshot: dict, points: list[dict], now: str) -> None:
    db["price_points"].insert_all([
        {**{f: p.get(f) for f in _PRICE_FIELDS}, "contact_sales": int(bool(p.get("contact_sales"))),
         "source_id": snapshot["source_id"], "competitor_id": snapshot["competitor_id"],
         "first_seen_at": now, "last_seen_at": now, "current": 1}
        for p in points
    ])


def _record_change(db: Database, snapshot: dict, change, now: str) -> dict:
    row = {
        "source_id": snapshot["source_id"], "competitor_id": snapshot["competitor_id"],
        "detected_at": now, "plan": change.plan, "change": change.change,
        "old": json.dumps(change.old) if change.old else None,
        "new": json.dumps(change.new) if change.new else None, "summary": change.summary,
    }
    db["price_changes"].insert(row)
    db["events"].insert({"document_id": snapshot["id"], "competitor_id": snapshot["competitor_id"],
                         "type": "pricing", "evidence": change.summary, "source": "pagewatch"})
    return row
