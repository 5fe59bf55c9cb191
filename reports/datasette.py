"""Datasette for a rivalwatch database: metadata, settings, plugins, and the app itself.

Read-only by construction: no canned query writes, the SQL time limit and row limit
stay on, and no plugin is configured to render scraped columns as HTML (markdown
rendering is switched off for every column; feeds carry scraped text as plain text).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.storage import connect
from reports.datasette_dashboards import dashboards
from reports.datasette_metadata import database_metadata, instance_metadata
from reports.datasette_queries import canned_queries
from rivalwatch.config import Config

ASSETS = Path(__file__).parent / "templates" / "datasette"
ASSETS_MOUNT = "rivalwatch-assets"
SETTINGS = {
    "sql_time_limit_ms": 2000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_download": True,
    "facet_time_limit_ms": 400,
    "truncate_cells_html": 300,
}


def read_schema(db_path: Path) -> dict[str, set[str]]:
    """{table: column names} of the database at db_path."""
    db = connect(db_path, readonly=True)
    try:
        return {table.name: {column.name for column in table.columns} for table in db.tables}
    finally:
        db.close()


def plugin_config(database: str) -> dict:
    """Configuration of the installed plugins."""
    return {
        "datasette-dashboards": dashboards(database),
        # Scraped columns must never become HTML: no column name pattern turns markdown on.
        "datasette-render-markdown": {"columns": [], "patterns": []},
        "datasette-atom": {"allow_unsafe_html_in_canned_queries": False},
    }


def metadata(db_path: Path, config: Config | None = None) -> dict:
    """Datasette metadata for the database at db_path."""
    name = db_path.stem
    meta = instance_metadata(config.project.name if config else "rivalwatch")
    database = database_metadata(read_schema(db_path) if db_path.exists() else None)
    database["queries"] = canned_queries()
    meta["databases"] = {name: database}
    meta["plugins"] = plugin_config(name)
    meta["extra_css_urls"] = [f"/{ASSETS_MOUNT}/rivalwatch.css"]
    return meta


def register_plugin() -> None:
    """Register the rivalwatch plugin with Datasette once per process."""
    from datasette.plugins import pm

    from reports import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="rivalwatch")


def build_datasette(db_path: Path, config: Config | None = None):
    """A Datasette instance over db_path with the project's metadata (read-only use)."""
    from datasette.app import Datasette

    register_plugin()
    return Datasette([str(db_path)], metadata=metadata(db_path, config), settings=SETTINGS,
                     static_mounts=[(ASSETS_MOUNT, str(ASSETS))])
