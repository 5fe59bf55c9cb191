"""First item pipeline: clean documents, hash their content and choose their dedupe key."""

from __future__ import annotations

import hashlib
import re

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

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


def is_document(adapter: ItemAdapter) -> bool:
    return "kind" in adapter.field_names()


class NormalisePipeline:
    """Trims titles and text, hashes the content and picks the dedupe key."""

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if not is_document(adapter):
            return item
        title = (adapter.get("title") or "").strip()
        text = (adapter.get("text") or "").strip()
        if not title and not text:
            raise DropItem(f"empty entry from {adapter.get('source_id')}: no title and no text")
        adapter["title"] = title or text.split("\n", 1)[0][:200]
        adapter["text"] = text
        digest = content_hash(adapter["title"], text)
        adapter["content_hash"] = digest
        adapter["dedupe_key"] = dedupe_key(adapter.get("guid"), adapter.get("url"), digest)
        return item
