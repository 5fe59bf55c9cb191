"""A loopback HTTP server that injects one fault per endpoint, plus a few good feeds.

Run as a subprocess: `python fault_server.py [--robots-disallow] LOGFILE`; it prints
`PORT <n>` once listening on 127.0.0.1 (never any other address). Every request is
appended to LOGFILE as a JSON line (method, path, headers, monotonic time). With `--robots-disallow`
its /robots.txt says `Disallow: /` for every robot.

The endpoints are listed in ENDPOINTS; each answers the same way every time, except
/retry-after/small, which asks for a retry once and then serves a good feed.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brotli

BOMB_INFLATED_BYTES = 256 * 1024 * 1024
LARGE_BYTES = 50 * 1024 * 1024
HUGE_TEXT_CHARS = 5_000_000
HANG_SECONDS = 30
_CHUNK = 1024 * 1024


def rss(items: list[tuple[str, str, str]], *, prolog: str = "", encoding: str = "utf-8",
        title: str = "Fault server feed") -> bytes:
    """An RSS 2.0 document with (guid, title, description) items, as bytes."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title><link>http://127.0.0.1/{guid}"
        f"</link><description>{text}</description>"
        "<pubDate>Mon, 03 Nov 2025 09:00:00 GMT</pubDate></item>"
        for guid, item_title, text in items)
    head = f'<?xml version="1.0" encoding="{encoding}"?>{prolog}'
    return f"{head}<rss version=\"2.0\"><channel><title>{title}</title>{entries}" \
           "</channel></rss>".encode(encoding)


def good_feed(name: str, count: int) -> bytes:
    items = [(f"{name}-{n}", f"{name.title()} update {n}", f"What changed in {name} {n}.")
             for n in range(1, count + 1)]
    return rss(items, title=f"{name.title()} news")


