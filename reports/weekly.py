"""The weekly market report: what each competitor and the industry did in one window."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlite_utils import Database

from reports import queries
from reports.render import environment
from reports.weeks import Window
from rivalwatch.config import Config

ITEM_TYPE_ORDER = ("breaking", "added", "changed", "fixed", "security", "deprecated",
                   "removed", "other")


def build_context(db: Database, config: Config, window: Window) -> dict:
    """Everything the template shows, sorted and ready to print."""
    docs = queries.documents_in(db, window)
    releases = {r["id"]: r for r in queries.releases_in(db, window)}
    by_competitor = defaultdict(list)
    by_source = defaultdict(list)
    for doc in docs:
        if doc["competitor_id"]:
            by_competitor[doc["competitor_id"]].append(doc)
        else:
            by_source[doc["source_id"]].append(doc)
    return {
        "title": config.project.name, "window": window, "period": _period(window),
        "stats": {"documents": len(docs), "sources": len({d["source_id"] for d in docs})},
        "competitors": [_competitor(c, by_competitor[c["id"]], releases)
                        for c in queries.competitors(db)],
        "industry": [_industry_feed(s, by_source[s["id"]], config)
                     for s in queries.industry_sources(db)],
    }


def render_report(db: Database, config: Config, window: Window) -> str:
    """The report as markdown text."""
    return environment().get_template("weekly.md.j2").render(build_context(db, config, window))


def write_report(db: Database, config: Config, window: Window, out: Path | None = None) -> Path:
    """Write the report to out (default <reports_dir>/<window>.md) and return its path."""
    out = out or config.reports_path / f"{window.name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(db, config, window), encoding="utf-8")
    return out


def _competitor(competitor: dict, docs: list[dict], releases: dict[int, dict]) -> dict:
    release_rows = [releases.get(d["id"]) or d for d in docs if d["kind"] == "release"]
    articles = [d for d in docs if d["kind"] == "article"]
    return {**competitor, "releases": [_release(r) for r in merge_releases(release_rows)],
            "articles": articles}


def merge_releases(rows: list[dict]) -> list[dict]:
    """One row per release when a changelog and a release feed both announce it.

    Same release: same version, else same day and title. The row with the most items
    (usually the changelog's) is kept.
    """
    kept: dict[tuple, dict] = {}
    for row in rows:
        key = _release_key(row)
        current = kept.get(key)
        if current is None or _item_total(row) > _item_total(current):
            kept[key] = row
    return [row for row in rows if kept.get(_release_key(row)) is row]


def _item_total(row: dict) -> int:
    return sum((row.get("item_counts") or {}).values())


def _release_key(row: dict) -> tuple:
    if row.get("version"):
        return ("version", row["version"].lower().removeprefix("v"))
    day = (row.get("released_on") or row.get("happened_at") or "")[:10]
    return ("day", day, (row.get("release_title") or row.get("title") or "").strip().lower())


def _release(row: dict) -> dict:
    counts = row.get("item_counts") or {}
    parts = [f"{counts[t]} {t}" for t in ITEM_TYPE_ORDER if counts.get(t)]
    return {**row, "counts_text": ", ".join(parts), "breaking": bool(row.get("breaking"))}


def _industry_feed(source: dict, docs: list[dict], config: Config) -> dict:
    names = {f.id: f.name for f in config.feeds}
    return {"name": names.get(source["id"], source["label"] or source["id"]), "articles": docs}


def _period(window: Window) -> str:
    first, last = window.start, window.last_day
    return f"{first:%a %d %b %Y} to {last:%a %d %b %Y}"
