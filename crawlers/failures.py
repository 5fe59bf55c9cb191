"""Turn a failed download into a short reason a product manager can act on."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
from twisted.web.client import PartialDownloadError

DNS_FAILED = "DNS lookup failed: the host name does not resolve"
TIMED_OUT = "timed out"
CUT_SHORT = ("the response was cut short: the server closed the connection before sending "
             "the whole body its Content-Length announced")
RESET = "the connection was reset mid-response (the server aborted the transfer)"
NOT_HTTP = "refused a URL that is not http(s)"
TOO_LARGE = "response too large"
REDIRECT_LOOP = "too many redirects: the server keeps redirecting (a redirect loop?)"

_NETWORK_REASONS = [
    ((scrapy_errors.CannotResolveHostError, net_error.DNSLookupError), "dns", DNS_FAILED),
    ((scrapy_errors.DownloadConnectionRefusedError, net_error.ConnectionRefusedError),
     "refused", "connection refused by the server"),
    ((scrapy_errors.DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError),
     "timeout", TIMED_OUT),
    ((scrapy_errors.ResponseDataLossError, PartialDownloadError), "truncated", CUT_SHORT),
    (scrapy_errors.DownloadCancelledError, "cancelled", "the download was cancelled"),
    ((scrapy_errors.UnsupportedURLSchemeError, NotSupported), "scheme", NOT_HTTP),
    (net_error.ConnectionLost, "dropped", "the connection was lost before the response ended"),
    (ResponseNeverReceived, "dropped", "the server closed the connection without a response"),
    ((scrapy_errors.DownloadFailedError, ResponseFailed), "dropped",
     "the response failed mid-transfer"),
]
_TIMEOUT_SECONDS = re.compile(r"longer than ([\d.]+) seconds")
_DNS_HOST = re.compile(r"lookup: (\S+?)\.?$")
_DECOMPRESSION = re.compile(
    r"\((\d+) B compressed, (\d+) B decompressed so far\) exceeded DOWNLOAD_MAXSIZE \((\d+) B\)")


class ResponseTooLarge(IgnoreRequest):
    """A download stopped because the body grew past DOWNLOAD_MAXSIZE."""


def describe_failure(exc: BaseException) -> tuple[str, str, int | None]:
    """(error_type, message, http_status) for an exception from a download or its errback."""
    if isinstance(exc, HttpError):
        return _http_failure(exc.response)
    if isinstance(exc, ResponseTooLarge):
        return "too_large", str(exc), None
    for types, error_type, message in _NETWORK_REASONS:
        if isinstance(exc, types):
            return error_type, _network_message(exc, error_type, message), None
    if isinstance(exc, IgnoreRequest):
        return _ignored(exc)
    return type(exc).__name__.lower(), _detail(exc) or type(exc).__name__, None


def human_size(size: int) -> str:
    """A byte count for people: "405 bytes", "255 KB", "50 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def _network_message(exc: BaseException, error_type: str, message: str) -> str:
    detail = _detail(exc)
    if error_type == "timeout" and (match := _TIMEOUT_SECONDS.search(detail)):
        return f"{message}: no complete response within {float(match[1]):g} seconds"
    if error_type == "dns" and (match := _DNS_HOST.search(detail)):
        return f"{message} ({match[1]})"
    if error_type == "truncated" and _was_reset(exc):
        return RESET
    if error_type in ("truncated", "refused") or not detail:
        return message
    return f"{message} ({detail})"


def _was_reset(exc: BaseException) -> bool:
    """True when the connection died abruptly (RST) rather than closing early but cleanly."""
    cause = exc.__cause__ if isinstance(exc.__cause__, ResponseFailed) else exc
    reasons = getattr(cause, "reasons", None) or []
    return any(r.check(net_error.ConnectionLost) and not r.check(net_error.ConnectionDone)
               for r in reasons)


def _http_failure(response) -> tuple[str, str, int]:
    location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
    target = location.decode("latin-1")[:200] if location else ""
    if target and urlsplit(target).scheme.lower() not in ("", "http", "https"):
        return "scheme", f"{NOT_HTTP}: the server redirected to {target}", response.status
    message = f"HTTP {_status_message(response.status)}"
    request = getattr(response, "request", None)
    retry_after = request.meta.get("retry_after") if request is not None else None
    if retry_after:
        message += (f"; the server asks to retry after {retry_after:.0f}s, "
                    "longer than a crawl waits")
    return "http", message, response.status


def _status_message(status: int) -> str:
    """ "404 Not Found"; Twisted's table, which Scrapy uses, lacks 429 and a few others."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} (non-standard status)"


def _ignored(exc: IgnoreRequest) -> tuple[str, str, None]:
    detail = _detail(exc)
    lowered = detail.lower()
    if "robots.txt" in lowered or "forbidden by robots" in lowered:
        return "robots", "blocked by the site's robots.txt", None
    if match := _DECOMPRESSION.search(detail):
        compressed, _, limit = (int(n) for n in match.groups())
        return "too_large", (
            f"{TOO_LARGE}: more than the {human_size(limit)} limit once decompressed, from "
            f"{human_size(compressed)} compressed (a decompression bomb?)"), None
    if "max size" in lowered or "maxsize" in lowered or "larger than" in lowered:
        return "too_large", f"{TOO_LARGE}: {detail}", None
    if "max redirections" in lowered:
        return "redirects", REDIRECT_LOOP, None
    return "ignored", detail or "request ignored", None


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    if not text and getattr(exc, "reasons", None):
        text = "; ".join(str(r.value) for r in exc.reasons)
    return text[:500]
