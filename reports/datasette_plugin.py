"""The rivalwatch Datasette plugin: escaped cell rendering, week facets, SQL functions, feeds.

Registered by `reports.datasette.build_datasette` with `datasette.plugins.pm`.
"""

from __future__ import annotations

from datasette import hookimpl

from reports.datasette_facets import WeekFacet
from reports.datasette_feeds import atom_renderer
from reports.datasette_render import render_query_link, render_value
from reports.datasette_sql import register_functions


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Scraped text as escaped, readable HTML; row links in canned-query results."""
    if table is None:
        link = render_query_link(value, column, datasette.urls.database(database))
        if link is not None:
            return link
    return render_value(value, column)


@hookimpl
def prepare_connection(conn):
    """The SQL functions the canned queries call."""
    register_functions(conn)


@hookimpl
def register_facet_classes():
    """The week facet."""
    return [WeekFacet]


# trylast: the last renderer registered for an extension wins, so ours replaces
# datasette-atom's own while delegating to it.
@hookimpl(trylast=True)
def register_output_renderer(datasette):
    """Atom feeds that stay valid when a query has no rows."""
    return atom_renderer()
