"""`rivalwatch run` as cron runs it: stages in order, the lock, runs rows, logs, status, cron."""

import fcntl
import json
import sqlite3

import pytest

from rivalwatch.lock import AlreadyRunning, lock_path, run_lock
from tests.conftest import run_cli
from tests.test_crawl_feeds import write_config

pytestmark = pytest.mark.slow


def test_run_does_every_stage_records_timings_and_logs(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    result = run_cli("run", "-c", "rivalwatch.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stages = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert stages == ["crawl", "tag", "trends", "report"]
    with sqlite3.connect(tmp_path / "rw.db") as conn:
        command, status, code, timings, stats = conn.execute(
            "SELECT command, status, exit_code, stage_timings, stats FROM runs "
            "ORDER BY id DESC LIMIT 1").fetchone()
        tagged = conn.execute("SELECT count(*) FROM documents WHERE tagged_at IS NULL").fetchone()
    assert (command, status, code) == ("run", "ok", 0)
    assert set(json.loads(timings)) == {"crawl", "tag", "trends", "report"}
    assert json.loads(stats)["crawl"]["documents_new"] == 12
    assert tagged == (0,)
    log = (tmp_path / "rivalwatch.log").read_text()
    assert "Spider opened" in log
    assert list((tmp_path / "reports").glob("*.md"))


def test_run_exits_3_when_a_source_failed(tmp_path, site_server):
    write_config(tmp_path, site_server.url,
                 f'[[feeds]]\nname = "Broken"\nurl = "{site_server.url}/status/503"\n')
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 3
    assert "FAILED broken: HTTP 503" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_second_run_exits_at_once_while_the_lock_is_held(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    with run_lock(tmp_path / "rw.db"):
        result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 4
    assert "is being updated by pid" in result.stderr
    assert not (tmp_path / "rw.db").exists() or _runs(tmp_path) == 0


def test_the_kernel_releases_the_lock_of_a_dead_process(tmp_path):
    path = lock_path(tmp_path / "rw.db")
    with path.open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(AlreadyRunning), run_lock(tmp_path / "rw.db"):
            pass
    with run_lock(tmp_path / "rw.db"):  # closing the handle (process death) frees it
        pass


def test_cron_prints_a_crontab_line_for_this_config(tmp_path, site_server):
    write_config(tmp_path, site_server.url)
    result = run_cli("cron", "--schedule", "0 7 * * 1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("0 7 * * 1 ") and " -m rivalwatch run -c " in line
    assert str(tmp_path / "rivalwatch.toml") in line


def test_status_shows_failures_and_reasons(tmp_path, site_server):
    write_config(tmp_path, site_server.url,
                 f'[[feeds]]\nname = "Gone"\nurl = "{site_server.url}/status/410"\n')
    run_cli("crawl", cwd=tmp_path)
    result = run_cli("status", cwd=tmp_path)
    gone = next(line for line in result.stdout.splitlines() if line.startswith("gone"))
    assert "never" in gone and "failing" in gone and "HTTP 410 Gone" in gone
    ok = next(line for line in result.stdout.splitlines() if line.startswith("gamma-news"))
    assert ok.split()[-1] == "ok"


def _runs(folder) -> int:
    with sqlite3.connect(folder / "rw.db") as conn:
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]
