"""`rivalwatch serve`: Datasette over the project's database."""

from __future__ import annotations

import click

from rivalwatch.project import Project, RivalwatchError


def serve_datasette(project: Project, *, host: str, port: int) -> None:
    """Run Datasette with the project's metadata until interrupted."""
    import asyncio

    import uvicorn

    from reports.datasette import build_datasette

    if not project.db_path.exists():
        raise RivalwatchError(f"{project.db_path} does not exist; run `rivalwatch crawl` first")
    datasette = build_datasette(project.db_path, project.config)
    asyncio.run(datasette.invoke_startup())
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
