"""Plain-text views for the terminal: the source list and source health."""

from __future__ import annotations

import datetime as dt

from reports.health import parse_stamp, source_state
from rivalwatch.project import Project


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=False)).rstrip()
             for row in [headers, *rows]]
    return "\n".join(lines)


def source_list(project: Project) -> str:
    """The config is valid: say so and list its sources."""
    config = project.config
    sources = config.sources()
    rows = [[s.id, s.kind + (" (releases)" if s.releases else ""), s.competitor_id or "industry",
             s.url] for s in sources]
    head = (f"{project.config_path}: OK: {len(config.competitors)} competitors, "
            f"{len(sources)} sources, {len(config.topics.track)} tracked topics")
    return head + "\n\n" + _table(["ID", "KIND", "COMPETITOR", "URL"], rows)


def source_health(project: Project, *, now: dt.datetime | None = None) -> str:
    """Each source's last success, failures in a row, last error and staleness."""
    from pipelines.storage import open_db

    if not project.db_path.exists():
        return f"{project.db_path}: no database yet; run `rivalwatch crawl` first"
    db = open_db(project.db_path)
    now = now or dt.datetime.now(dt.UTC)
    default_days = project.config.crawl.stale_after_days
    rows = [_health_row(r, now, default_days) for r in db.query(
        "SELECT * FROM sources WHERE active = 1 ORDER BY competitor_id IS NULL, competitor_id, id")]
    db.close()
    headers = ["SOURCE", "KIND", "LAST SUCCESS", "FAILURES", "LAST NEW ITEM", "STATE",
               "LAST ERROR"]
    return _table(headers, rows)


def _health_row(row: dict, now: dt.datetime, default_stale_days: int) -> list[str]:
    return [row["id"], row["kind"], _ago(row["last_success_at"], now) or "never",
            str(row["consecutive_failures"] or 0), _ago(row["last_new_item_at"], now) or "-",
            source_state(row, now, default_stale_days), (row["last_error"] or "")[:80]]



def _ago(stamp: str | None, now: dt.datetime) -> str | None:
    if not stamp:
        return None
    days = (now - parse_stamp(stamp)).days
    return f"{stamp[:16].replace('T', ' ')} ({days}d ago)" if days else stamp[:16].replace("T", " ")
