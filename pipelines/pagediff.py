"""Changes between two snapshots of a watched page, and between two sets of prices.

Works on plain strings and dicts (the shape of ``PricePoint.to_dict()``), so it needs
nothing from the crawler.
"""

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

SIGNIFICANT = 0.5
"""Significance from which a change is worth a person's attention (money, plan names)."""

_CONTEXT_LINES = 3
_SPACES = re.compile(r"\s+")
_MONEY = re.compile(
    r"(?:US\$|[$€£¥]|\b(?:USD|EUR|GBP|JPY|CHF)\b)\s?\d[\d.,']*"
    r"|\d[\d.,']*\s?(?:€|£|\b(?:USD|EUR|GBP|JPY|CHF)\b)"
)
_NAME_LIKE = re.compile(r"^[A-Z0-9][\w&+'’-]*(?: [\w&+'’-]+){0,3}$")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


@dataclass
class PageDiff:
    """What changed between two snapshots of one page."""

    diff: str
    added: list[str]
    removed: list[str]
    significance: float


@dataclass
class PriceChange:
    """One plan whose price changed, appeared or disappeared."""

    plan: str
    change: str
    old: dict | None
    new: dict | None
    summary: str


def diff_snapshots(old: str, new: str, *, label: str = "") -> PageDiff | None:
    """The change between two extracted snapshots, or None when they do not differ."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = SequenceMatcher(None, _keys(old_lines), _keys(new_lines), autojunk=False)
    groups = list(matcher.get_grouped_opcodes(_CONTEXT_LINES))
    removed, added = _changed_lines(matcher.get_opcodes(), old_lines, new_lines)
    if not removed and not added:
        return None
    return PageDiff(
        diff=_unified(groups, old_lines, new_lines, label),
        added=added,
        removed=removed,
        significance=_significance(removed, added, old_lines, new_lines),
    )


def _keys(lines: list[str]) -> list[str]:
    """Lines as compared: case and whitespace are presentation, not content."""
    return [_SPACES.sub(" ", line).strip().casefold() for line in lines]


def _changed_lines(opcodes, old_lines, new_lines) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal":
            removed.extend(old_lines[i1:i2])
            added.extend(new_lines[j1:j2])
    return removed, added


def _unified(groups, old_lines, new_lines, label: str) -> str:
    name = label or "snapshot"
    out = [f"--- {name} (old)", f"+++ {name} (new)"]
    for group in groups:
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + line for line in new_lines[j1:j2])
                continue
            out.extend("-" + line for line in old_lines[i1:i2])
            out.extend("+" + line for line in new_lines[j1:j2])
    return "\n".join(out) + "\n"


def _range(start: int, stop: int) -> str:
    """A hunk range as unified diff writes it (1-based; empty ranges name the line before)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _significance(removed, added, old_lines, new_lines) -> float:
    """0..1: money first, then plan or heading names, then how much copy moved."""
    total_words = max(sum(len(line.split()) for line in old_lines + new_lines), 1)
    size = min(1.0, 2 * _changed_words(removed, added) / total_words)
    score = 0.1 + 0.35 * size
    if Counter(_money_tokens(removed)) != Counter(_money_tokens(added)):
        score = max(score, 0.8 + 0.2 * size)
    elif _names(removed) != _names(added):
        score = max(score, 0.6 + 0.1 * size)
    return round(min(score, 1.0), 2)


def _changed_words(removed: list[str], added: list[str]) -> int:
    """Words removed plus words added, so rewording one word of a long line counts as one."""
    before, after = " ".join(removed).split(), " ".join(added).split()
    kept = SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks()
    return len(before) + len(after) - 2 * sum(block.size for block in kept)


def _money_tokens(lines: list[str]) -> list[str]:
    return [_SPACES.sub("", token) for line in lines for token in _MONEY.findall(line)]


