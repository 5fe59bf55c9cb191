"""Datasette for a rivalwatch database: metadata, settings, and the app itself."""

from __future__ import annotations

from pathlib import Path

from reports.datasette_metadata import database_metadata, instance_metadata
from rivalwatch.config import Config

SETTINGS = {
    "sql_time_limit_ms": 2000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_download": True,
    "facet_time_limit_ms": 400,
}


def metadata(db_path: Path, config: Config | None = None) -> dict:
    """Datasette metadata for the database at db_path."""
    meta = instance_metadata(config.project.name if config else "rivalwatch")
    meta["databases"] = {db_path.stem: database_metadata()}
    return meta


def build_datasette(db_path: Path, config: Config | None = None):
    """A Datasette instance over db_path with the project's metadata (read-only use)."""
    from datasette.app import Datasette

    return Datasette([str(db_path)], metadata=metadata(db_path, config), settings=SETTINGS)
