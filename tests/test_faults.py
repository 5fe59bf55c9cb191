"""One real crawl over every injected fault: the run finishes, good sources are stored,
each failure is recorded with a clear reason, and memory stays bounded.

Every server listens on 127.0.0.1 (tests/servers/fault_server.py); the one DNS name that
is not loopback is answered by tests/servers/loopback_resolver.py without any query.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.failures import human_size
from crawlers.feeds import parse_feed
from crawlers.middlewares import declares_utf8, repair_utf8
from tests.conftest import ROOT, TEST_PYTHONPATH, start_server
from tests.servers import fault_server
from tests.servers.loopback_resolver import loopback_address

pytestmark = pytest.mark.slow

MAX_SIZE_MB = 8
PEAK_MEMORY_MB = 400
DNS_HOST = "feeds.rivalwatch-test.invalid"
SETTINGS = {
    "TWISTED_DNS_RESOLVER": "tests.servers.loopback_resolver.LoopbackResolver",
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_AFTER_MAX_SECONDS": "5",
}

# Good sources: (source id, path on the fault server, entries it must store).
GOOD_SOURCES = [
    ("good-alpha", "/good/alpha.xml", 3),
    ("good-beta", "/good/beta.xml", 4),
    ("good-gamma", "/good/gamma.atom", 2),
    ("good-gzip", "/gzip/good", 2),
    ("retry-after-small", "/retry-after/small", 2),
    ("huge-entry", "/huge", 1),
    ("control-chars", "/control-chars", 2),
    ("bad-utf8", "/bad-utf8", 2),
]

# Faults: (source id, fetch_errors.error_type, URL ({fault}, {robots}, {refused} are
# server bases), the exact start of its sources.last_error, words it must also contain).
XXE = "not a feed: refused an XML document that declares external entities"
LAUGHS = "not a feed: refused an XML document whose entities expand into each other"
NOT_HTTP = "refused a URL that is not http(s): the server redirected to "
FAULTS = [
    ("dns-failure", "dns", f"http://{DNS_HOST}/feed.xml",
     "DNS lookup failed: the host name does not resolve", [DNS_HOST]),
    ("connection-refused", "refused", "{refused}/feed.xml",
     "connection refused by the server", []),
    ("hang-after-headers", "timeout", "{fault}/hang",
     "timed out: no complete response within 3 seconds", []),
    ("slow-drip", "timeout", "{fault}/drip",
     "timed out: no complete response within 3 seconds", []),
    ("reset-mid-body", "truncated", "{fault}/reset", "the connection was reset", []),
    ("truncated-body", "truncated", "{fault}/truncated", "the response was cut short",
     ["Content-Length"]),
    ("http-404", "http", "{fault}/status/404", "HTTP 404 Not Found", []),
    ("http-410", "http", "{fault}/status/410", "HTTP 410 Gone", []),
    ("http-500", "http", "{fault}/status/500", "HTTP 500 Internal Server Error", []),
    ("http-503", "http", "{fault}/status/503", "HTTP 503 Service Unavailable", []),
    ("retry-after-large", "http", "{fault}/retry-after/large",
     "HTTP 429 Too Many Requests; the server asks to retry after 3600s", []),
    ("redirect-loop", "redirects", "{fault}/loop/a", "too many redirects", ["redirect loop"]),
    ("redirect-to-file", "scheme", "{fault}/redirect/file", NOT_HTTP + "file:///etc/passwd", []),
    ("redirect-to-ftp", "scheme", "{fault}/redirect/ftp", NOT_HTTP + "ftp://", []),
    ("redirect-to-data", "scheme", "{fault}/redirect/data", NOT_HTTP + "data:", []),
    ("gzip-bomb", "too_large", "{fault}/bomb/gzip",
     "response too large: more than the 8 MB limit once decompressed", ["bomb"]),
    ("brotli-bomb", "too_large", "{fault}/bomb/brotli",
     "response too large: more than the 8 MB limit once decompressed", ["bomb"]),
    ("large-response", "too_large", "{fault}/large",
     "response too large: the server announced 50 MB, more than the 8 MB limit", []),
    ("large-unannounced", "too_large", "{fault}/large/unannounced",
     "response too large: more than the 8 MB limit arrived", []),
    ("html-error-page", "content", "{fault}/html-error",
     "not a feed: the server returned an HTML page", []),
    ("empty-200", "content", "{fault}/empty", "empty response", []),
    ("xxe", "content", "{fault}/xxe", XXE, []),
    ("xxe-parameter", "content", "{fault}/xxe/parameter", XXE, []),
    ("billion-laughs", "content", "{fault}/billion-laughs", LAUGHS, []),
    ("robots-disallow", "robots", "{robots}/good/alpha.xml",
     "blocked by the site's robots.txt", []),
]


@dataclass
class CrawlRun:
    """What one crawl subprocess did: exit code, output, peak memory, the database."""

    code: int
    output: str
    peak_rss_mb: float
    db: Path
    fault: object
    robots: object

    def rows(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()

    def last_error(self, source_id: str) -> str:
        (error,), = self.rows("SELECT last_error FROM sources WHERE id = ?", [source_id])
        return error or ""


def write_config(path: Path, bases: dict[str, str]) -> None:
    feeds = [(sid, bases["fault"] + p) for sid, p, _ in GOOD_SOURCES]
    feeds += [(sid, url.format(**bases)) for sid, _, url, _, _ in FAULTS]
    blocks = "".join(f'[[feeds]]\nname = "{sid}"\nid = "{sid}"\nurl = "{url}"\n\n'
                     for sid, url in feeds)
    path.write_text(f"""
