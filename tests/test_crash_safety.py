"""Crash safety and concurrency: kill -9 at random points converges; readers never block."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipelines.storage import connect
from tests.conftest import ROOT, TEST_PYTHONPATH, run_cli, start_server

pytestmark = pytest.mark.slow
FEEDS, ENTRIES, KILLS = 30, 20, 10


def make_site(folder: Path) -> None:
    folder.mkdir()
    for f in range(FEEDS):
        items = "".join(
            f"<item><title>Vendor {f} ships feature {e}</title><guid>v{f}-{e}</guid>"
            f"<link>https://vendor{f}.example/{e}</link>"
            f"<pubDate>Mon, {1 + e % 28:02d} Nov 2026 10:00:00 GMT</pubDate>"
            f"<description>Vendor {f} launched feature {e} for teams in Lisbon.</description>"
            "</item>"
            for e in range(ENTRIES))
        (folder / f"feed{f}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>V{f}</title>{items}'
            "</channel></rss>")


def write_config(folder: Path, base: str, db: str) -> None:
    feeds = "".join(f'[[feeds]]\nname = "Vendor {f}"\nurl = "{base}/feed{f}.xml"\n'
                    for f in range(FEEDS))
    (folder / f"{db}.toml").write_text(
        f'[project]\nname = "crash"\ndb = "{db}.db"\n[crawl]\nautothrottle = false\n'
        f"concurrent_per_domain = 4\n{feeds}")


@pytest.fixture
def site(tmp_path):
    make_site(tmp_path / "site")
    server = start_server(ROOT / "tests" / "servers" / "fixture_server.py",
                          str(tmp_path / "site"), log_path=tmp_path / "log.jsonl")
    yield server
    server.process.kill()
    server.process.wait()


def documents(db_path: Path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT source_id, dedupe_key, content_hash FROM documents "
                            "ORDER BY 1, 2").fetchall()


def run_and_kill(folder: Path, after: float) -> None:
    """Start `rivalwatch run` and SIGKILL its whole process group after `after` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "run", "-c", "crash.toml"], cwd=folder,
        env={**os.environ, "PYTHONPATH": TEST_PYTHONPATH}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_kill_9_at_random_points_then_rerun_converges(tmp_path, site):
    write_config(tmp_path, site.url, "reference")
    started = time.monotonic()
    assert run_cli("run", "-c", "reference.toml", cwd=tmp_path).returncode == 0
    full_time = time.monotonic() - started
    reference = documents(tmp_path / "reference.db")
    assert len(reference) == FEEDS * ENTRIES

    write_config(tmp_path, site.url, "crash")
    moments = sorted(random.Random(20261130).uniform(0.3, full_time) for _ in range(KILLS))
    for moment in moments:
        run_and_kill(tmp_path, moment)
        if (tmp_path / "crash.db").exists():
            with sqlite3.connect(tmp_path / "crash.db") as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",), moment
    final = run_cli("run", "-c", "crash.toml", cwd=tmp_path)
    assert final.returncode == 0, final.stderr
    assert documents(tmp_path / "crash.db") == reference
    with sqlite3.connect(tmp_path / "crash.db") as conn:
        assert conn.execute("SELECT count(*) FROM documents WHERE tagged_at IS NULL"
                            ).fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_eight_readers_never_see_a_lock_while_a_crawl_writes(tmp_path, site):
    write_config(tmp_path, site.url, "crash")
    assert run_cli("crawl", "-c", "crash.toml", "--source", "vendor-0", cwd=tmp_path
                   ).returncode == 0
    errors, reads, stop = [], [0], threading.Event()

    def reader():
        db = connect(tmp_path / "crash.db", readonly=True)
        while not stop.is_set():
            try:
                db.execute("SELECT count(*) FROM documents").fetchone()
                db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'feature' "
                           "LIMIT 20").fetchall()
                reads[0] += 1
            except sqlite3.OperationalError as error:
                errors.append(str(error))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        result = run_cli("crawl", "-c", "crash.toml", cwd=tmp_path)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert result.returncode == 0, result.stderr
    assert errors == []
    assert reads[0] > 100
    assert len(documents(tmp_path / "crash.db")) == FEEDS * ENTRIES
