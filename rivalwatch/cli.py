"""The `rivalwatch` command: a thin shell over the stages.

Each command loads the project, calls the library, and turns its errors into a
message and an exit code: 0 all good, 1 fatal, 2 usage or config error, 3 the run
finished but some sources failed, 4 another run holds the lock.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from pathlib import Path

import click

from rivalwatch.config import ConfigError
from rivalwatch.project import (
    EXIT_FATAL,
    EXIT_LOCKED,
    EXIT_SOURCES_FAILED,
    EXIT_USAGE,
    RivalwatchError,
    load_project,
)


def project_options(command):
    """-c/--config and --db on every command that reads the project."""

    @click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
                  envvar="RIVALWATCH_CONFIG", default="rivalwatch.toml", show_default=True,
                  help="The config file (or set RIVALWATCH_CONFIG).")
    @click.option("--db", "db_path", type=click.Path(dir_okay=False),
                  help="The SQLite database (default: [project] db of the config).")
    @functools.wraps(command)
    def wrapper(*args, config_path, db_path, **kwargs):
        try:
            project = load_project(config_path, db_path)
            return command(project, *args, **kwargs)
        except ConfigError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except RivalwatchError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_FATAL)

    return wrapper


workers_option = click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Processes for spaCy in the tag stage (nlp.pipe n_process).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rivalwatch")
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
def cli(verbose: bool):
    """Watch competitors' changelogs, feeds and pages; tag, trend and report.

    \b
    Example:
      rivalwatch init && rivalwatch sources check && rivalwatch run
    """
    from rivalwatch.logs import terminal_handler

    logging.basicConfig(level=logging.INFO, handlers=[terminal_handler(verbose=verbose)])


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False), default="rivalwatch.toml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool):
    """Write a commented starter rivalwatch.toml.

    \b
    Example:
      rivalwatch init ~/watch/rivalwatch.toml
    """
    from rivalwatch.starter import write_starter

    try:
        written = write_starter(Path(path), force=force)
    except FileExistsError:
        raise click.UsageError(f"{path} already exists; pass --force to overwrite it") from None
    click.echo(f"Wrote {written}. Edit it, then run: rivalwatch sources check -c {written}")


@cli.group()
def sources():
    """Inspect the configured sources.

    \b
    Example:
      rivalwatch sources check -c rivalwatch.toml
    """


@sources.command("check")
@project_options
def sources_check(project):
    """Validate the config and list every source it defines.

    \b
    Example:
      rivalwatch sources check -c rivalwatch.toml
    """
    from rivalwatch.views import source_list

    click.echo(source_list(project))


@cli.command()
@project_options
@click.option("--source", "source_ids", multiple=True, metavar="ID",
              help="Only this source id (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["feed", "changelog", "page"]),
              help="Only sources of this kind (repeatable).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              callback=lambda ctx, param, values: _scrapy_settings(values),
              help="Override a Scrapy setting, as `scrapy crawl -s` does (repeatable).")
@click.option("--redis", "redis_url", metavar="URL",
              help="Be a worker of the distributed crawl in this Redis "
                   "(redis://HOST:6379/0): fetch its seeded requests, send results there.")
@click.option("--wait", default=60.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(0),
              help="With --redis: seconds to wait for `rivalwatch run --redis` to seed a crawl.")
def crawl(project, source_ids, kinds, overrides, redis_url, wait):
    """Fetch the sources and store what is new or changed.

    Exits 3 when some sources failed (the others are stored). With --redis this
    process is one of many workers: it writes no database and exits when the
    crawl seeded by `rivalwatch run --redis` is done.

    \b
    Example:
      rivalwatch crawl --kind feed
      rivalwatch crawl --redis redis://10.0.0.5:6379/0
    """
    from rivalwatch.redis_stages import run_worker
    from rivalwatch.stages import run_crawl

    if redis_url:
        if source_ids:
            raise click.UsageError("--source picks what to seed: give it to `rivalwatch run`")
        outcome = run_worker(project, redis_url, kinds=list(kinds) or None, wait=wait,
                             settings=overrides)
        click.echo(outcome.summary)
        return
    outcome = run_crawl(project, kinds=list(kinds) or None, source_ids=list(source_ids) or None,
                        settings=overrides)
    click.echo(outcome.summary)
    if outcome.failed:
        sys.exit(EXIT_SOURCES_FAILED)


@cli.command()
@project_options
@workers_option
def tag(project, workers):
    """Tag untagged or changed documents: competitors, products, money, events.

    \b
    Example:
      rivalwatch tag --workers 2
    """
    from rivalwatch.stages import run_tag

    click.echo(run_tag(project, workers=workers).summary)


@cli.command()
@project_options
@click.option("--redis", "redis_url", metavar="URL", required=True,
              help="The Redis of the distributed crawl (redis://HOST:6379/0).")
@click.option("--follow", is_flag=True,
              help="Keep ingesting until the workers have finished the seeded crawl.")
@click.option("--timeout", default=3600.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(0),
              help="With --follow: give up after this many seconds.")
def ingest(project, redis_url, follow, timeout):
    """Write the results of distributed workers from Redis into the database.

    The single writer of a distributed crawl (`rivalwatch run --redis` ingests
    too). A result leaves Redis only after its transaction is committed, so an
    interrupted ingest loses nothing: run it again. Exits 3 when some sources failed.

    \b
    Example:
      rivalwatch ingest --redis redis://10.0.0.5:6379/0 --follow
    """
    from rivalwatch.redis_stages import run_ingest

    outcome = run_ingest(project, redis_url, follow=follow, timeout=timeout)
    click.echo(outcome.summary)
    if outcome.failed:
        sys.exit(EXIT_SOURCES_FAILED)


@cli.command()
@project_options
@click.option("--week", help="ISO week such as 2026-W48 (default: the week of yesterday).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Cover from this date to today instead of one week.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write here (default: <reports_dir>/<week>.md or .html).")
@click.option("--format", "format_", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown, or the same report as a sanitised HTML page.")
def report(project, week, since, output, format_):
    """Write the markdown market report for one week.

    \b
    Example:
      rivalwatch report --week 2026-W48 -o monday.md
    """
    from rivalwatch.stages import run_report

    path = run_report(project, week=week, since=since.date() if since else None,
                      output=Path(output) if output else None, today=dt.date.today(),
                      format=format_)
    click.echo(f"Wrote {path}")


@cli.command()
@project_options
@click.option("--full", is_flag=True, help="Recompute every window, not only touched ones.")
@click.option("--window", type=click.Choice(["week", "day", "month"]), default="week",
              show_default=True, help="The window to count in.")
def trends(project, full, window):
    """Recompute trend tables: counts per window, rising terms, share of voice.

    \b
    Example:
      rivalwatch trends --full
    """
    from rivalwatch.stages import run_trends

    click.echo(run_trends(project, full=full, window=window).summary)


@cli.command()
@project_options
@workers_option
@click.option("--redis", "redis_url", metavar="URL",
              help="Distribute the crawl: seed it in this Redis (redis://HOST:6379/0) for "
                   "`rivalwatch crawl --redis` workers and ingest their results.")
@click.option("--crawl-timeout", default=3600.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(1),
              help="With --redis: seconds to wait for the workers to finish the crawl.")
def run(project, workers, redis_url, crawl_timeout):
    """Crawl, tag, compute trends and write the report, under a lock: the cron entry point.

    Logs go to rivalwatch.log next to the database. Exits 3 when some sources
    failed, 4 when another run holds the lock.

    \b
    Example:
      rivalwatch run -c /srv/watch/rivalwatch.toml
      rivalwatch run --redis redis://10.0.0.5:6379/0
    """
    from rivalwatch.lock import AlreadyRunning
    from rivalwatch.running import run_all

    try:
        outcome = run_all(project, today=dt.date.today(), workers=workers,
                          redis_url=redis_url, crawl_timeout=crawl_timeout)
    except AlreadyRunning as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo("\n".join(outcome.lines))
    sys.exit(outcome.exit_code)


@cli.command()
@project_options
@click.option("--schedule", default="17 6 * * *", show_default=True,
              help="The five crontab time fields.")
def cron(project, schedule):
    """Print a crontab line that runs `rivalwatch run` for this config.

    \b
    Example:
      rivalwatch cron >> mycrontab && crontab mycrontab
    """
    from rivalwatch.scheduling import crontab_line

    click.echo(crontab_line(project, schedule=schedule))


@cli.command()
@project_options
def status(project):
    """Show each source's health: last success, failures, last error.

    \b
    Example:
      rivalwatch status -c rivalwatch.toml
    """
    from rivalwatch.views import source_health

    click.echo(source_health(project))


@cli.command()
@project_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; keep 127.0.0.1 unless you mean to share it.")
@click.option("-p", "--port", default=8001, show_default=True, type=int, help="Port.")
def serve(project, host, port):
    """Browse the database in Datasette.

    \b
    Example:
      rivalwatch serve --port 8001
    """
    from rivalwatch.serving import serve_datasette

    serve_datasette(project, host=host, port=port)


@cli.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False), default="demo",
              show_default=True, help="Where the demo config, database and report go.")
def demo(directory):
    """Run the whole pipeline over bundled sample sites, offline.

    Serves three fictional competitors and an industry news site on 127.0.0.1,
    crawls them twice (a week apart), and writes the database and a report.

    \b
    Example:
      rivalwatch demo --dir demo && rivalwatch serve -c demo/rivalwatch.toml
    """
    from rivalwatch.demo import run_demo

    try:
        run_demo(Path(directory), echo=click.echo)
    except RivalwatchError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_FATAL)


def _scrapy_settings(values: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{value!r}: write NAME=VALUE, e.g. DOWNLOAD_TIMEOUT=10")
        settings[name.strip()] = setting
    return settings


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="rivalwatch")
