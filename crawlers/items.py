"""What the spiders hand to the pipelines: one FetchResultItem per fetched source.

A fetch's documents travel inside its result, so the store pipeline writes them and the
source's new state (validators, health) in one transaction, and Scrapy's per-item
machinery runs once per source rather than once per entry. Pipelines read these through
ItemAdapter and never import this module.
"""

from dataclasses import dataclass, field


@dataclass
class DocumentItem:
    """A feed entry, a release entry or a page snapshot, as fetched."""

    source_id: str
    competitor_id: str | None
    kind: str  # "article" | "release" | "snapshot"
    url: str
    title: str
    text: str
    published_at: str | None = None
    guid: str | None = None
    fetched_at: str | None = None
    release: dict | None = None  # version, released_on, items, breaking, anchor_url
    price_points: list[dict] | None = None  # snapshots of pricing pages
    content_hash: str | None = None  # set by the normalise pipeline
    dedupe_key: str | None = None  # set by the normalise pipeline


@dataclass
class FetchResultItem:
    """The outcome of fetching one source, with the documents it yielded."""

    source_id: str
    url: str
    ok: bool
    status: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    error_type: str | None = None
    message: str | None = None
    fetched_at: str | None = None
    documents: list[DocumentItem] = field(default_factory=list)
