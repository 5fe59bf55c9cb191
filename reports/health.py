"""Source health: ok, failing, backing off, stale or never fetched."""

from __future__ import annotations

import datetime as dt

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def parse_stamp(stamp: str) -> dt.datetime:
    """An ISO 8601 UTC stamp (date or date-time) as an aware datetime."""
    if len(stamp) == 10:
        stamp += "T00:00:00"
    return dt.datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)


def source_state(row: dict, now: dt.datetime, default_stale_days: int) -> str:
    """The health of a sources row, in words a product manager can act on."""
    if row["next_attempt_after"] and row["next_attempt_after"] > now.strftime(STAMP):
        return f"backing off until {row['next_attempt_after'][:16].replace('T', ' ')}"
    if row["consecutive_failures"]:
        return "failing"
    if not row["last_success_at"]:
        return "never fetched"
    limit = row["stale_after_days"] or default_stale_days
    newest = row["last_new_item_at"] or row["last_success_at"]
    idle = (now - parse_stamp(newest)).days
    return f"stale ({idle}d without new items)" if idle >= limit else "ok"
