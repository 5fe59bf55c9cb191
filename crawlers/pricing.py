"""Price points of pricing pages: plan, amount, currency, billing period and unit."""

import codecs
import re
from collections import Counter
from dataclasses import asdict, dataclass

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from crawlers.text import normalise_whitespace


@dataclass(frozen=True)
class PricePoint:
    """One price of one plan, as a pricing page shows it."""

    plan: str
    amount: float | None
    currency: str | None
    period: str | None
    unit: str | None
    contact_sales: bool

    def to_dict(self) -> dict:
        """The price point as a plain, JSON-ready dict."""
        return asdict(self)


_CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|INR"
_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "￥": "JPY"}
_NUMBER = r"\d+(?:[.,']\d+)*"
_MONEY = re.compile(
    rf"(?P<sign>US\$|\$|€|£|¥|￥)\s?(?P<n1>{_NUMBER})"
    rf"|\b(?P<code>{_CODES})\s?(?P<n2>{_NUMBER})"
    rf"|(?P<n3>{_NUMBER})\s?(?P<post>€|£|\b(?:{_CODES})\b)"
)
_FREE = re.compile(r"^free(?:\s+forever|\s+plan)?\W*$", re.IGNORECASE)
_CONTACT = re.compile(
    r"^(?:contact\s+(?:sales|us)|talk\s+to\s+(?:sales|us)|let['’]?s\s+talk|custom(?:\s+pricing)?"
    r"|(?:get|request)\s+a\s+quote|(?:price\s+)?on\s+request|call\s+us)\W*$",
    re.IGNORECASE,
)
_MONTH = re.compile(r"(?:/|\bper\b|\ba\b|\bevery\b)\s*(?:mo|mth|month)\b|\bmonthly\b", re.I)
_YEAR = re.compile(
    r"(?:/|\bper\b|\ba\b|\bevery\b)\s*(?:yr|year|annum)\b|\byearly\b|\bannually\b", re.I)
_ONE_TIME = re.compile(r"\bone[- ]time\b|\bonce\b|\blifetime\b", re.I)
_BILLED_YEARLY = re.compile(r"\b(?:billed|paid|charged)\s+(?:annually|yearly|per year)\b"
                            r"|\bannual\s+(?:billing|plan|contract)\b", re.I)
_QUALIFIER = re.compile(
    r"^\s*(?:/|per\b|a\s+(?:month|year)|billed|paid|each|every|one[- ]time|once|monthly|"
    r"yearly|annually|excl|incl|\+\s*vat)", re.I)
_PERIOD_WORDS = {"mo": "month", "mth": "month", "month": "month", "monthly": "month",
                 "yr": "year", "year": "year", "annum": "year", "annually": "year",
                 "yearly": "year"}
_UNIT_STOP = re.compile(r"\b(?:billed|paid|after|when|if|for|with|excl|incl|then|or|and|"
                        r"plus|up|vat|tax)\b.*$", re.I)
_ATTR_YEAR = re.compile(r"annual|yearly|\byear", re.I)
_ATTR_MONTH = re.compile(r"month", re.I)
_DROP = ("script", "style", "noscript", "template", "svg", "nav", "s", "del", "strike", "head")
_CHROME = ("header", "footer")
_CONTENT = {"main", "article", "section", "table"}
_BADGE = re.compile(r"badge|ribbon|pill|tag|label|popular|highlight", re.I)
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_NAME_CLASS = re.compile(r"(?:plan|tier|package|edition)[-_]*(?:name|title)", re.I)
_GENERIC_LABELS = {
    "", "plan", "plans", "tier", "tiers", "price", "prices", "pricing", "cost", "fee",
    "amount", "monthly", "annual", "annually", "yearly", "per month", "per year",
    "billed monthly", "billed annually", "includes", "features",
}
_MAX_PRICE_TEXT = 120
# a plan's price leads its line ("$12 per seat", "From $9"); prose has words before it
_MAX_WORDS_BEFORE_PRICE = 3
# "$5M in funding", "$2 billion": a sum of money in a sentence, not a price
_MAGNITUDE = re.compile(r"^(?:[kmb]n?\b|mm\b|(?:thousand|million|billion)\b)", re.I)
# questions and answers, and the headings over them, never hold a plan's price
_FAQ_MARK = re.compile(r"faq|question", re.I)
_NOT_PLAN_NAME = re.compile(r"\bfaqs?\b|frequently asked|\bquestions\b|\?", re.I)


def extract_price_points(html: bytes | str, url: str, *,
                         selector: str | None = None) -> list[PricePoint]:
    """Price points of a pricing page, sorted by plan then period; [] when the page has none."""
    found = []
    for region in _regions(_parse(html), selector):
        found.extend(_region_points(region))
    return _finished(found)


