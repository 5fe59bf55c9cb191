"""Find the release date in a changelog line, in the forms changelogs write it."""

import re
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_YMD = re.compile(r"(?<!\d)(?P<year>\d{4})([-/])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d)"
)
_MONTH_FIRST = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}){_ORD},?\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE
)
_DAY_FIRST = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}}){_ORD}\.?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _from_ymd(match: re.Match) -> str | None:
    return _iso(int(match["year"]), int(match["m"]), int(match["d"]))


def _from_numeric(match: re.Match) -> str | None:
    first, second, year = int(match["a"]), int(match["b"]), int(match["year"])
    # Slashes are American (month first) unless that cannot be; dots and dashes are European.
    month_first = match["sep"] == "/"
    if month_first and first > 12:
        month_first = False
    elif not month_first and second > 12:
        month_first = True
    return _iso(year, first, second) if month_first else _iso(year, second, first)


def _from_words(match: re.Match) -> str | None:
    month = _MONTHS[match["month"].lower()[:3]]
    return _iso(int(match["year"]), month, int(match["day"]))


_FORMS = ((_YMD, _from_ymd), (_MONTH_FIRST, _from_words), (_DAY_FIRST, _from_words),
          (_NUMERIC, _from_numeric))


def find_date(text: str) -> tuple[str, int, int] | None:
    """The first full date in the text as (YYYY-MM-DD, start, end), or None."""
    found = []
    for pattern, convert in _FORMS:
        for match in pattern.finditer(text):
            iso = convert(match)
            if iso:
                found.append((match.start(), -match.end(), iso))
                break
    if not found:
        return None
    start, neg_end, iso = min(found)
    return iso, start, -neg_end


def parse_date(text: str) -> str | None:
    """The first full date in the text as YYYY-MM-DD; None when no day, month and year."""
    found = find_date(text)
    return found[0] if found else None
