"""Turn a failed download into a short reason a product manager can act on."""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
from twisted.web.client import PartialDownloadError

_NETWORK_REASONS = [
    (scrapy_errors.CannotResolveHostError, "dns",
     "DNS lookup failed: the host name does not resolve"),
    (scrapy_errors.DownloadConnectionRefusedError, "refused", "connection refused by the server"),
    (scrapy_errors.DownloadTimeoutError, "timeout", "timed out"),
    (scrapy_errors.ResponseDataLossError, "truncated",
     "the response was cut short (shorter than its Content-Length)"),
    (scrapy_errors.DownloadCancelledError, "cancelled", "the download was cancelled"),
    (scrapy_errors.UnsupportedURLSchemeError, "scheme", "refused a URL that is not http(s)"),
    (scrapy_errors.DownloadFailedError, "failed", "the download failed"),
    (net_error.DNSLookupError, "dns", "DNS lookup failed: the host name does not resolve"),
    (net_error.ConnectionRefusedError, "refused", "connection refused by the server"),
    ((net_error.TimeoutError, net_error.TCPTimedOutError), "timeout", "timed out"),
    (net_error.ConnectionLost, "dropped", "the connection was lost before the response ended"),
    (ResponseNeverReceived, "dropped", "the server closed the connection without a response"),
    (PartialDownloadError, "truncated",
     "the response was cut short (shorter than its Content-Length)"),
    (ResponseFailed, "dropped", "the response failed mid-transfer"),
    (NotSupported, "scheme", "refused a URL that is not http(s)"),
]


def describe_failure(exc: BaseException) -> tuple[str, str, int | None]:
    """(error_type, message, http_status) for an exception from a download or its errback."""
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http", _http_message(exc.response), status
    for types, error_type, message in _NETWORK_REASONS:
        if isinstance(exc, types):
            return error_type, f"{message} ({_detail(exc)})", None
    if isinstance(exc, IgnoreRequest):
        return _ignored(exc)
    return type(exc).__name__.lower(), _detail(exc) or type(exc).__name__, None


def _http_message(response) -> str:
    from scrapy.utils.response import response_status_message

    message = f"HTTP {response_status_message(response.status)}"
    retry_after = response.meta.get("retry_after") if response.request else None
    if retry_after:
        message += f"; the server asks to retry after {retry_after:.0f}s"
    return message


def _ignored(exc: IgnoreRequest) -> tuple[str, str, None]:
    detail = _detail(exc)
    lowered = detail.lower()
    if "robots.txt" in lowered or "forbidden by robots" in lowered:
        return "robots", "blocked by the site's robots.txt", None
    if "max size" in lowered or "maxsize" in lowered or "larger than" in lowered:
        return "too_large", f"response too large: {detail}", None
    return "ignored", detail or "request ignored", None


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    if not text and getattr(exc, "reasons", None):
        text = "; ".join(str(r.value) for r in exc.reasons)
    return text[:500]
