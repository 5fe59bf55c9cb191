"""Distributed crawling: 2 workers against 1, on a site that answers every request in 50 ms.

Serves SOURCES generated RSS feeds on 127.0.0.1 through a server that sleeps 50 ms before
every response, starts a redis-server on a free loopback port, then for 1 and for 2
workers (`rivalwatch crawl --redis`, separate processes, each with the same config:
CONCURRENCY requests in flight per worker): waits until the workers are up, seeds the
crawl, and times seed -> every result written to SQLite by the ingester (the code
`rivalwatch run --redis` runs). Prints sources/second for each and the ratio.
Worker start-up (Python and Scrapy imports) is not timed: workers are long-lived.
"""

from __future__ import annotations

import email.utils
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import start_server  # noqa: E402
from tests.servers.redis_server import INSTALL_HINT, REDIS_SERVER, start_redis  # noqa: E402

SOURCES, ENTRIES, CONCURRENCY, LATENCY = 1000, 5, 8, 0.05


def serve(root: str, log_path: str) -> None:
    """The fixture server, 50 ms slower on every response (run as a subprocess)."""
    from http.server import ThreadingHTTPServer

    from tests.servers.fixture_server import FixtureHandler

    class SlowHandler(FixtureHandler):
        def do_GET(self):
            time.sleep(LATENCY)
            super().do_GET()

    handler = type("Handler", (SlowHandler,), {"root": Path(root).resolve(),
                                               "log_path": Path(log_path)})
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


def make_feeds(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(SOURCES):
        items = "".join(
            f"<item><title>Vendor {f} ships feature {e}</title>"
            f"<link>https://vendor{f}.example/news/{e}</link><guid>v{f}-{e}</guid>"
            f"<pubDate>{email.utils.formatdate(1_760_000_000 + e * 86400, usegmt=True)}"
            f"</pubDate><description>Feature {e} of vendor {f}.</description></item>"
            for e in range(ENTRIES))
        (folder / f"feed{f}.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Vendor {f}</title><link>https://vendor{f}.example/</link>{items}"
            "</channel></rss>", encoding="utf-8")


def write_config(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    feeds = "".join(f'[[feeds]]\nname = "Vendor {f}"\nurl = "{base}/feed{f}.xml"\n'
                    for f in range(SOURCES))
    (folder / "rivalwatch.toml").write_text(
        f'[project]\nname = "bench"\ndb = "rw.db"\n[crawl]\nautothrottle = false\n'
        f"retries = 0\nconcurrent_requests = {CONCURRENCY}\n"
        f"concurrent_per_domain = {CONCURRENCY}\n{feeds}", encoding="utf-8")
    return folder / "rivalwatch.toml"


def start_workers(count: int, folder: Path, redis_url: str) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RIVALWATCH_CONFIG": ""}
    return [subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "crawl", "--redis", redis_url, "--wait", "120",
         "-s", "RIVALWATCH_REDIS_POLL=0.1", "-s", "LOG_LEVEL=WARNING"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        for _ in range(count)]


def wait_until_up(client, count: int, timeout: float = 60) -> None:
    from crawlers.redis_queue import alive_key, processing_lists

    deadline = time.monotonic() + timeout
    while sum(client.exists(alive_key(p)) for p in processing_lists(client)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
        time.sleep(0.05)


def timed_crawl(workers: int, folder: Path, base: str, redis_url: str) -> float:
    """Seconds from seeding to every result written, with this many workers."""
    from pipelines.ingest import Ingester
    from pipelines.registry import source_state, sync_config
    from pipelines.storage import open_db
    from rivalwatch.config import load_config
    from rivalwatch.distributed import connect, finish_crawl, seed_crawl

    config = load_config(write_config(folder, base))
    client = connect(redis_url)
    client.flushdb()
    processes = start_workers(workers, folder, redis_url)
    wait_until_up(client, workers)
    db = open_db(config.db_path)
    sync_config(db, config)
    started = time.perf_counter()
    seed_crawl(client, config.path, source_state(db))
    ingester = Ingester(client, db)
    finish_crawl(client, ingester, timeout=600, poll=0.05)
    elapsed = time.perf_counter() - started
    _stop(processes)
    written = ingester.stats["rivalwatch/sources_ok"]
    assert written == SOURCES, f"{written} of {SOURCES} sources written"
    db.close()
    return elapsed


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    if REDIS_SERVER is None:
        sys.exit(INSTALL_HINT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_feeds(tmp / "site")
        site = start_server(Path(__file__), "--serve", str(tmp / "site"),
                            log_path=tmp / "requests.jsonl")
        redis = start_redis(tmp)
        try:
            one = timed_crawl(1, tmp / "one", site.url, redis.url)
            two = timed_crawl(2, tmp / "two", site.url, redis.url)
        finally:
            redis.stop()
            site.process.kill()
    print(f"{SOURCES} feeds, {LATENCY * 1000:.0f} ms per response, {CONCURRENCY} requests in "
          f"flight per worker, {os.cpu_count()} CPU cores")
    print(f"1 worker : {SOURCES / one:7.1f} sources/s ({one:.2f} s)")
    print(f"2 workers: {SOURCES / two:7.1f} sources/s ({two:.2f} s)")
    print(f"ratio 2/1: {one / two:.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3])
    else:
        main()
