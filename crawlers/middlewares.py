"""Downloader middlewares: retries that honour Retry-After, and conditional GET."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.response import response_status_message

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
            response.meta["retry_after"] = wait
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
