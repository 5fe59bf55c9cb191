"""A loopback HTTP server over tests/fixtures with real conditional GET.

Run as a subprocess: `python fixture_server.py ROOT LOGFILE`; it prints `PORT <n>` once
listening on 127.0.0.1. Every request is appended to LOGFILE as a JSON line (method,
path, headers), so tests can check what the crawler sent.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

CONTENT_TYPES = {
    ".xml": "application/xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
    ".json": "application/feed+json", ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".rst": "text/x-rst; charset=utf-8",
}


class FixtureHandler(BaseHTTPRequestHandler):
    root: Path
    log_path: Path
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self):
        self._log()
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if parts.path.startswith("/status/"):
            return self._send(int(parts.path.rsplit("/", 1)[1]), b"status page", "text/plain")
        path = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if not path.is_file() or self.root not in path.parents:
            return self._send(404, b"not found", "text/plain")
        self._send_file(path, query)

    def _send_file(self, path: Path, query: dict) -> None:
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if self._not_modified(etag, path.stat().st_mtime):
            return self._send(304, b"", None, {"ETag": etag, "Last-Modified": modified})
        default_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        content_type = query.get("type") or default_type
        self._send(200, body, content_type, {"ETag": etag, "Last-Modified": modified})

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if self.headers.get("If-None-Match"):
            return self.headers["If-None-Match"] == etag
        since = self.headers.get("If-Modified-Since")
        if since:
            parsed = email.utils.parsedate_to_datetime(since)
            return int(mtime) <= parsed.timestamp()
        return False

    def _send(self, status: int, body: bytes, content_type: str | None, headers=None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _log(self) -> None:
        entry = {"method": self.command, "path": self.path, "headers": dict(self.headers)}
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def main() -> None:
    root, log_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    handler = type("Handler", (FixtureHandler,), {"root": root, "log_path": log_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
