"""The weekly market report: what each competitor and the industry did in one window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from sqlite_utils import Database

from reports import queries, trend_queries
from reports.charts import releases_chart, share_of_voice_chart, sparkline
from reports.headline import headline
from reports.health import parse_stamp, source_state
from reports.render import environment
from reports.weeks import Window
from rivalwatch.config import Config

ITEM_TYPE_ORDER = ("breaking", "added", "changed", "fixed", "security", "deprecated",
                   "removed", "other")
QUIET_WEEKS = 4
CHART_WEEKS = 12
DIFF_LINES = 12


def build_context(db: Database, config: Config, window: Window) -> dict:
    """Everything the template shows, sorted and ready to print."""
    docs = queries.documents_in(db, window)
    context = {
        "title": config.project.name, "window": window, "period": _period(window),
        "stats": {"documents": len(docs), "sources": len({d["source_id"] for d in docs})},
        "competitors": _competitors(db, window, docs),
        "industry": _industry(db, config, window, docs),
        "rising": _rising(db, window), "first_mentions": trend_queries.first_mentions(db, window),
        "share_of_voice": _share_table(db, window),
        "quiet": _quiet(db, config, window), "health": _health(db, config, window),
        "events_by_type": _events_by_type(queries.events_in(db, window)),
        "link": _linker(config, db),
    }
    context["headline"] = headline(context)
    return context


def render_report(db: Database, config: Config, window: Window, *, charts: dict | None = None
                  ) -> str:
    """The report as markdown text (charts: name -> relative path of PNGs to embed)."""
    context = build_context(db, config, window)
    context["charts"] = charts or {}
    return environment().get_template("weekly.md.j2").render(context)


def write_report(db: Database, config: Config, window: Window, out: Path | None = None, *,
                 format: str = "md") -> Path:
    """Write the report (and its charts beside it); returns the report's path."""
    out = out or config.reports_path / f"{window.name}.{'html' if format == 'html' else 'md'}"
    out.parent.mkdir(parents=True, exist_ok=True)
    charts = write_charts(db, window, out.parent, prefix=out.stem)
    text = render_report(db, config, window, charts=charts)
    if format == "html":
        from reports.html import markdown_to_html

        text = markdown_to_html(text, title=f"{config.project.name}: {window.name}")
    out.write_text(text, encoding="utf-8")
    return out


def write_charts(db: Database, window: Window, folder: Path, *, prefix: str) -> dict[str, str]:
    """Draw the share-of-voice and releases charts; returns name -> file name."""
    monday = window.last_day - dt.timedelta(days=window.last_day.weekday())
    weeks = [(monday - dt.timedelta(weeks=back)).isoformat()
             for back in range(CHART_WEEKS - 1, -1, -1)]
    charts = {}
    shares = _series(trend_queries.share_of_voice(db, window, weeks=CHART_WEEKS), weeks,
                     "name", "share")
    if shares:
        path = share_of_voice_chart(weeks, shares, folder / f"{prefix}-share-of-voice.png")
        charts["share_of_voice"] = path.name
    rows = queries.releases_per_week(db, weeks[0], window.end_iso)
    names = {c["id"]: c["name"] for c in queries.competitors(db)}
    releases = _series([{**r, "name": names.get(r["competitor_id"], r["competitor_id"])}
                        for r in rows], weeks, "name", "releases", key="week")
    if releases:
        path = releases_chart(weeks, releases, folder / f"{prefix}-releases.png")
        charts["releases"] = path.name
    return charts


def _series(rows: list[dict], weeks: list[str], name: str, value: str, *,
            key: str = "window_start") -> dict[str, list]:
    table: dict[str, dict] = defaultdict(dict)
    for row in rows:
        table[row[name]][row[key]] = row[value]
    return {n: [values.get(w, 0) for w in weeks] for n, values in sorted(table.items())}


