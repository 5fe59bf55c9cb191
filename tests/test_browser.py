"""A real browser over `rivalwatch serve` on the demo database: charts draw, nothing errors.

Needs the Debian packages chromium and chromium-driver; skipped without them. Slow
(it builds the demo, tags it and starts a server): about half a minute.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_PYTHONPATH

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
XSS_TITLE = '<img src=x onerror="window.__rw_xss = 1"><script>window.__rw_xss = 2</script>'
CHARTS = ("mentions", "releases", "events", "rising")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs a headless browser: apt-get update && apt-get install -y chromium "
           "chromium-driver",
)]


def _run(args: list[str], cwd: Path) -> None:
    env = {"PYTHONPATH": TEST_PYTHONPATH, "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    subprocess.run([sys.executable, "-m", "rivalwatch", *args], cwd=cwd, env=env, check=True,
                   capture_output=True, timeout=600)


def _demo_database(directory: Path) -> Path:
    """The demo's database, tagged, plus one document whose title is an XSS payload."""
    _run(["demo", "--dir", "demo"], directory)
    config = directory / "demo" / "rivalwatch.toml"
    _run(["tag", "-c", str(config)], directory)
    with sqlite3.connect(directory / "demo" / "rivalwatch.db") as conn:
        conn.execute("INSERT INTO documents (source_id, competitor_id, kind, dedupe_key, title, "
                     "text, url, published_at) SELECT id, competitor_id, 'article', 'xss', ?, ?, "
                     "'javascript:window.__rw_xss = 3', '2026-01-01T00:00:00Z' FROM sources "
                     "LIMIT 1", (XSS_TITLE, XSS_TITLE))
    return config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    config = _demo_database(directory)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rivalwatch", "serve", "-c", str(config), "-p", str(port)],
        cwd=directory, env={"PYTHONPATH": TEST_PYTHONPATH, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/-/versions.json")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1300"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_until(driver, script: str, seconds: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(
        lambda d: d.execute_script(script))


def test_dashboard_draws_every_chart_without_errors(served, browser, tmp_path, update_golden):
    browser.get(f"{served}/-/dashboards/intelligence")
    drawn = " && ".join(f"document.querySelector('#chart-{c} :is(canvas, svg.marks)')"
                        for c in CHARTS)
    assert wait_until(browser, f"return !!({drawn});")
    sized = browser.execute_script(
        "return [...document.querySelectorAll('.dashboard-card-chart :is(canvas, svg.marks)')]"
        ".map(c => c.getBoundingClientRect()).map(r => r.width * r.height);")
    assert len(sized) == len(CHARTS) and all(area > 0 for area in sized)
    assert console_errors(browser) == []
    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    if update_golden:  # the README's screenshot is refreshed on request, not on every run
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "dashboard.png")


def test_dashboard_filters_apply(served, browser):
    browser.get(f"{served}/-/dashboards/intelligence?competitor=Tallyboard"
                "&date_start=2026-01-01&date_end=2030-12-31")
    assert wait_until(browser, "return !!document.querySelector('#chart-releases svg.marks');")
    assert browser.find_element("id", "competitor").get_attribute("value") == "Tallyboard"
    assert console_errors(browser) == []


def test_table_page_shows_scraped_html_as_text(served, browser, tmp_path):
    browser.get(f"{served}/rivalwatch/documents?dedupe_key=xss")
    cell = browser.find_element("css selector", "td.col-title")
    assert cell.text == XSS_TITLE
    assert browser.execute_script("return window.__rw_xss === undefined;")
    assert not browser.find_elements("css selector", "td img, td script")
    assert console_errors(browser) == []
    assert browser.save_screenshot(str(tmp_path / "documents.png"))
