"""ISO weeks: parsing "2026-W48", the default week of a report, window bounds."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)


@dataclass(frozen=True)
class Window:
    """A half-open date range [start, end) with the name reports use for it."""

    name: str
    start: dt.date
    end: dt.date

    @property
    def start_iso(self) -> str:
        return self.start.isoformat()

    @property
    def end_iso(self) -> str:
        return self.end.isoformat()

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def iso_week(day: dt.date) -> Window:
    """The ISO week (Monday to Sunday) that contains day."""
    year, week, _ = day.isocalendar()
    start = day - dt.timedelta(days=day.weekday())
    return Window(f"{year}-W{week:02d}", start, start + dt.timedelta(days=7))


def parse_week(text: str) -> Window:
    """The window of an ISO week name such as 2026-W48; ValueError saying the format."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W48")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{text!r}: {year} has no week {week}") from None
    return iso_week(monday)


def since(day: dt.date, today: dt.date) -> Window:
    """From day up to and including today."""
    return Window(f"{day.isoformat()}_to_{today.isoformat()}", day, today + dt.timedelta(days=1))


def default_week(today: dt.date) -> Window:
    """The week a report covers by default: the week of yesterday (so Monday gets last week)."""
    return iso_week(today - dt.timedelta(days=1))
