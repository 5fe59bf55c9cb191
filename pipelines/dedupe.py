"""Second item pipeline: drop a document already seen in this crawl."""

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines.normalise import is_document


class DedupePipeline:
    """Drops repeats within one crawl (a feed listing the same entry twice)."""

    def __init__(self):
        self.seen: set[tuple[str, str]] = set()

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if not is_document(adapter):
            return item
        key = (adapter["source_id"], adapter["dedupe_key"])
        if key in self.seen:
            raise DropItem(f"duplicate entry {adapter['dedupe_key']} in {adapter['source_id']}")
        self.seen.add(key)
        return item