def _names(lines: list[str]) -> set[str]:
    """Short capitalised lines: plan names, headings, feature names."""
    return {line.casefold() for line in lines if _NAME_LIKE.match(line.strip())}


def compare_price_points(old: list[dict], new: list[dict]) -> list[PriceChange]:
    """Plan-level differences between two price-point lists (dicts of PricePoint.to_dict())."""
    before, after = _by_plan(old), _by_plan(new)
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or "")):
        was, now = before.get(key), after.get(key)
        if was is None:
            changes.append(_change("added", now, was, now))
        elif now is None:
            changes.append(_change("removed", was, was, now))
        elif _price_of(was) != _price_of(now):
            changes.append(_change("changed", now, was, now))
    return changes


def _by_plan(points: list[dict]) -> dict[tuple, dict]:
    return {(p["plan"].casefold(), p.get("period")): p for p in points}


def _price_of(point: dict) -> tuple:
    return (point.get("amount"), point.get("currency"), point.get("unit"),
            bool(point.get("contact_sales")))


def _change(kind: str, shown: dict, old: dict | None, new: dict | None) -> PriceChange:
    plan = shown["plan"]
    if kind == "added":
        summary = f"{plan}: new plan, {_price_text(new)}"
    elif kind == "removed":
        summary = f"{plan}: plan removed (was {_price_text(old, aside=', {}')})"
    else:
        summary = f"{plan}: {_transition(old, new)}"
    return PriceChange(plan=plan, change=kind, old=old, new=new, summary=summary)


def _transition(old: dict, new: dict) -> str:
    old_per, new_per = _per(old), _per(new)
    if old_per != new_per:
        return f"{_price_text(old)} → {_price_text(new)}"
    months = _per_month_billed_annually(old), _per_month_billed_annually(new)
    if None in months:
        return f"{_amount_text(old)} → {_amount_text(new)}{old_per}"
    monthly = " → ".join(_money_text(month, point.get("currency"))
                         for month, point in zip(months, (old, new), strict=True))
    return f"{monthly}{_per_month(old)} ({_amount_text(old)} → {_amount_text(new)}{_per_year(old)})"


def _price_text(point: dict, aside: str = " ({})") -> str:
    """A price as read: "$12 per seat/month", "$39 per month billed annually ($468/year)"."""
    month = _per_month_billed_annually(point)
    if month is None:
        return _amount_text(point) + _per(point)
    total = aside.format(_amount_text(point) + _per_year(point))
    return _money_text(month, point.get("currency")) + _per_month(point) + total


def _per_month_billed_annually(point: dict) -> float | None:
    """The monthly share of a yearly price, when it comes to whole cents ($468/year: $39)."""
    amount = point.get("amount")
    if point.get("period") != "year" or point.get("contact_sales") or not amount:
        return None
    cents = round(amount * 100)
    return cents / 1200 if cents % 12 == 0 else None


def _per_month(point: dict) -> str:
    unit = point.get("unit")
    return f" per {unit}/month billed annually" if unit else " per month billed annually"


def _per_year(point: dict) -> str:
    unit = point.get("unit")
    return f" per {unit}/year" if unit else "/year"


def _amount_text(point: dict) -> str:
    """"$12", "€19.50", "¥1,500", "CHF 1,200", "Contact sales"."""
    amount = point.get("amount")
    if point.get("contact_sales") or amount is None:
        return "Contact sales"
    return _money_text(amount, point.get("currency"))


def _money_text(amount: float, currency: str | None) -> str:
    number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    if not currency:
        return "free" if amount == 0 else number
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def _per(point: dict) -> str:
    """" per seat/month", " per month", " one-time", or "" when unstated."""
    if point.get("contact_sales") or point.get("amount") is None:
        return ""
    unit, period = point.get("unit"), point.get("period")
    if period == "one-time":
        return f" per {unit}, one-time" if unit else " one-time"
    parts = [part for part in (unit, period) if part]
    return " per " + "/".join(parts) if parts else ""
