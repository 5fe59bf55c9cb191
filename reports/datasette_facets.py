"""A week facet: counts per ISO week of a date column, newest week first.

Configured in metadata as `{"week": "published_at"}`. Choosing a week filters the
table with the ordinary `column__gte` / `column__lt` filters on its Monday and the
next Monday, which works for both dates and ISO timestamps stored as text.
"""

from __future__ import annotations

import datetime as dt

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_replaced_args


def week_label(monday: str) -> str:
    """'2026-W48 (from 23 Nov)' for the Monday '2026-11-23'."""
    day = dt.date.fromisoformat(monday)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d} (from {day.day} {day:%b})"


def next_monday(monday: str) -> str:
    """The Monday after monday, as YYYY-MM-DD."""
    return (dt.date.fromisoformat(monday) + dt.timedelta(days=7)).isoformat()


class WeekFacet(Facet):
    """Rows per week of a date column."""

    type = "week"

    async def facet_results(self):
        results, timed_out = [], []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self._week_counts(column)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            results.append(self._facet(column, rows, source_and_config["source"]))
        return results, timed_out

    async def _week_counts(self, column: str) -> list:
        week = f"date({escape_sqlite(column)}, 'weekday 0', '-6 days')"
        sql = (f"select {week} as value, count(*) as count from ({self.sql}) "
               f"where {week} is not null group by value order by value desc "
               f"limit {self.get_facet_size() + 1}")
        result = await self.ds.execute(
            self.database, sql, self.params, truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return list(result.rows)

    def _facet(self, column: str, rows: list, source: str) -> dict:
        size = self.get_facet_size()
        return {
            "name": column, "type": self.type, "hideable": source != "metadata",
            "toggle_url": path_with_replaced_args(self.request, {"_facet_week": None}),
            "truncated": len(rows) > size,
            "results": [self._value(column, row["value"], row["count"]) for row in rows[:size]],
        }

    def _value(self, column: str, monday: str, count: int) -> dict:
        args = self.request.args
        bounds = {f"{column}__gte": monday, f"{column}__lt": next_monday(monday)}
        selected = all(args.get(key) == value for key, value in bounds.items())
        toggle = {key: None for key in bounds} if selected else bounds
        return {
            "value": monday, "label": week_label(monday), "count": count, "selected": selected,
            "toggle_url": self.ds.absolute_url(
                self.request, path_with_replaced_args(self.request, toggle)),
        }