def _competitors(db: Database, window: Window, docs: list[dict]) -> list[dict]:
    releases = {r["id"]: r for r in queries.releases_in(db, window)}
    own = _grouped(docs, "competitor_id")
    changes = _grouped(queries.page_changes_in(db, window), "competitor_id")
    prices = _grouped(queries.price_changes_in(db, window), "competitor_id")
    news = _grouped(queries.news_mentions_in(db, window), "competitor_id")
    events = _grouped(queries.events_in(db, window), "competitor_id")
    return [{
        **c,
        "releases": [_release(r) for r in merge_releases(
            [releases.get(d["id"]) or d for d in own[c["id"]] if d["kind"] == "release"])],
        "articles": [d for d in own[c["id"]] if d["kind"] == "article"],
        "site_changes": [_site_change(p) for p in changes[c["id"]]],
        "price_changes": prices[c["id"]], "news": news[c["id"]], "events": events[c["id"]],
    } for c in queries.competitors(db)]


def _grouped(rows: list[dict], key: str) -> defaultdict[str, list[dict]]:
    groups: defaultdict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


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


def _site_change(change: dict) -> dict:
    lines = [line for line in (change["diff"] or "").splitlines()
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    more = len(lines) - DIFF_LINES
    short = "\n".join(lines[:DIFF_LINES]) + (f"\n… {more} more changed lines" if more > 0 else "")
    return {**change, "short_diff": short, "label": change["label"] or "page"}


def _industry(db: Database, config: Config, window: Window, docs: list[dict]) -> list[dict]:
    names = {f.id: f.name for f in config.feeds}
    by_source = _grouped([d for d in docs if not d["competitor_id"]], "source_id")
    return [{"name": names.get(s["id"], s["label"] or s["id"]), "articles": by_source[s["id"]]}
            for s in queries.industry_sources(db)]


def _rising(db: Database, window: Window) -> list[dict]:
    return [{**t, "spark": sparkline(trend_queries.term_series(db, t["term_kind"], t["term"],
                                                               window))}
            for t in trend_queries.rising_terms(db, window)]


def _share_table(db: Database, window: Window) -> list[dict]:
    rows = trend_queries.share_of_voice(db, window, weeks=1)
    return sorted(rows, key=lambda r: (-r["share"], r["name"]))


def _quiet(db: Database, config: Config, window: Window) -> list[dict]:
    cutoff = (window.end - dt.timedelta(weeks=QUIET_WEEKS)).isoformat()
    names = {c.id: c.name for c in config.competitors}
    latest = queries.last_activity(db, window.end_iso)
    return [{"name": names.get(cid, cid), "since": (last or "")[:10]}
            for cid, last in sorted(latest.items(), key=lambda i: names.get(i[0], i[0]))
            if last is None or last < cutoff]


def _health(db: Database, config: Config, window: Window) -> list[dict]:
    """Failing and stale sources, judged as of the window's end or the newest fetch after it
    (never the wall clock, so the same database gives the same report)."""
    sources = queries.sources_health(db)
    fetched = [parse_stamp(s["last_success_at"]) for s in sources if s["last_success_at"]]
    now = max([dt.datetime.combine(window.end, dt.time(), tzinfo=dt.UTC), *fetched])
    states = [(s, source_state(s, now, config.crawl.stale_after_days)) for s in sources]
    return [{**s, "state": state} for s, state in states if state != "ok"]


def _events_by_type(events: list[dict]) -> dict[str, list[dict]]:
    return dict(_grouped(events, "type"))


def _linker(config: Config, db: Database):
    base = config.project.datasette_url
    database = Path(db.conn.execute("PRAGMA database_list").fetchone()[2] or "rivalwatch").stem

    def link(table: str, key) -> str | None:
        return f"{base}/{database}/{table}/{key}" if base and key is not None else None
    return link


def _period(window: Window) -> str:
    first, last = window.start, window.last_day
    return f"{first:%a %d %b %Y} to {last:%a %d %b %Y}"
