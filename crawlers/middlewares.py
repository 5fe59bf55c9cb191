"""Downloader middlewares: retries that honour Retry-After, conditional GET, size limits
and UTF-8 repair."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, NotConfigured
from scrapy.utils.response import response_status_message

from crawlers.failures import TOO_LARGE, ResponseTooLarge, human_size

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting as long as a 429/503 Retry-After asks (up to a cap)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX_SECONDS", 30)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            logger.info("%s asks to retry after %.0fs (more than %.0fs): not retrying",
                        request.url, wait, self.max_wait)
            request.meta["retry_after"] = wait  # read by crawlers.failures
            return response
        retry = self._retry(request, reason)
        if retry is None:
            return response
        if wait:
            await asyncio.sleep(wait)
        return retry


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since from the validators a request carries.

    The spider puts the source's stored validators in request.meta["validators"]; a 304
    answer then reaches the spider as a success that carries no new content.
    """

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CONDITIONAL_GET_ENABLED", True):
            raise NotConfigured
        return cls()

    def process_request(self, request, spider=None):
        validators = request.meta.get("validators") or {}
        if validators.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = validators["etag"]
        if validators.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = validators["last_modified"]
        return None


_ANNOUNCED_SIZE = re.compile(r"Expected to receive (\d+) bytes")
_RECEIVED = "rivalwatch_bytes_received"


class SizeLimitMiddleware:
    """Says "response too large" when Scrapy cancels a download at DOWNLOAD_MAXSIZE.

    Scrapy's download handler cancels a body that outgrows the limit with a bare
    DownloadCancelledError; counting the bytes received tells that apart from any other
    cancellation.
    """

    def __init__(self, max_size: int):
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        crawler.signals.connect(middleware.bytes_received, signal=signals.bytes_received)
        return middleware

    def bytes_received(self, data: bytes, request, spider=None) -> None:
        request.meta[_RECEIVED] = request.meta.get(_RECEIVED, 0) + len(data)

    def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, DownloadCancelledError):
            return None
        limit = request.meta.get("download_maxsize", self.max_size)
        announced = _ANNOUNCED_SIZE.search(str(exception))
        if announced:
            raise ResponseTooLarge(f"{TOO_LARGE}: the server announced "
                                   f"{human_size(int(announced[1]))}, more than the "
                                   f"{human_size(limit)} limit")
        if limit and request.meta.get(_RECEIVED, 0) > limit:
            raise ResponseTooLarge(f"{TOO_LARGE}: more than the {human_size(limit)} limit "
                                   "arrived, so the download was stopped")
        return None


_CHARSET = re.compile(rb"charset\s*=\s*[\"']?utf-?8\b", re.IGNORECASE)
_XML_UTF8 = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*[\"']utf-?8[\"']",
                       re.IGNORECASE)


def declares_utf8(content_type: bytes | None, body: bytes) -> bool:
    """True when the HTTP charset or the XML declaration says the body is UTF-8."""
    return bool(_CHARSET.search(content_type or b"") or _XML_UTF8.match(body[:200]))


def repair_utf8(body: bytes) -> bytes:
    """The body with each invalid UTF-8 sequence replaced by U+FFFD, as browsers decode it."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", "replace").encode("utf-8")
    return body


class Utf8RepairMiddleware:
    """Replaces invalid bytes in a body that declares UTF-8, so one bad byte stays local.

    Without it, feedparser re-reads a whole feed as windows-1252 when one byte is not
    UTF-8, which garbles every accented letter of every entry.
    """

    def process_response(self, request, response, spider=None):
        if not declares_utf8(response.headers.get(b"Content-Type"), response.body):
            return response
        body = repair_utf8(response.body)
        if body is response.body:
            return response
        logger.info("%s declares UTF-8 but has invalid bytes: replaced them with U+FFFD",
                    response.url)
        return response.replace(body=body)
