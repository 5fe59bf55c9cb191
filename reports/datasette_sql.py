"""SQL functions the canned queries use, registered on every Datasette connection."""

from __future__ import annotations

import sqlite3

from datasette.utils import escape_fts


def fts_query(text: str | None) -> str:
    """A user's words as a safe FTS5 query: every word must appear, no query syntax."""
    escaped = escape_fts(text or "")
    # An empty MATCH is a syntax error; an empty phrase just matches nothing.
    return escaped or '""'


def contains_all(haystack: str | None, text: str | None) -> int:
    """1 when every word of text appears in haystack (case-insensitive), else 0."""
    words = (text or "").casefold().split()
    if not words or not haystack:
        return 0
    folded = haystack.casefold()
    return int(all(word.strip('"') in folded for word in words))


def register_functions(conn: sqlite3.Connection) -> None:
    """Add rw_fts_query and rw_contains_all to conn."""
    conn.create_function("rw_fts_query", 1, fts_query, deterministic=True)
    conn.create_function("rw_contains_all", 2, contains_all, deterministic=True)
