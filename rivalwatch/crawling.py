"""Run the spiders: all kinds in one Scrapy process, isolated in a child process.

The child keeps Twisted's reactor (which cannot restart) out of the caller, so `run`,
`demo` and tests can crawl several times in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from dataclasses import dataclass, field
from pathlib import Path

SPIDERS_BY_KIND = {"feed": "feeds", "changelog": "changelogs", "page": "pages"}


class CrawlFailed(RuntimeError):
    """The crawl process itself failed (not a source: those are recorded and the crawl goes on)."""


@dataclass
class CrawlResult:
    """What a crawl did, summed over its spiders."""

    stats: dict = field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.stats.get(f"rivalwatch/{name}", 0))

    @property
    def sources_failed(self) -> int:
        return self.count("sources_failed")


def crawl(config_path: Path, db_path: Path, *, kinds: list[str] | None = None,
          source_ids: list[str] | None = None, run_id: int | None = None,
          settings: dict | None = None, redis_url: str | None = None) -> CrawlResult:
    """Crawl the configured sources into db_path and return the summed stats.

    With redis_url the process is a worker of a distributed crawl instead: it fetches the
    requests seeded in Redis and pushes its results there (rivalwatch/distributed.py).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    args = (str(config_path), str(db_path), kinds, source_ids, run_id, settings or {}, redis_url,
            sender)
    child = context.Process(target=_crawl_in_child, args=args, name="rivalwatch-crawl")
    child.start()
    sender.close()
    outcome = receiver.recv() if receiver.poll(None) else None
    child.join()
    if not isinstance(outcome, dict) or "error" in outcome:
        detail = outcome.get("error") if isinstance(outcome, dict) else f"exit {child.exitcode}"
        raise CrawlFailed(f"the crawl process failed: {detail}")
    return CrawlResult(stats=outcome["stats"])


def _crawl_in_child(config_path, db_path, kinds, source_ids, run_id, extra, redis_url,
                    sender) -> None:
    try:
        stats = run_spiders(config_path, db_path, kinds, source_ids, run_id, extra,
                            redis_url=redis_url)
        sender.send({"stats": stats})
    except BaseException:  # noqa: BLE001 - report any failure to the parent, then exit
        sender.send({"error": traceback.format_exc(limit=5)})
    finally:
        sender.close()


def run_spiders(config_path, db_path, kinds, source_ids, run_id, extra, *,
                redis_url: str | None = None) -> dict:
    """Run the spiders in this process (its reactor must not have run); returns summed stats."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    # The caller's handlers (terminal, log file) decide what is shown, each at its level.
    settings.setdict({"RIVALWATCH_DB": db_path, "RIVALWATCH_RUN_ID": run_id or 0,
                      "LOG_INSTALL_ROOT_HANDLER": not logging.root.handlers},
                     priority="cmdline")
    if redis_url:
        from rivalwatch.distributed import new_worker_id, worker_settings

        settings.setdict(worker_settings(settings, redis_url, new_worker_id()),
                         priority="cmdline")
    settings.setdict(extra, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for kind in kinds_to_crawl(config_path, kinds, source_ids):
        crawler = process.create_crawler(SPIDERS_BY_KIND[kind])
        crawlers.append(crawler)
        process.crawl(crawler, config=config_path,
                      source=",".join(source_ids) if source_ids else None)
    process.start()
    return _sum_stats(crawler.stats.get_stats() for crawler in crawlers)


def kinds_to_crawl(config_path, kinds, source_ids) -> list[str]:
    """The source kinds that have something to crawl (a spider per kind costs a start-up)."""
    from rivalwatch.config import load_config

    sources = load_config(config_path).sources()
    present = {s.kind for s in sources if not source_ids or s.id in source_ids}
    return [kind for kind in SPIDERS_BY_KIND if kind in present and (not kinds or kind in kinds)]


def _sum_stats(all_stats) -> dict:
    total: dict = {}
    for stats in all_stats:
        for key, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total
