"""First item pipeline: clean a fetch's documents, hash their content, choose dedupe keys."""

from __future__ import annotations

import hashlib
import logging
import re

from itemadapter import ItemAdapter

logger = logging.getLogger(__name__)
_WHITESPACE = re.compile(r"\s+")


def content_hash(title: str, text: str) -> str:
    """A hash of what a document says, blind to whitespace-only differences."""
    canonical = _WHITESPACE.sub(" ", f"{title}\n{text}").strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dedupe_key(guid: str | None, url: str | None, hash_: str) -> str:
    """The natural key of a document within its source: guid, else link, else content."""
    if guid:
        return f"guid:{guid}"
    if url:
        return f"url:{url}"
    return f"hash:{hash_}"


def documents_of(item) -> list[ItemAdapter]:
    """The documents a fetch result carries, as adapters."""
    return [ItemAdapter(doc) for doc in ItemAdapter(item).get("documents") or []]


def normalise_document(doc: ItemAdapter) -> bool:
    """Trim, hash and key one document in place; False when it has nothing to keep."""
    title = (doc.get("title") or "").strip()
    text = (doc.get("text") or "").strip()
    if not title and not text:
        return False
    doc["title"] = title or text.split("\n", 1)[0][:200]
    doc["text"] = text
    doc["content_hash"] = content_hash(doc["title"], text)
    doc["dedupe_key"] = dedupe_key(doc.get("guid"), doc.get("url"), doc["content_hash"])
    return True


class NormalisePipeline:
    """Normalises every document of a fetch; drops (and logs) empty ones."""

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        kept = [doc.item for doc in documents_of(item) if normalise_document(doc)]
        dropped = len(adapter.get("documents") or []) - len(kept)
        if dropped:
            logger.info("%s: dropped %d entries with no title and no text",
                        adapter["source_id"], dropped)
        adapter["documents"] = kept
        return item