def _region_points(region) -> list[PricePoint]:
    _drop_noise(region)
    found = []
    for table in region.xpath(".//table"):
        found.extend(_table_points(table, region))
        table.drop_tree()
    found.extend(_card_points(region))
    return found


def _parse(html: bytes | str):
    encoding = "utf-8" if isinstance(html, str) else _declared_encoding(html)
    if isinstance(html, str):
        html = html.encode("utf-8")
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except etree.ParserError:
        return None


def _declared_encoding(html: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", html[:2048], re.IGNORECASE)
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name if match else "utf-8"
    except LookupError:
        return "utf-8"


def _regions(root, selector: str | None) -> list:
    """The watched regions, outermost first, as extract_watched_text takes them."""
    if root is None:
        return []
    if selector:
        try:
            found = CSSSelector(selector)(root)
        except SelectorError:
            return []  # extract_watched_text reports the bad selector to the user
    else:
        found = root.xpath("//main | //*[@role='main']") or [root.find("body")]
    found = [el for el in found if el is not None]
    chosen = set(found)
    return [el for el in found if not any(a in chosen for a in el.iterancestors())]


def _drop_noise(region) -> None:
    doomed = [el for el in region.iterdescendants() if _is_noise(el)]
    for el in doomed:
        el.drop_tree()


def _is_noise(el) -> bool:
    if not isinstance(el.tag, str) or el.tag in _DROP:
        return True
    if el.tag == "details" or _FAQ_MARK.search(f"{el.get('class', '')} {el.get('id', '')}"):
        return True
    # a card's own footer may hold its price; the site's header and footer never do
    return el.tag in _CHROME and not any(a.tag in _CONTENT for a in el.iterancestors())


def _text(el) -> str:
    return normalise_whitespace(" ".join(el.itertext())).replace("\n", " ")


# --- tables -------------------------------------------------------------------------------

def _table_points(table, region) -> list[PricePoint]:
    rows = [row.xpath("./th|./td") for row in table.xpath(".//tr")]
    rows = [cells for cells in rows if cells]
    if len(rows) < 2:
        return []
    header = [_text(cell) for cell in rows[0]]
    points = []
    for cells in rows[1:]:
        label = _text(cells[0])
        for column, cell in enumerate(cells[1:], start=1):
            top = header[column] if column < len(header) else ""
            plan, hint = (top, label) if _is_plan_label(top) else (label, top)
            point = _point_at(cell, plan, hint, region)
            if point is not None:
                points.append(point)
    return points


def _is_plan_label(text: str) -> bool:
    return text.casefold() not in _GENERIC_LABELS and _looks_like_plan(text)


def _looks_like_plan(text: str) -> bool:
    return bool(text) and not _NOT_PLAN_NAME.search(text) and len(text.split()) <= 5


# --- cards --------------------------------------------------------------------------------

def _card_points(region) -> list[PricePoint]:
    nodes = set(_price_nodes(region))
    points, plan = [], None
    for el in region.iter():
        if _is_plan_heading(el):
            plan = _plan_name(el)
        elif el in nodes and plan and _looks_like_plan(plan):
            point = _point_at(el, plan, "", region)
            if point is not None:
                points.append(point)
    return points


def _price_nodes(region) -> list:
    """The innermost short elements that show a price, "Free" or "Contact sales"."""
    candidates = [el for el in region.iter() if isinstance(el.tag, str)
                  and not _is_plan_heading(el) and _shows_price(_text(el))]
    holders = {a for el in candidates for a in el.iterancestors()}
    return [el for el in candidates if el not in holders]


def _shows_price(text: str) -> bool:
    if not text or len(text) > _MAX_PRICE_TEXT:
        return False
    if _FREE.match(text) or _CONTACT.match(text):
        return True
    match = _MONEY.search(text)
    return bool(match) and _leads_as_price(text, match)


def _leads_as_price(text: str, match: re.Match) -> bool:
    """A price display, not a sum named in a sentence ("startups with under $5M get ...")."""
    words_before = len(text[:match.start()].split())
    return words_before <= _MAX_WORDS_BEFORE_PRICE and not _MAGNITUDE.match(text[match.end():])


def _is_plan_heading(el) -> bool:
    return el.tag in _HEADINGS or bool(_NAME_CLASS.search(el.get("class", "")))


def _plan_name(heading) -> str:
    parts = [heading.text or ""]
    for child in heading:
        if not _BADGE.search(child.get("class", "")):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return normalise_whitespace(" ".join(parts)).replace("\n", " ")


# --- one price ----------------------------------------------------------------------------

def _point_at(el, plan: str, hint: str, region) -> PricePoint | None:
    text = _text(el)
    if not plan or not _shows_price(text):
        return None
    if _CONTACT.match(text):
        return PricePoint(plan, None, None, None, None, True)
    if _FREE.match(text):
        return PricePoint(plan, 0.0, None, _attribute_period(el, region), None, False)
    context = " ".join([text, el.tail or "", *_qualifiers(el, region)])
    return _priced(plan, context, hint, _attribute_period(el, region))


def _qualifiers(el, region) -> list[str]:
    """Text next to a price that qualifies it: "per seat / month", "billed annually"."""
    own = _attribute_period(el, region)
    found = []
    for sibling in el.itersiblings():
        text = _text(sibling)
        if _MONEY.search(text) or _is_plan_heading(sibling):
            continue
        theirs = _attribute_period(sibling, region)
        if _QUALIFIER.match(text) and not (own and theirs and own != theirs):
            found.append(text)
    return found[:3]


def _attribute_period(el, region) -> str | None:
    """The billing period named by class or data-* attributes around a price (toggles)."""
    for node in (el, *_ancestors_within(el, region)):
        values = " ".join(v for k, v in node.attrib.items() if k == "class" or
                          k.startswith("data-"))
        if _ATTR_YEAR.search(values):
            return "year"
        if _ATTR_MONTH.search(values):
            return "month"
    return None


def _ancestors_within(el, region) -> list:
    found = []
    for ancestor in el.iterancestors():
        found.append(ancestor)
        if ancestor is region:
            break
    return found


def _priced(plan: str, context: str, hint: str, attr_period: str | None) -> PricePoint | None:
    match = _MONEY.search(context)
    currency, amount = _money(match)
    rest = context[match.end():]
    shown = _period(rest)
    yearly = bool(_BILLED_YEARLY.search(context) or _BILLED_YEARLY.search(hint)
                  or attr_period == "year")
    if shown == "month" and yearly:
        amount, shown = round(amount * 12, 2), "year"
    period = shown or _period(hint) or attr_period
    return PricePoint(plan, amount, currency, period, _unit(rest), False)


def _money(match: re.Match) -> tuple[str, float]:
    sign, code = match.group("sign"), match.group("code") or match.group("post")
    currency = _SIGNS[sign.lower()] if sign else _SIGNS.get(code, code)
    number = match.group("n1") or match.group("n2") or match.group("n3")
    return currency, _number(number)


def _number(text: str) -> float:
    """12 / 1,200 / 1'200 / 19,50 / 1.200,50: a separator before 3 digits groups thousands."""
    text = text.replace("'", "")
    head, separator, tail = max(text.rpartition(","), text.rpartition("."),
                                key=lambda parts: len(parts[0]))
    if separator and len(tail) != 3:
        return float(re.sub(r"[.,]", "", head) + "." + tail)
    return float(re.sub(r"[.,]", "", text))


def _period(text: str) -> str | None:
    if _MONTH.search(text):
        return "month"
    if _YEAR.search(text) or _BILLED_YEARLY.search(text):
        return "year"
    return "one-time" if _ONE_TIME.search(text) else None


def _unit(rest: str) -> str | None:
    """The unit priced ("seat", "1k events") from the words after "per" or "/"."""
    rest = re.split(r"[,;()|]|\.\s", rest, maxsplit=1)[0].lower()
    for piece in re.split(r"\s*(?:/|\bper\b)\s*", rest)[1:]:
        words = _UNIT_STOP.sub("", piece).split()[:3]
        if words and words[0] not in _PERIOD_WORDS and not _ONE_TIME.match(words[0]):
            return _singular(" ".join(words))
    return None


def _singular(unit: str) -> str:
    if " " not in unit and unit.endswith("s") and not unit.endswith("ss"):
        return unit[:-1]
    return unit


# --- the result ---------------------------------------------------------------------------

def _finished(points: list[PricePoint]) -> list[PricePoint]:
    """Free plans take the page's currency; contact-sales rows give way to real prices."""
    currency = _main_currency(points)
    priced = {p.plan.casefold() for p in points if not p.contact_sales}
    kept = set()
    for point in points:
        if point.contact_sales and point.plan.casefold() in priced:
            continue
        if point.amount == 0 and point.currency is None:
            point = PricePoint(point.plan, 0.0, currency, point.period, None, False)
        kept.add(point)
    return sorted(kept, key=_order)


def _main_currency(points: list[PricePoint]) -> str | None:
    counts = Counter(p.currency for p in points if p.currency)
    return counts.most_common(1)[0][0] if counts else None


def _order(point: PricePoint) -> tuple:
    return (point.plan.casefold(), point.period or "", point.amount or 0.0, point.unit or "")
