"""The Intelligence dashboard (datasette-dashboards): who is loud, shipping and rising.

Every chart is Vega-Lite: it draws scraped text into SVG as text, never as HTML
(the plugin's "table" and "metric" charts insert values with innerHTML, so they are
not used). Filters are optional: `[[ ... ]]` blocks drop out when a filter is empty.
"""

from __future__ import annotations

from reports.datasette_queries import MERGED_RELEASES, NOTABLE_TERM, REPORTED_WEEK
from reports.queries import WHEN

DASHBOARD = "intelligence"
_WEEK = f"date({WHEN}, 'weekday 0', '-6 days')"
_DAY = f"substr({WHEN}, 1, 10)"
# The competitor filter shows names; an id in the URL works too.
_CHOSEN = "SELECT id FROM competitors WHERE name = :competitor OR id = :competitor"


def _dated(day: str) -> str:
    return f"[[ AND {day} >= :date_start ]] [[ AND {day} <= :date_end ]]"


MENTIONS_PER_WEEK = f"""
SELECT {_WEEK} AS week, c.name AS competitor, count(DISTINCT d.id) AS documents
FROM mentions m JOIN entities e ON e.id = m.entity_id
JOIN competitors c ON c.id = e.competitor_id JOIN documents d ON d.id = m.document_id
WHERE {_WEEK} IS NOT NULL [[ AND c.id IN ({_CHOSEN}) ]] {_dated(_DAY)}
GROUP BY week, c.name ORDER BY week, c.name
"""

RELEASES_PER_MONTH = f"""
WITH {MERGED_RELEASES}
SELECT substr(m.day, 1, 7) || '-01' AS month, c.name AS competitor, count(*) AS releases
FROM merged m JOIN competitors c ON c.id = m.competitor_id
WHERE m.day IS NOT NULL [[ AND c.id IN ({_CHOSEN}) ]] {_dated('m.day')}
GROUP BY month, c.name ORDER BY month, c.name
"""

EVENTS_PER_WEEK = f"""
SELECT {_WEEK} AS week, ev.type, count(*) AS events
FROM events ev JOIN documents d ON d.id = ev.document_id
WHERE {_WEEK} IS NOT NULL [[ AND COALESCE(ev.competitor_id, d.competitor_id) IN ({_CHOSEN}) ]]
  {_dated(_DAY)}
GROUP BY week, ev.type ORDER BY week, ev.type
"""

# Trends are about terms, not competitors: the competitor filter does not apply here.
TOP_RISING = f"""
WITH latest AS (
  SELECT "window", max(window_start) AS window_start FROM trends
  WHERE "window" = 'week' AND window_start <= {REPORTED_WEEK} {_dated('window_start')}
  GROUP BY "window"
)
SELECT t.term, t.term_kind, t.count, round(t.score, 2) AS score
FROM trends t JOIN latest l ON l."window" = t."window" AND l.window_start = t.window_start
WHERE t.count > COALESCE(t.baseline, 0) AND {NOTABLE_TERM}
ORDER BY t.score DESC, t.count DESC, t.term LIMIT 15
"""


def _lines(x: str, y: str, color: str, x_title: str) -> dict:
    return {"mark": {"type": "line", "point": True, "tooltip": True}, "encoding": {
        "x": {"field": x, "type": "temporal", "title": x_title},
        "y": {"field": y, "type": "quantitative", "title": y},
        "color": {"field": color, "type": "nominal", "title": color}}}


def _stacked(x: str, y: str, color: str, time_unit: str, x_title: str) -> dict:
    return {"mark": {"type": "bar", "tooltip": True}, "encoding": {
        "x": {"field": x, "type": "ordinal", "timeUnit": time_unit, "title": x_title},
        "y": {"field": y, "type": "quantitative", "aggregate": "sum", "title": y},
        "color": {"field": color, "type": "nominal", "title": color}}}


RISING_BARS = {"mark": {"type": "bar", "tooltip": True}, "encoding": {
    "y": {"field": "term", "type": "nominal", "sort": "-x", "title": None},
    "x": {"field": "score", "type": "quantitative", "title": "score"},
    "color": {"field": "term_kind", "type": "nominal", "title": "kind"}}}


def shortcuts(database: str) -> str:
    """Markdown linking the canned queries and their feeds (static text, no data)."""
    links = [("releases_this_week", "This week's releases"),
             ("significant_changes", "Significant site changes"),
             ("price_history", "Price history"), ("rising_terms", "Rising terms"),
             ("recent_events", "Recent events"), ("entity_mentions", "Mentions of an entity"),
             ("search", "Search everything")]
    rows = [f"- [{title}](/{database}/{name}) ([feed](/{database}/{name}.atom))"
            for name, title in links]
    return "\n".join(["Canned queries, each with an Atom feed to subscribe to:", "", *rows])


def _chart(database: str, title: str, query: str, display: dict) -> dict:
    return {"title": title, "db": database, "query": query.strip(), "library": "vega-lite",
            "display": display}


def dashboard_charts(database: str) -> dict:
    """The dashboard's charts, by slug."""
    return {
        "mentions": _chart(database, "Documents mentioning each competitor, per week",
                           MENTIONS_PER_WEEK, _lines("week", "documents", "competitor", "week")),
        "releases": _chart(database, "Releases per competitor, per month", RELEASES_PER_MONTH,
                           _stacked("month", "releases", "competitor", "yearmonth", "month")),
        "events": _chart(database, "Event types over time", EVENTS_PER_WEEK,
                         _stacked("week", "events", "type", "yearmonthdate", "week")),
        "rising": _chart(database, "Top rising terms (the reported week)", TOP_RISING,
                         RISING_BARS),
        "shortcuts": {"title": "Shortcuts", "library": "markdown",
                      "display": shortcuts(database)},
    }


def dashboards(database: str) -> dict:
    """The datasette-dashboards plugin configuration for database."""
    return {DASHBOARD: {
        "title": "Competitor intelligence",
        "description": "Who is in the news, who is shipping, what happened and what is "
                       "rising. Filter by competitor and date range.",
        "layout": [["mentions", "releases"], ["events", "rising"], ["shortcuts", "shortcuts"]],
        "filters": {
            "competitor": {"name": "Competitor", "type": "select", "db": database,
                           "query": "SELECT name FROM competitors ORDER BY name"},
            "date_start": {"name": "From", "type": "date"},
            "date_end": {"name": "To", "type": "date"},
        },
        "charts": dashboard_charts(database),
    }}
