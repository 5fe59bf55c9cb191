"""Distributed crawling on a real redis-server: workers, the ingester, and their crashes.

The site: 100 generated sources (90 feeds, 5 changelogs, 5 pricing pages) served on
127.0.0.1. A local `rivalwatch crawl` of it is the reference every distributed crawl
must match, document for document.
"""

from __future__ import annotations

import email.utils
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, TEST_PYTHONPATH, run_cli, start_server
from tests.servers.redis_server import INSTALL_HINT, REDIS_SERVER, start_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None, reason=INSTALL_HINT),
    pytest.mark.skipif(importlib.util.find_spec("scrapy_redis") is None,
                       reason="scrapy-redis is not installed: pip install 'rivalwatch[redis]'"),
]

COMPETITORS, FEEDS_PER_COMPETITOR, ENTRIES = 5, 18, 3
SOURCES = COMPETITORS * (FEEDS_PER_COMPETITOR + 2)
FAST = ["-s", "RIVALWATCH_REDIS_POLL=0.2", "-s", "RIVALWATCH_REDIS_HEARTBEAT_TTL=2"]


# --- the site and its config ------------------------------------------------------------

def make_site(root: Path) -> None:
    """Feeds, changelogs and pricing pages for COMPETITORS fictional competitors."""
    root.mkdir(parents=True, exist_ok=True)
    pricing = (FIXTURES / "pages" / "demo-beaconly-pricing.v1.html").read_text()
    for c in range(COMPETITORS):
        for f in range(FEEDS_PER_COMPETITOR):
            (root / f"c{c}-feed{f}.xml").write_text(_rss(c, f), encoding="utf-8")
        (root / f"c{c}-changes.txt").write_text(_changelog(c), encoding="utf-8")
        (root / f"c{c}-pricing.html").write_text(pricing.replace("Beaconly", f"Vendor{c}"),
                                                   encoding="utf-8")


def _rss(c: int, f: int) -> str:
    items = "".join(
        f"<item><title>Vendor{c} feed {f} story {e}</title>"
        f"<link>https://vendor{c}.example/{f}/{e}</link><guid>v{c}-{f}-{e}</guid>"
        f"<pubDate>{email.utils.formatdate(1_790_000_000 + e * 86400 + f * 60, usegmt=True)}"
        f"</pubDate><description>Vendor{c} ships story {e} of feed {f}.</description></item>"
        for e in range(ENTRIES))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Vendor{c} feed {f}</title><link>https://vendor{c}.example/</link>"
            f"{items}</channel></rss>")


def _changelog(c: int) -> str:
    return "".join(
        f"{c + 1}.{minor}.0 (10/{10 + minor:02d}/2026)\n------------------\n\n"
        f"  * Added widget {minor} for Vendor{c}.\n  * Fixed bug {minor}.\n\n"
        for minor in range(3, 0, -1))


