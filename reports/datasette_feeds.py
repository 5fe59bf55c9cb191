"""Atom feeds of the canned queries, through datasette-atom.

datasette-atom fails with a server error when a query returns no rows (it takes the
max of an empty sequence); a quiet week must give subscribers an empty feed, not an
error, so this renderer answers that case itself and hands every other to the plugin.
"""

from __future__ import annotations

import datetime as dt

import datasette_atom
from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator


def feed_title(datasette, database: str, query_name: str | None, sql: str) -> str:
    """The canned query's title, else the SQL (as datasette-atom does)."""
    queries = (datasette.metadata(database=database) or {}).get("queries") or {}
    return (queries.get(query_name) or {}).get("title") or sql


def empty_feed(datasette, request, database: str, query_name: str | None, sql: str) -> Response:
    """A valid Atom feed with no entries."""
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(feed_title(datasette, database, query_name, sql))
    feed.updated(dt.datetime.now(dt.UTC))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8",
                    status=200)


def render_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name,
                data):
    """datasette-atom's renderer, with an empty feed for an empty result."""
    if not rows and datasette_atom.REQUIRED_COLUMNS.issubset(columns):
        return empty_feed(datasette, request, database, query_name, sql)
    return datasette_atom.render_atom(datasette, request, sql, columns, rows, database, table,
                                      query_name, view_name, data)


def atom_renderer() -> dict:
    """The output renderer to register for the .atom extension."""
    return {"extension": "atom", "render": render_atom,
            "can_render": datasette_atom.can_render_atom}