GOOD_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gamma releases</title>
<id>urn:gamma</id><updated>2025-11-03T09:00:00Z</updated>
<entry><id>urn:gamma:1</id><title>Gamma 2.0</title><link href="http://127.0.0.1/g/1"/>
<updated>2025-11-03T09:00:00Z</updated><summary>Gamma 2.0 ships dashboards.</summary></entry>
<entry><id>urn:gamma:2</id><title>Gamma 2.1</title><link href="http://127.0.0.1/g/2"/>
<updated>2025-11-04T09:00:00Z</updated><summary>Gamma 2.1 fixes exports.</summary></entry>
</feed>"""

XXE_FEED = rss([("xxe-1", "Leak &xxe;", "Body &xxe;")],
               prolog='<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
XXE_PARAMETER_FEED = rss(
    [("xxe-2", "Leak", "Body")],
    prolog='<!DOCTYPE rss [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>')
LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS_FEED = rss([("lol-1", "Laughs &lol9;", "&lol9;")],
                          prolog=f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>')
HTML_ERROR_PAGE = (b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
                   b"<body><h1>Oops</h1><p>We are down for maintenance.</p></body></html>")
# Declares UTF-8, and its first title holds bytes that are not UTF-8 (a Latin-1 "é" and
# a stray 0xFF) next to a correct UTF-8 "é".
BAD_UTF8_FEED = rss([("enc-1", "Caf\u00e9 cr\u00e8me BAD1", "Men BAD2 du jour"),
                     ("enc-2", "Second entry", "Clean text")]
                    ).replace(b"BAD1", b"caf\xe9 \xff").replace(b"BAD2", b"\xe9")
# Raw C0 controls (not allowed in XML 1.0, so the parser falls back to its loose mode)
# and C1 controls (allowed in XML 1.0) in a title and a description.
CONTROL_FEED = rss([("ctl-1", "Bell\x07 escape\x1b[31m csi\u009b nel\u0085 del\x7f end",
                     "Tab\there\u0080 and\x0b vertical\x0c feed\x01 start"),
                    ("ctl-2", "Plain title", "Plain text")])
HUGE_WORDS = "market intelligence changelog pricing launch "
HUGE_TEXT = (HUGE_WORDS * (HUGE_TEXT_CHARS // len(HUGE_WORDS) + 1))[:HUGE_TEXT_CHARS - 3] + "end"
HUGE_FEED = rss([("huge-1", "A five million character entry", HUGE_TEXT)])


def gzip_bomb(size: int) -> bytes:
    """A gzip body of `size` zero bytes, built without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(_CHUNK)
    parts = [compressor.compress(zeros) for _ in range(size // _CHUNK)]
    return b"".join(parts) + compressor.flush()


def brotli_bomb(size: int) -> bytes:
    """A brotli body of `size` zero bytes, built chunk by chunk."""
    compressor = brotli.Compressor(quality=5)
    zeros = bytes(_CHUNK)
    parts = [compressor.process(zeros) for _ in range(size // _CHUNK)]
    return b"".join(parts) + compressor.finish()


class FaultHandler(BaseHTTPRequestHandler):
    log_path: Path
    robots_disallow: bool = False
    protocol_version = "HTTP/1.1"
    bombs: dict[str, bytes] = {}
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self):
        self._log()
        path = urlsplit(self.path).path
        handler = ENDPOINTS.get(path)
        if handler is None and path.startswith("/status/"):
            handler = FaultHandler.status
        if handler is None:
            return self.send_body(404, b"no such fault", "text/plain")
        handler(self)

    # --- helpers ----------------------------------------------------------------

    def send_body(self, status: int, body: bytes, content_type: str | None,
                  headers: dict | None = None) -> None:
        self.send_head(status, content_type, {"Content-Length": str(len(body)),
                                              **(headers or {})})
        self.wfile.write(body)

    def send_head(self, status: int, content_type: str | None, headers: dict) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def count(self) -> int:
        """How many times this path was requested, this one included."""
        with self.lock:
            self.seen[self.path] = self.seen.get(self.path, 0) + 1
            return self.seen[self.path]

    def bomb(self, name: str, build) -> bytes:
        with self.lock:
            if name not in self.bombs:
                self.bombs[name] = build(BOMB_INFLATED_BYTES)
            return self.bombs[name]

    def _log(self) -> None:
        entry = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                 "time": time.monotonic()}
        with self.lock, self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    # --- endpoints --------------------------------------------------------------

    def robots(self):
        rules = "Disallow: /" if self.robots_disallow else "Allow: /"
        self.send_body(200, f"User-agent: *\n{rules}\n".encode(), "text/plain")

    def status(self):
        code = int(self.path.rsplit("/", 1)[1])
        self.send_body(code, f"status {code}".encode(), "text/plain")

    def hang_after_headers(self):
        self.send_head(200, "application/rss+xml", {"Content-Length": "5000"})
        time.sleep(HANG_SECONDS)
        self.close_connection = True

    def slow_drip(self):
        body = good_feed("drip", 3)
        self.send_head(200, "application/rss+xml", {"Content-Length": str(len(body))})
        for byte in body[:HANG_SECONDS * 2]:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)
        self.close_connection = True

    def reset_mid_body(self):
        body = good_feed("reset", 200)
        self.send_head(200, "application/rss+xml", {"Content-Length": str(len(body))})
        self.wfile.write(body[: len(body) // 3])
        self.wfile.flush()
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def truncated(self):
        body = good_feed("truncated", 20)
        self.send_head(200, "application/rss+xml", {"Content-Length": str(len(body) + 5000)})
        self.wfile.write(body)
        self.close_connection = True

    def retry_after_small(self):
        if self.count() == 1:
            return self.send_body(429, b"slow down", "text/plain", {"Retry-After": "1"})
        self.send_body(200, good_feed("patient", 2), "application/rss+xml")

    def retry_after_large(self):
        self.send_body(429, b"slow down", "text/plain", {"Retry-After": "3600"})

    def redirect(self, location: str) -> None:
        self.send_body(302, b"moved", "text/plain", {"Location": location})

    def gzip_bomb(self):
        body = self.bomb("gzip", gzip_bomb)
        self.send_body(200, body, "application/rss+xml", {"Content-Encoding": "gzip"})

    def brotli_bomb(self):
        body = self.bomb("br", brotli_bomb)
        self.send_body(200, body, "application/rss+xml", {"Content-Encoding": "br"})

    def large(self):
        self.send_head(200, "application/rss+xml", {"Content-Length": str(LARGE_BYTES)})
        self.write_zeros(LARGE_BYTES)

    def large_unannounced(self):
        """50 MB with no Content-Length: the size is only known while reading."""
        self.send_head(200, "application/rss+xml", {"Connection": "close"})
        self.write_zeros(LARGE_BYTES)
        self.close_connection = True

    def write_zeros(self, size: int) -> None:
        chunk = b" " * _CHUNK
        try:
            for _ in range(size // _CHUNK):
                self.wfile.write(chunk)
        except OSError:  # the client gave up, as it should
            self.close_connection = True


def _fixed(body: bytes, content_type: str | None = "application/rss+xml",
           headers: dict | None = None):
    return lambda handler: handler.send_body(200, body, content_type, headers)


ENDPOINTS = {
    "/robots.txt": FaultHandler.robots,
    "/good/alpha.xml": _fixed(good_feed("alpha", 3)),
    "/good/beta.xml": _fixed(good_feed("beta", 4)),
    "/good/gamma.atom": _fixed(GOOD_ATOM, "application/atom+xml"),
    "/hang": FaultHandler.hang_after_headers,
    "/drip": FaultHandler.slow_drip,
    "/reset": FaultHandler.reset_mid_body,
    "/truncated": FaultHandler.truncated,
    "/retry-after/small": FaultHandler.retry_after_small,
    "/retry-after/large": FaultHandler.retry_after_large,
    "/loop/a": lambda h: h.redirect("/loop/b"),
    "/loop/b": lambda h: h.redirect("/loop/a"),
    "/redirect/file": lambda h: h.redirect("file:///etc/passwd"),
    "/redirect/ftp": lambda h: h.redirect("ftp://127.0.0.1/feed.xml"),
    "/redirect/data": lambda h: h.redirect("data:text/xml,<rss/>"),
    "/bomb/gzip": FaultHandler.gzip_bomb,
    "/bomb/brotli": FaultHandler.brotli_bomb,
    "/large": FaultHandler.large,
    "/large/unannounced": FaultHandler.large_unannounced,
    "/html-error": _fixed(HTML_ERROR_PAGE, "text/html; charset=utf-8"),
    "/empty": _fixed(b"", "application/rss+xml"),
    "/bad-utf8": _fixed(BAD_UTF8_FEED, "application/rss+xml; charset=utf-8"),
    "/xxe": _fixed(XXE_FEED),
    "/xxe/parameter": _fixed(XXE_PARAMETER_FEED),
    "/billion-laughs": _fixed(BILLION_LAUGHS_FEED),
    "/huge": _fixed(HUGE_FEED),
    "/control-chars": _fixed(CONTROL_FEED),
    "/gzip/good": _fixed(gzip.compress(good_feed("zipped", 2)), "application/rss+xml",
                         {"Content-Encoding": "gzip"}),
}


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Stay quiet when a client hangs up mid-fault: that is what the faults provoke."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def main() -> None:
    args = sys.argv[1:]
    disallow = "--robots-disallow" in args
    log_path = Path([a for a in args if not a.startswith("--")][-1])
    handler = type("Handler", (FaultHandler,), {
        "log_path": log_path, "robots_disallow": disallow, "bombs": {}, "seen": {}})
    server = FaultServer(("127.0.0.1", 0), handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
