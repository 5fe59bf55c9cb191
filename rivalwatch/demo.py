"""`rivalwatch demo`: the whole pipeline over the bundled sample sites, offline.

The sites are served on 127.0.0.1 while the demo runs. They are crawled as they were a
week ago, then as they are today, so the second crawl finds new and edited items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from rivalwatch.demo_server import DemoSites, demo_config_toml
from rivalwatch.project import Project, load_project
from rivalwatch.stages import run_crawl, run_report

# Our own loopback server: no need to be polite to it.
DEMO_CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


def run_demo(directory: Path, *, echo: Callable[[str], None] = print,
             today: dt.date | None = None) -> Project:
    """Serve the sample sites, crawl both states, analyse and report; returns the project."""
    today = today or dt.datetime.now(dt.UTC).date()
    directory.mkdir(parents=True, exist_ok=True)
    _remove_old_database(directory / "rivalwatch.db")
    with DemoSites(state=1, today=today) as sites:
        config_path = directory / "rivalwatch.toml"
        config_path.write_text(demo_config_toml(sites.url), encoding="utf-8")
        project = load_project(config_path)
        echo(f"Serving the sample sites on {sites.url}")
        echo("Crawl 1: the sites as they were a week ago")
        echo(_indent(run_crawl(project, settings=DEMO_CRAWL_SETTINGS).summary))
        sites.set_state(2)
        echo("Crawl 2: the sites today (new posts, an edited post, new prices)")
        echo(_indent(run_crawl(project, settings=DEMO_CRAWL_SETTINGS).summary))
    for step in analysis_steps():
        echo(step(project))
    report = run_report(project, today=today)
    echo(_closing(project, report))
    return project


def analysis_steps() -> list[Callable[[Project], str]]:
    """The stages that run between crawling and the report (tagging, trends)."""
    from rivalwatch.stages import run_tag, run_trends

    return [lambda project: run_tag(project).summary,
            lambda project: run_trends(project).summary]


def _remove_old_database(db_path: Path) -> None:
    # The sample sites get a new port each run, so old rows would never match new URLs.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _closing(project: Project, report: Path) -> str:
    config = project.config_path
    return "\n".join([
        f"Database: {project.db_path}",
        f"Report:   {report}",
        f"Browse:   make serve   (or: rivalwatch serve -c {config})",
    ])
