"""Datasette over a rivalwatch database: metadata, FTS, facets, escaping, loopback binding."""

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from pipelines.registry import sync_config
from pipelines.storage import open_db
from reports.datasette import build_datasette
from rivalwatch.config import parse_config
from tests.conftest import TEST_PYTHONPATH

CONFIG = """
[project]
name = "Serve test"
db = "rivalwatch.db"
[[competitors]]
name = "Acme"
  [[competitors.sources]]
  kind = "feed"
  url = "https://acme.example/feed"
"""
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture
def served_db(tmp_path):
    config = parse_config(CONFIG, tmp_path / "rivalwatch.toml")
    (tmp_path / "rivalwatch.toml").write_text(CONFIG)
    db = open_db(config.db_path)
    sync_config(db, config)
    db["documents"].insert_all([
        {"source_id": "acme-feed", "competitor_id": "acme", "kind": "article", "dedupe_key": "a",
         "title": "Acme launches usage-based pricing", "text": "Seats are gone.",
         "published_at": "2026-11-20T10:00:00Z", "url": "https://acme.example/1"},
        {"source_id": "acme-feed", "competitor_id": "acme", "kind": "article", "dedupe_key": "b",
         "title": XSS, "text": f"javascript:alert(1) {XSS}", "published_at": "2026-11-21T10:00:00Z",
         "url": "javascript:alert(1)"},
    ])
    db.close()
    return config


def get(datasette, path: str):
    async def fetch():
        await datasette.invoke_startup()
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def test_instance_has_title_descriptions_and_hidden_internal_tables(served_db):
    datasette = build_datasette(served_db.db_path, served_db)
    assert "rivalwatch: Serve test" in get(datasette, "/").text
    database = get(datasette, "/rivalwatch")
    assert database.status_code == 200
    assert "documents_fts_data" not in database.text
    page = get(datasette, "/rivalwatch/documents")
    assert "Articles, releases and page snapshots" in page.text


def test_full_text_search_and_facets(served_db):
    datasette = build_datasette(served_db.db_path, served_db)
    found = get(datasette, "/rivalwatch/documents.json?_search=pricing&_shape=array").json()
    assert [row["title"] for row in found] == ["Acme launches usage-based pricing"]
    facets = get(datasette, "/rivalwatch/documents.json?_extra=facet_results").json()
    results = facets["facet_results"]
    facet_names = set(results.get("results", results))
    assert {"competitor_id", "source_id", "kind"} <= facet_names


def test_scraped_html_is_shown_as_text_never_rendered(served_db):
    datasette = build_datasette(served_db.db_path, served_db)
    for path in ("/rivalwatch/documents", "/rivalwatch/documents/2"):
        html = get(datasette, path).text
        assert "<script>alert('x')</script>" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;" in html
        assert 'href="javascript:' not in html


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_command_binds_loopback_and_answers(served_db, tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "serve", "-c", "rivalwatch.toml", "-p", str(port)],
        cwd=tmp_path, env={"PYTHONPATH": TEST_PYTHONPATH, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/rivalwatch/documents.json?_shape=array")
        assert b"usage-based pricing" in body
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        assert f"127.0.0.1:{port}" in listening or not listening
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(url: str, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
