"""Keep the crawl log readable: an unreachable site logs one line, not a traceback."""

from __future__ import annotations

import logging

from scrapy import exceptions as scrapy_errors
from scrapy import signals

# Download failures whose message says it all; anything else keeps its traceback.
_EXPECTED = (
    scrapy_errors.CannotResolveHostError, scrapy_errors.DownloadConnectionRefusedError,
    scrapy_errors.DownloadTimeoutError, scrapy_errors.DownloadFailedError,
    scrapy_errors.ResponseDataLossError, scrapy_errors.DownloadCancelledError,
)


class _DropExpectedTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], _EXPECTED):
            record.exc_info = record.exc_text = None
        return True


class QuietRobotsErrors:
    """Logs a robots.txt that cannot be downloaded as one error line, without a traceback.

    The source's own request fails the same way right after, and is recorded with a
    clear reason; a traceback in the cron mail would only look like a crash.
    """

    logger_name = "scrapy.downloadermiddlewares.robotstxt"

    def __init__(self):
        self.filter = _DropExpectedTraceback()

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls()
        logging.getLogger(cls.logger_name).addFilter(extension.filter)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        logging.getLogger(self.logger_name).removeFilter(self.filter)
