"""How scraped text shows in Datasette cells: escaped always, diffs preformatted.

Datasette already escapes plain values; these renderers only add structure (a
preformatted diff, a scrollable text block, a list of release items, links to rows),
and every piece of scraped text in them is escaped by Markup.format.
"""

from __future__ import annotations

import json
import re

from markupsafe import Markup

DIFF_COLUMNS = frozenset({"diff"})
TEXT_COLUMNS = frozenset({"text", "evidence", "added", "removed", "excerpt", "message"})
ITEM_COLUMNS = frozenset({"items"})
# Columns of canned-query results that name a row; shown as links to that row.
ROW_LINK_COLUMNS = {"document_id": "documents", "change_id": "page_changes"}
ROW_PATH = re.compile(r"^([a-z_]+)/(\d+)$")


def diff_html(diff: str) -> Markup:
    """A unified diff as a <pre> block, one classed span per line."""
    lines = [Markup('<span class="{}">{}</span>').format(_diff_class(line), line)
             for line in diff.splitlines()]
    return Markup('<pre class="rw-diff">{}</pre>').format(Markup("\n").join(lines))


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "rw-diff-file"
    if line.startswith("@@"):
        return "rw-diff-hunk"
    return {"+": "rw-diff-add", "-": "rw-diff-del"}.get(line[:1], "rw-diff-same")


def text_html(text: str) -> Markup:
    """Long text in a block that keeps its line breaks and scrolls when tall."""
    return Markup('<div class="rw-text">{}</div>').format(text)


def items_html(items: str) -> Markup | None:
    """A release's JSON items as a list of 'type: text', or None when not such a list."""
    try:
        parsed = json.loads(items)
    except ValueError:
        return None
    if not isinstance(parsed, list) or not all(isinstance(i, dict) for i in parsed):
        return None
    entries = [Markup('<li><span class="rw-item-type">{}</span> {}</li>').format(
        i.get("type", ""), i.get("text", "")) for i in parsed]
    return Markup('<ul class="rw-items">{}</ul>').format(Markup("").join(entries))


def row_link(href_base: str, table: str, key: object) -> Markup:
    """A link to one row of table."""
    return Markup('<a href="{}/{}/{}">{}</a>').format(href_base, table, key, key)


def render_value(value: object, column: str) -> Markup | None:
    """The HTML for a cell of a scraped-text column, or None to let Datasette render it."""
    if not isinstance(value, str) or not value:
        return None
    if column in DIFF_COLUMNS:
        return diff_html(value)
    if column in TEXT_COLUMNS:
        return text_html(value)
    if column in ITEM_COLUMNS:
        return items_html(value)
    return None


def render_query_link(value: object, column: str, database_url: str) -> Markup | None:
    """Links for the row-naming columns of canned-query results, else None."""
    if column in ROW_LINK_COLUMNS and isinstance(value, int):
        return row_link(database_url, ROW_LINK_COLUMNS[column], value)
    if column == "row_path" and isinstance(value, str) and ROW_PATH.match(value):
        table, key = ROW_PATH.match(value).groups()
        return row_link(database_url, table, key)
    return None
