"""Write documents: insert new ones, update edited ones and keep their old text."""

from __future__ import annotations

import json
from collections import Counter

from sqlite_utils import Database

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


def find_existing(db: Database, doc: dict) -> dict | None:
    """The stored document this one is: same key (guid, else link), else same content.

    Links are not a fallback for entries with a guid: several entries of one feed often
    share a link (a changelog page), and matching them would merge distinct entries.
    """
    lookups = [("dedupe_key", doc["dedupe_key"])]
    if doc["kind"] != "snapshot":
        lookups.append(("content_hash", doc["content_hash"]))
    for column, value in lookups:
        row = next(db.query(f"SELECT * FROM documents WHERE source_id = ? AND [{column}] = ?",
                            [doc["source_id"], value]), None)
        if row:
            return row
    return None


def store_document(db: Database, doc: dict, now: str) -> tuple[str, dict]:
    """Insert or update one document; returns (outcome, stored row)."""
    existing = find_existing(db, doc)
    if existing is None:
        row = _insert(db, doc, now)
        outcome = NEW
    elif existing["content_hash"] == doc["content_hash"]:
        return UNCHANGED, existing
    else:
        row = _update(db, existing, doc, now)
        outcome = UPDATED
    if doc.get("release"):
        store_release(db, row, doc["release"])
    return outcome, row


_DOC_COLUMNS = ("source_id", "competitor_id", "kind", "url", "guid", "dedupe_key", "title",
                "published_at", "text", "content_hash")


_INSERT_SQL = "INSERT INTO documents ({}) VALUES ({})".format(
    ", ".join((*_DOC_COLUMNS, "fetched_at", "revision")), ", ".join("?" * (len(_DOC_COLUMNS) + 2)))


def _insert(db: Database, doc: dict, now: str) -> dict:
    # Plain SQL: this is the hot path of a first crawl (sqlite-utils re-inspects per call).
    row = {c: doc.get(c) for c in _DOC_COLUMNS}
    row.update(fetched_at=doc.get("fetched_at") or now, revision=1, updated_at=None)
    values = [row[c] for c in _DOC_COLUMNS] + [row["fetched_at"], 1]
    row["id"] = db.execute(_INSERT_SQL, values).lastrowid
    return row


def _update(db: Database, existing: dict, doc: dict, now: str) -> dict:
    db["document_revisions"].insert({
        "document_id": existing["id"], "revision": existing["revision"], "replaced_at": now,
        "title": existing["title"], "text": existing["text"],
        "content_hash": existing["content_hash"], "published_at": existing["published_at"],
    })
    changes = {c: doc.get(c) for c in ("url", "title", "text", "content_hash")}
    changes["published_at"] = doc.get("published_at") or existing["published_at"]
    changes.update(updated_at=now, revision=existing["revision"] + 1)
    db["documents"].update(existing["id"], changes)
    return {**existing, **changes}


def store_release(db: Database, document: dict, release: dict) -> None:
    """Upsert the releases row of a release document."""
    items = release.get("items") or []
    counts = Counter(item["type"] for item in items)
    db["releases"].upsert({
        "document_id": document["id"], "competitor_id": document["competitor_id"],
        "source_id": document["source_id"], "version": release.get("version"),
        "released_on": release.get("released_on"), "title": release.get("title"),
        "items": json.dumps(items), "item_counts": json.dumps(dict(sorted(counts.items()))),
        "breaking": int(bool(release.get("breaking"))), "anchor_url": release.get("anchor_url"),
    }, pk="document_id")
