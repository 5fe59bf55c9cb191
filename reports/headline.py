"""The report's headline: the 3 to 5 biggest movements of the week, as bullets."""

from __future__ import annotations

from reports.markdown import Markdown, escape_md

MAX_BULLETS = 5
_EVENT_PRIORITY = ("acquisition", "funding", "layoffs", "security", "outage", "leadership",
                   "partnership", "launch")


def headline(context: dict) -> list[Markdown]:
    """Bullets in order of weight: prices, release bursts, big events, rising terms, firsts."""
    candidates = [*_price_bullets(context), *_release_bullets(context),
                  *_event_bullets(context), *_rising_bullets(context),
                  *_first_mention_bullets(context)]
    return candidates[:MAX_BULLETS]


_CHANGE_WEIGHT = {"changed": 0, "removed": 1, "added": 2}


def _price_bullets(context: dict) -> list[Markdown]:
    """One bullet per competitor whose prices moved; changed prices before new plans."""
    moved = [c for c in context["competitors"] if c["price_changes"]]
    moved.sort(key=lambda c: (min(_CHANGE_WEIGHT.get(p["change"], 3)
                                  for p in c["price_changes"]), c["name"]))
    bullets = []
    for competitor in moved[:2]:
        changes = sorted(competitor["price_changes"],
                         key=lambda p: (_CHANGE_WEIGHT.get(p["change"], 3), p["plan"]))
        summaries = "; ".join(escape_md(p["summary"]) for p in changes[:2])
        bullets.append(Markdown(f"**{escape_md(competitor['name'])}** pricing: {summaries}"))
    return bullets


def _release_bullets(context: dict) -> list[Markdown]:
    busy = sorted((c for c in context["competitors"] if len(c["releases"]) >= 2),
                  key=lambda c: (-len(c["releases"]), c["name"]))
    bullets = []
    for c in busy[:2]:
        breaking = sum(1 for r in c["releases"] if r["breaking"])
        note = f", {breaking} with breaking changes" if breaking else ""
        bullets.append(Markdown(f"**{escape_md(c['name'])}** shipped {len(c['releases'])} "
                                f"releases{note}"))
    return bullets


def _event_bullets(context: dict) -> list[Markdown]:
    bullets = []
    for event_type in _EVENT_PRIORITY[:5]:
        for event in context["events_by_type"].get(event_type, [])[:1]:
            bullets.append(Markdown(f"{event_type.capitalize()}: {escape_md(event['title'])}"))
    return bullets[:2]


def _rising_bullets(context: dict) -> list[Markdown]:
    return [Markdown(f"Rising: **{escape_md(t['name'])}** in {t['count']} documents "
                     f"({_expected(t['baseline'])})") for t in context["rising"][:1]]


def _expected(baseline: float) -> str:
    return "new this week" if baseline < 0.5 else f"about {baseline:.0f} expected"


def _first_mention_bullets(context: dict) -> list[Markdown]:
    names = [escape_md(f["name"]) for f in context["first_mentions"][:3]]
    return [Markdown("First mentions: " + ", ".join(names))] if names else []
