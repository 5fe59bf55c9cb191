"""Second item pipeline: drop documents already seen in this crawl."""

import logging

from itemadapter import ItemAdapter

from pipelines.normalise import documents_of

logger = logging.getLogger(__name__)


class DedupePipeline:
    """Drops repeats within one crawl (a feed listing the same entry twice)."""

    def __init__(self):
        self.seen: set[tuple[str, str]] = set()

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        unique = []
        for doc in documents_of(item):
            key = (doc["source_id"], doc["dedupe_key"])
            if key in self.seen:
                logger.info("duplicate entry %s in %s dropped", doc["dedupe_key"], key[0])
                continue
            self.seen.add(key)
            unique.append(doc.item)
        adapter["documents"] = unique
        return item