[project]
name = "Fault watch"
db = "rw.db"
[crawl]
autothrottle = false
retries = 1
max_size_mb = {MAX_SIZE_MB}
concurrent_per_domain = 16
concurrent_requests = 32

{blocks}""")


def run_measured(cwd: Path, *args: str) -> tuple[int, str, float]:
    """Run `rivalwatch` in a subprocess; its exit code, output and peak RSS in MB.

    os.wait4 reports the peak of the child and of every descendant it waited for (the
    crawl runs in a forked grandchild), unlike RUSAGE_CHILDREN, which also counts every
    other subprocess this test session ever ran.
    """
    env = {**os.environ, "PYTHONPATH": TEST_PYTHONPATH, "RIVALWATCH_CONFIG": ""}
    log = cwd / "crawl.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "rivalwatch", *args], cwd=cwd,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, log.read_text(errors="replace"), usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def crawl_run(tmp_path_factory):
    """The fault servers, a config with every source, and one crawl over all of it."""
    tmp = tmp_path_factory.mktemp("faults")
    script = ROOT / "tests" / "servers" / "fault_server.py"
    fault = start_server(script, log_path=tmp / "fault.jsonl")
    robots = start_server(script, "--robots-disallow", log_path=tmp / "robots.jsonl")
    # Bound but never listening: the kernel refuses connections to it.
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    bases = {"fault": fault.url, "robots": robots.url,
             "refused": f"http://127.0.0.1:{closed.getsockname()[1]}"}
    try:
        write_config(tmp / "rivalwatch.toml", bases)
        settings = [arg for name, value in SETTINGS.items() for arg in ("-s", f"{name}={value}")]
        code, output, peak = run_measured(tmp, "crawl", "-c", "rivalwatch.toml", *settings)
        yield CrawlRun(code, output, peak, tmp / "rw.db", fault, robots)
    finally:
        closed.close()
        for server in (fault, robots):
            server.process.kill()
            server.process.wait()


def test_the_run_finishes_and_exits_3(crawl_run):
    assert crawl_run.code == 3, crawl_run.output
    assert "Traceback" not in crawl_run.output


def test_every_good_source_is_fully_stored(crawl_run):
    counts = dict(crawl_run.rows("SELECT source_id, count(*) FROM documents GROUP BY 1"))
    assert counts == {sid: n for sid, _, n in GOOD_SOURCES}
    healthy = crawl_run.rows("SELECT id FROM sources WHERE consecutive_failures = 0 "
                             "AND last_success_at IS NOT NULL ORDER BY id")
    assert [h[0] for h in healthy] == sorted(sid for sid, _, _ in GOOD_SOURCES)


@pytest.mark.parametrize(("source_id", "error_type", "url", "reason", "words"), FAULTS,
                         ids=[f[0] for f in FAULTS])
def test_fault_is_recorded_with_a_clear_reason(crawl_run, source_id, error_type, url, reason,
                                               words):
    error = crawl_run.last_error(source_id)
    assert error.startswith(reason), error
    for word in words:
        assert word in error, error
    (failures, documents), = crawl_run.rows(
        "SELECT consecutive_failures, (SELECT count(*) FROM documents WHERE source_id = ?) "
        "FROM sources WHERE id = ?", [source_id, source_id])
    assert (failures, documents) == (1, 0)
    assert crawl_run.rows("SELECT error_type, message FROM fetch_errors WHERE source_id = ?",
                          [source_id]) == [(error_type, error)]


def test_every_failure_is_listed_in_the_summary(crawl_run):
    for source_id, *_ in FAULTS:
        assert f"FAILED {source_id}: " in crawl_run.output
    assert f"{len(GOOD_SOURCES)} fetched" in crawl_run.output
    assert f"{len(FAULTS)} failed" in crawl_run.output


def test_peak_memory_stays_bounded(crawl_run):
    assert 0 < crawl_run.peak_rss_mb < PEAK_MEMORY_MB, crawl_run.peak_rss_mb


def test_xxe_never_reads_a_local_file(crawl_run):
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line]
    stored = crawl_run.rows("SELECT title || text FROM documents "
                            "UNION ALL SELECT message FROM fetch_errors")
    everything = "\n".join(row[0] for row in stored) + crawl_run.output
    assert passwd_lines and not [line for line in passwd_lines if line in everything]
    assert "root:x:" not in everything and "/bin/" not in everything


def test_small_retry_after_is_waited_for_and_retried(crawl_run):
    times = [r["time"] for r in crawl_run.fault.requests() if r["path"] == "/retry-after/small"]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9  # the server asked for one second
    titles = crawl_run.rows("SELECT title FROM documents WHERE source_id = "
                            "'retry-after-small' ORDER BY title")
    assert titles == [("Patient update 1",), ("Patient update 2",)]


def test_large_retry_after_gives_up_without_retrying(crawl_run):
    paths = [r["path"] for r in crawl_run.fault.requests()]
    assert paths.count("/retry-after/large") == 1


def test_redirect_to_another_scheme_is_never_followed(crawl_run):
    for source_id in ("redirect-to-file", "redirect-to-ftp", "redirect-to-data"):
        assert crawl_run.rows("SELECT count(*) FROM documents WHERE source_id = ?",
                              [source_id]) == [(0,)]


def test_robots_disallow_sends_no_feed_request(crawl_run):
    assert [r["path"] for r in crawl_run.robots.requests()] == ["/robots.txt"]


def test_five_million_character_entry_is_stored_whole(crawl_run):
    (title, text), = crawl_run.rows(
        "SELECT title, text FROM documents WHERE source_id = 'huge-entry'")
    assert title == "A five million character entry"
    assert len(text) == fault_server.HUGE_TEXT_CHARS
    assert text == fault_server.HUGE_TEXT


def test_control_characters_are_stored_as_the_parser_gave_them(crawl_run):
    parsed = parse_feed(fault_server.CONTROL_FEED, "http://127.0.0.1/control-chars",
                        content_type="application/rss+xml")
    expected = sorted((e.title.strip(), e.text.strip()) for e in parsed.entries)
    stored = crawl_run.rows("SELECT title, text FROM documents "
                            "WHERE source_id = 'control-chars' ORDER BY title")
    assert stored == expected
    title = next(t for t, _ in stored if t.startswith("Bell"))
    assert "[31m" in title and title.endswith(" end")


def test_invalid_utf8_is_stored_with_replacement_characters(crawl_run):
    stored = dict(crawl_run.rows("SELECT title, text FROM documents "
                                 "WHERE source_id = 'bad-utf8'"))
    assert stored == {"Caf\u00e9 cr\u00e8me caf\ufffd \ufffd": "Men \ufffd du jour",
                      "Second entry": "Clean text"}


@pytest.mark.parametrize(("name", "address"), [
    ("127.0.0.1", "127.0.0.1"), ("127.1.2.3", "127.1.2.3"), ("localhost", "127.0.0.1"),
    ("LOCALHOST.", "127.0.0.1"), ("feeds.localhost", "127.0.0.1"),
    (DNS_HOST, None), ("example.com", None), ("10.0.0.1", None), ("127.0.0.1.example", None),
    ("localhost.example.com", None), ("", None),
])
def test_loopback_resolver_answers_only_loopback_names(name, address):
    assert loopback_address(name) == address


@pytest.mark.parametrize(("content_type", "body", "declared"), [
    (b"application/rss+xml; charset=utf-8", b"<rss/>", True),
    (b"text/html; charset=UTF8", b"<html/>", True),
    (b'text/xml; charset="utf-8"', b"<rss/>", True),
    (b"application/rss+xml", b'<?xml version="1.0" encoding="UTF-8"?><rss/>', True),
    (None, b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><rss/>", True),
    (b"application/rss+xml; charset=iso-8859-1", b"<rss/>", False),
    (b"application/rss+xml", b'<?xml version="1.0" encoding="windows-1252"?><rss/>', False),
    (b"application/rss+xml", b"<rss/>", False),
    (b"text/plain; charset=utf-16", b"", False),
])
def test_declares_utf8(content_type, body, declared):
    assert declares_utf8(content_type, body) is declared


@pytest.mark.parametrize(("body", "repaired"), [
    (b"caf\xc3\xa9", b"caf\xc3\xa9"),
    (b"caf\xe9", b"caf\xef\xbf\xbd"),
    (b"\xff\xfe ok \xc3(", b"\xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd("),
    (b"", b""),
])
def test_repair_utf8_replaces_only_invalid_bytes(body, repaired):
    assert repair_utf8(body) == repaired


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 bytes"), (405, "405 bytes"), (260934, "255 KB"), (8 * 1024 * 1024, "8 MB"),
    (52428800, "50 MB"), (2_500_000, "2.4 MB"),
])
def test_human_size(size, text):
    assert human_size(size) == text