def write_config(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parts = ['[project]\nname = "Scale test"\ndb = "rw.db"\n',
             "[crawl]\nautothrottle = false\nretries = 0\nconcurrent_per_domain = 8\n"]
    for c in range(COMPETITORS):
        parts.append(f'[[competitors]]\nname = "Vendor{c}"\n')
        for f in range(FEEDS_PER_COMPETITOR):
            parts.append(_source("feed", f"{base}/c{c}-feed{f}.xml", f"c{c}-feed{f}"))
        parts.append(_source("changelog", f"{base}/c{c}-changes.txt", f"c{c}-changes"))
        parts.append(_source("page", f"{base}/c{c}-pricing.html", f"c{c}-pricing"))
    path = folder / "rivalwatch.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _source(kind: str, url: str, source_id: str) -> str:
    return f'  [[competitors.sources]]\n  kind = "{kind}"\n  url = "{url}"\n  id = "{source_id}"\n'


# --- processes ----------------------------------------------------------------------------

def start_worker(folder: Path, redis_url: str, *extra: str) -> subprocess.Popen:
    """`rivalwatch crawl --redis` in its own process group (it forks the Scrapy process)."""
    env = {**os.environ, "PYTHONPATH": TEST_PYTHONPATH, "RIVALWATCH_CONFIG": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "crawl", "--redis", redis_url, "--wait", "60",
         *FAST, *extra], cwd=folder, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def wait_for(condition, timeout: float = 30, interval: float = 0.01):
    """Poll condition() until it is truthy (a test that waits on a process must poll)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {condition.__name__}"
        time.sleep(interval)
    return value


def seed(folder: Path, redis_url: str) -> int:
    """Seed a crawl from the folder's database, as `rivalwatch run --redis` does."""
    from pipelines.registry import source_state, sync_config
    from pipelines.storage import open_db
    from rivalwatch.config import load_config
    from rivalwatch.distributed import connect, seed_crawl

    config = load_config(folder / "rivalwatch.toml")
    db = open_db(config.db_path)
    sync_config(db, config)
    seeded = seed_crawl(connect(redis_url), config.path, source_state(db))
    db.close()
    return seeded


# --- reading the databases ----------------------------------------------------------------

DOCUMENT_COLUMNS = "source_id, competitor_id, kind, url, guid, title, text, published_at, " \
                   "content_hash, revision"


def documents(db_path: Path) -> list[tuple]:
    return rows(db_path, f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY source_id, guid, url")


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def stored_documents(db_path: Path) -> int:
    """How many documents a database holds now (0 before it exists), read-only."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def releases(db_path: Path) -> list[tuple]:
    return rows(db_path, "SELECT d.source_id, r.version, r.released_on, r.items, r.breaking "
                         "FROM releases r JOIN documents d ON d.id = r.document_id ORDER BY 1, 2")


def source_health(db_path: Path) -> list[tuple]:
    return rows(db_path, "SELECT id, last_status, consecutive_failures, etag IS NOT NULL, "
                         "last_modified IS NOT NULL FROM sources ORDER BY id")


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    make_site(root)
    server = start_server(ROOT / "tests" / "servers" / "fixture_server.py", str(root),
                          log_path=root.parent / f"{root.name}-requests.jsonl")
    yield server
    server.process.kill()
    server.process.wait()


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> Path:
    """The database of a local crawl of the site: what every distributed crawl must store."""
    folder = tmp_path_factory.mktemp("local")
    write_config(folder, site.url)
    result = run_cli("crawl", cwd=folder, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(documents(folder / "rw.db")) > SOURCES * 2
    return folder / "rw.db"


@pytest.fixture
def redis_server(tmp_path):
    server = start_redis(tmp_path)
    yield server
    server.stop()


# --- the whole topology -------------------------------------------------------------------

@pytest.fixture(scope="module")
def distributed(site, reference, tmp_path_factory):
    """Two workers and `rivalwatch run --redis` over the site, crawled twice."""
    folder = tmp_path_factory.mktemp("distributed")
    write_config(folder, site.url)
    server = start_redis(folder)
    outputs = []
    for _ in range(2):
        site.clear_log()
        workers = [start_worker(folder, server.url) for _ in range(2)]
        run = run_cli("run", "-c", "rivalwatch.toml", "--redis", server.url,
                      "--crawl-timeout", "60", cwd=folder, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append({"run": run.stdout, "workers": [finish(w) for w in workers],
                        "requests": site.requests(), "health": source_health(folder / "rw.db"),
                        "documents": documents(folder / "rw.db")})
    yield folder / "rw.db", outputs
    server.stop()


def test_two_workers_store_what_a_local_crawl_stores(distributed, reference):
    db, outputs = distributed
    first = outputs[0]
    assert "Sources: 100 fetched, 0 not modified (304), 0 failed" in first["run"]
    assert first["documents"] == documents(reference)
    assert releases(db) == releases(reference)
    assert first["health"] == source_health(reference)


def test_the_workers_split_the_sources_and_fetch_each_url_once(distributed):
    _, outputs = distributed
    first = outputs[0]
    sent = [int(w.rsplit("Worker done: ", 1)[1].split()[0]) for w in first["workers"]]
    assert sum(sent) == SOURCES and min(sent) > 0, first["workers"]
    fetched = [r["path"] for r in first["requests"] if r["path"] != "/robots.txt"]
    assert len(fetched) == len(set(fetched)) == SOURCES


def test_a_second_crawl_sends_the_stored_validators_and_stores_nothing(distributed, reference):
    db, outputs = distributed
    second = outputs[1]
    assert "Sources: 0 fetched, 100 not modified (304), 0 failed" in second["run"]
    assert "Documents: 0 new, 0 updated, 0 unchanged" in second["run"]
    fetched = [r for r in second["requests"] if r["path"] != "/robots.txt"]
    assert len(fetched) == SOURCES
    assert all("If-None-Match" in r["headers"] for r in fetched)
    assert second["documents"] == documents(reference)
    assert {row[1] for row in second["health"]} == {304}


# --- crashes ------------------------------------------------------------------------------

def test_a_worker_killed_mid_crawl_loses_no_source(site, reference, tmp_path, redis_server):
    from crawlers.redis_queue import processing_lists
    from pipelines.redis_results import RESULTS_KEY

    write_config(tmp_path, site.url)
    assert seed(tmp_path, redis_server.url) == SOURCES
    client = redis_server.client()
    slow = start_worker(tmp_path, redis_server.url, "-s", "CONCURRENT_REQUESTS=1",
                        "-s", "DOWNLOAD_DELAY=0.2")
    wait_for(lambda: client.llen(RESULTS_KEY) >= 5)
    kill_group(slow)
    held = sum(client.llen(key) for key in processing_lists(client))
    assert held > 0, "the worker should have died holding requests"
    survivor = start_worker(tmp_path, redis_server.url)
    ingest = run_cli("ingest", "-c", "rivalwatch.toml", "--redis", redis_server.url,
                     "--follow", "--timeout", "60", cwd=tmp_path, timeout=120)
    finish(survivor)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert "Sources: 100 fetched, 0 not modified (304), 0 failed" in ingest.stdout
    assert documents(tmp_path / "rw.db") == documents(reference)
    assert source_health(tmp_path / "rw.db") == source_health(reference)


def test_an_ingester_killed_mid_drain_loses_nothing(site, reference, tmp_path, redis_server):
    from pipelines.redis_results import RESULTS_KEY

    write_config(tmp_path, site.url)
    seed(tmp_path, redis_server.url)
    elsewhere = tmp_path / "worker"  # a worker needs the config, never the database
    write_config(elsewhere, site.url)
    finish(start_worker(elsewhere, redis_server.url))
    assert not (elsewhere / "rw.db").exists()
    client = redis_server.client()
    assert client.llen(RESULTS_KEY) == SOURCES
    env = {**os.environ, "PYTHONPATH": TEST_PYTHONPATH, "RIVALWATCH_CONFIG": ""}
    ingester = subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "ingest", "--redis", redis_server.url],
        cwd=tmp_path, env=env, start_new_session=True)
    wait_for(lambda: stored_documents(tmp_path / "rw.db") > 0, interval=0.0005)
    kill_group(ingester)
    claimed = client.llen(f"{RESULTS_KEY}:processing:ingester")
    assert claimed > 0, "the ingester should have died holding results"
    assert len(documents(tmp_path / "rw.db")) < len(documents(reference))
    again = run_cli("ingest", "-c", "rivalwatch.toml", "--redis", redis_server.url,
                    cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert documents(tmp_path / "rw.db") == documents(reference)
    assert source_health(tmp_path / "rw.db") == source_health(reference)
    assert client.llen(RESULTS_KEY) == client.llen(f"{RESULTS_KEY}:processing:ingester") == 0


# --- the pieces, in process ---------------------------------------------------------------

def queue_for(client, worker_id: str, *, ttl: float = 15):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawlers.redis_queue import QUEUE_KEY, ReliableQueue

    crawler = get_crawler(Spider, {"RIVALWATCH_WORKER_ID": worker_id,
                                   "RIVALWATCH_REDIS_HEARTBEAT_TTL": ttl})
    spider = Spider.from_crawler(crawler, name="feeds")
    return ReliableQueue(client, spider, QUEUE_KEY)


def source_request(source_id: str, **kwargs):
    from scrapy import Request

    return Request(f"http://127.0.0.1:9/{source_id}.xml", meta={"source_id": source_id},
                   dont_filter=True, **kwargs)


def test_a_popped_request_is_held_until_acknowledged(redis_server):
    client = redis_server.client()
    queue = queue_for(client, "w1")
    queue.push(source_request("a"))
    queue.push(source_request("b"))
    assert queue.pop().meta["source_id"] == "a"
    assert (len(queue), client.llen(queue.processing.key)) == (1, 1)
    assert queue.processing.ack("a") == 1
    assert client.llen(queue.processing.key) == 0
    assert queue.processing.ack("a") == 0


def test_a_retry_replaces_the_held_entry_in_the_queue(redis_server):
    client = redis_server.client()
    queue = queue_for(client, "w1")
    queue.push(source_request("a"))
    popped = queue.pop()
    queue.push(popped.replace(meta={**popped.meta, "retry_times": 1}))
    assert (len(queue), client.llen(queue.processing.key)) == (1, 0)
    assert queue.pop().meta["retry_times"] == 1


def test_a_dead_workers_requests_go_back_to_the_queue(redis_server):
    from crawlers.redis_queue import pending_requests, requeue_orphans

    client = redis_server.client()
    dying, living = queue_for(client, "dying", ttl=0.2), queue_for(client, "living")
    for source_id in "abc":
        dying.push(source_request(source_id))
    dying.pop(), living.pop()
    assert requeue_orphans(client) == 0  # both still beating
    wait_for(lambda: not client.exists(f"{dying.processing.key}:alive"))
    assert requeue_orphans(client) == 1
    assert (len(dying), client.llen(living.processing.key)) == (2, 1)
    assert pending_requests(client) == 3
    assert {dying.pop().meta["source_id"] for _ in range(2)} == {"a", "c"}


def fetch_result(source_id: str, titles: list[str]):
    from crawlers.items import DocumentItem, FetchResultItem
    from pipelines.normalise import NormalisePipeline
    from pipelines.redis_results import encode_result

    docs = [DocumentItem(source_id=source_id, competitor_id=None, kind="article",
                         url=f"https://news.example/{t}", title=t, text=f"{t} happened.",
                         guid=t, fetched_at="2026-11-30T06:00:00Z") for t in titles]
    item = FetchResultItem(source_id=source_id, url="https://news.example/rss", ok=True,
                           status=200, etag='"v1"', fetched_at="2026-11-30T06:00:00Z",
                           documents=docs)
    return encode_result(NormalisePipeline().process_item(item))


@pytest.fixture
def news_db(tmp_path):
    from pipelines.registry import sync_config
    from pipelines.storage import open_db
    from rivalwatch.config import parse_config

    config = parse_config('[[feeds]]\nname = "News"\nurl = "https://news.example/rss"\n',
                          tmp_path / "rivalwatch.toml")
    db = open_db(tmp_path / "rw.db")
    sync_config(db, config)
    yield db
    db.close()


def test_a_result_written_but_not_acknowledged_is_written_again_harmlessly(
        redis_server, news_db):
    from pipelines.ingest import Ingester
    from pipelines.redis_results import RESULTS_KEY

    client = redis_server.client()
    client.lpush(RESULTS_KEY, fetch_result("news", ["launch", "funding"]))
    crashed = Ingester(client, news_db)
    for entry in crashed._claim(0):
        crashed._write(entry)  # committed, then the process dies before acknowledging
    rows_before = list(news_db.query("SELECT * FROM documents ORDER BY id"))
    restarted = Ingester(client, news_db)
    assert restarted.recover() == 1
    assert restarted.drain() == 1
    assert list(news_db.query("SELECT * FROM documents ORDER BY id")) == rows_before
    assert restarted.stats["rivalwatch/documents_unchanged"] == 2
    assert restarted.backlog() == 0


def test_an_unusable_result_is_set_aside_and_the_rest_written(redis_server, news_db):
    from pipelines.ingest import REJECTED_KEY, Ingester
    from pipelines.redis_results import RESULTS_KEY

    client = redis_server.client()
    client.lpush(RESULTS_KEY, fetch_result("gone-source", ["x"]), b"{not json",
                 fetch_result("news", ["launch"]))
    ingester = Ingester(client, news_db)
    assert ingester.drain() == 3
    assert [r["title"] for r in news_db.query("SELECT title FROM documents")] == ["launch"]
    assert client.llen(REJECTED_KEY) == 2 and ingester.backlog() == 0
    assert ingester.stats["rivalwatch/results_rejected"] == 2


# --- the commands' errors -----------------------------------------------------------------

def test_run_redis_without_workers_times_out_saying_why(tmp_path, redis_server):
    write_config(tmp_path, "http://127.0.0.1:9")
    result = run_cli("run", "-c", "rivalwatch.toml", "--redis", redis_server.url,
                     "--crawl-timeout", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert "left 100 sources unfetched after 1 s" in result.stderr
    assert "rivalwatch crawl --redis URL" in result.stderr


def test_an_unreachable_redis_is_a_clear_error(tmp_path):
    from tests.servers.redis_server import free_port

    write_config(tmp_path, "http://127.0.0.1:9")
    url = f"redis://127.0.0.1:{free_port()}/0"
    for command in (["crawl", "--redis", url], ["ingest", "--redis", url]):
        result = run_cli(*command, "-c", "rivalwatch.toml", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert f"cannot reach Redis at {url}" in result.stderr
