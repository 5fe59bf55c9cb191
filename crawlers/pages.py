"""Watched pages: the meaningful text of a page, one line per block, with noise removed.

A snapshot must not change when only the page's machinery changes (tokens, counters,
timestamps, asset hashes), so everything volatile is dropped here, before hashing.
"""

import codecs
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from crawlers.text import normalise_whitespace


class EmptyExtraction(ValueError):
    """The watched region of a page holds no meaningful text."""


_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas",
              "object", "select", "nav", "aside", "dialog", "head")
_SITE_CHROME_TAGS = ("header", "footer")
# header/footer inside these are part of the content (a card footer, a quote's author).
_CONTENT_ANCESTORS = {"main", "article", "section", "blockquote", "figure", "table"}
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "dialog", "alertdialog"}
# matched against whole class and id tokens, so "plan-card__footer" is not the site footer
_BOILERPLATE_TOKEN = re.compile(
    r"[\w-]*(?:cookie|consent|gdpr|onetrust)[\w-]*|cc-(?:window|banner)|navbar|"
    r"(?:site|page|global)-(?:header|footer|nav)|footer|colophon|skip-link|breadcrumbs?|"
    r"announcement-bar",
    re.IGNORECASE,
)
_LINE_TAGS = frozenset((
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "tr", "td", "th", "table", "thead", "tbody", "tfoot", "caption", "section",
    "article", "main", "header", "footer", "blockquote", "pre", "figure", "figcaption",
    "form", "fieldset", "legend", "label", "button", "details", "summary", "address", "hr",
))
_SPACE_RUN = re.compile(r"\s+")
_PUNCTUATION_ONLY = re.compile(r"^[\W_]*$")
# what a removal leaves at the start of a line: "Trusted by 18,302 teams, from ..." -> ", from"
_DANGLING_START = re.compile(r"^[\s,;:·|]+")

# Text that changes on every render without the page changing in substance.
_VOLATILE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    # copyright years and year ranges: "© 2019–2024", "Copyright 2024"
    r"(?:©|&copy;|\(c\)|copyright)(?:\s*©)?\s*(?:\d{4}\s*[-–—]\s*)?\d{4}",
    # relative times: "updated 3 minutes ago", "just now"
    r"\b(?:\d+|an?|one|few)\s+(?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week)s?\s+ago\b",
    r"\bjust now\b",
    # timestamps with a time of day: ISO 8601, "2025-03-04 09:12 UTC", "09:12:44"
    r"\b\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?",
    r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|utc|gmt|z)?(?![\w:])",
    # visitor counters: "visitor number 48213", "1,204 people are viewing pricing right now"
    r"\b(?:you are\s+)?(?:the\s+)?visitor\s+(?:number|no\.?|#)?\s*#?\d[\d,.]*",
    r"\b\d[\d,.]*\s+(?:people|visitors|users|others)\s+(?:are\s+)?"
    r"(?:viewing|online|looking|browsing|here)\b[^.\n]*",
    r"\b\d[\d,.]*\s+(?:views|page\s?views|visits)\b",
    # tokens: CSRF tokens, UUIDs, build and cache-busting hashes
    r"\b(?:csrf|xsrf|authenticity)[\w-]*\s*[:=]\s*\S+",
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
    r"\b[\w-]+[.-][0-9a-f]{8,}\.(?:js|css|png|svg|jpe?g|webp|woff2?)\b",
    r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{10,}\b",
    r"(?-i:\b(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[A-Za-z0-9_-]{24,}\b)",
)]


def extract_watched_text(html: bytes | str, url: str, *, selector: str | None = None,
                         ignore: Sequence[str] = ()) -> str:
    """Meaningful text of a watched page, one line per heading/item/cell, noise removed."""
    root = _parse(html, url)
    regions = _watched_regions(root, selector, url)
    lines = []
    for region in regions:
        _drop_boilerplate(region)
        lines.extend(_block_lines(region))
    lines = _without(lines, _VOLATILE)
    lines = _without(lines, _compiled(tuple(ignore)))
    if not lines:
        raise EmptyExtraction(_empty_message(url, selector))
    return "\n".join(lines)


def _parse(html: bytes | str, url: str) -> etree._Element:
    # lxml refuses str input that declares its own encoding, so str goes in as UTF-8.
    encoding = "utf-8" if isinstance(html, str) else _declared_encoding(html)
    if isinstance(html, str):
        html = html.encode("utf-8")
    if not html.strip():
        raise EmptyExtraction(f"{url} returned an empty page; check the URL")
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except etree.ParserError as error:
        raise EmptyExtraction(f"{url} is not a readable HTML page: {error}") from error


def _declared_encoding(html: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", html[:2048], re.IGNORECASE)
    if not match:
        return "utf-8"
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return "utf-8"


def _watched_regions(root: etree._Element, selector: str | None, url: str) -> list:
    if selector:
        found = _css(selector, url)(root)
        if not found:
            raise EmptyExtraction(
                f"selector {selector!r} matched nothing on {url}; set selector to a CSS "
                "selector that exists on the page, or remove it to watch the main content"
            )
        return _outermost(found)
    mains = root.xpath("//main | //*[@role='main']")
    if mains:
        return _outermost(mains)
    body = root.find("body")
    return [body if body is not None else root]


def _outermost(elements: list) -> list:
    """Drop matches nested inside other matches, so no text is taken twice."""
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


@lru_cache(maxsize=64)
def _css(selector: str, url: str) -> CSSSelector:
    try:
        return CSSSelector(selector)
    except SelectorError as error:
        raise EmptyExtraction(f"selector {selector!r} for {url} is not valid CSS ({error}); "
                              "set selector to a CSS selector such as 'main'") from error


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(pattern) for pattern in patterns]


def _drop_boilerplate(region: etree._Element) -> None:
    doomed = [el for el in region.iterdescendants() if _is_boilerplate(el)]
    for el in doomed:
        if el.getparent() is not None:
            _remove_keeping_tail(el)


def _is_boilerplate(el) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag in _DROP_TAGS:
        return True
    if tag in _SITE_CHROME_TAGS and not _inside_content(el):
        return True
    if el.get("role") in _BOILERPLATE_ROLES:
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')}".split()
    return any(_BOILERPLATE_TOKEN.fullmatch(mark) for mark in marks)


def _inside_content(el) -> bool:
    return any(a.tag in _CONTENT_ANCESTORS for a in el.iterancestors())


def _remove_keeping_tail(el) -> None:
    parent, tail = el.getparent(), el.tail
    if tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _block_lines(region: etree._Element) -> list[str]:
    parts: list[str] = []
    _collect(region, parts)
    return normalise_whitespace("".join(parts)).splitlines()


def _collect(el, parts: list[str]) -> None:
    """Append the text of el, with a line break around every block element."""
    block = el.tag in _LINE_TAGS
    if block:
        parts.append("\n")
    if el.text:
        parts.append(_SPACE_RUN.sub(" ", el.text))
    for child in el:
        _collect(child, parts)
        if child.tail:
            parts.append(_SPACE_RUN.sub(" ", child.tail))
    if block:
        parts.append("\n")


def _without(lines: Iterable[str], patterns: list[re.Pattern]) -> list[str]:
    """Lines with every match of patterns removed, dropping lines left empty."""
    kept = []
    for line in lines:
        cleaned = _SPACE_RUN.sub(" ", _strip_all(line, patterns)).strip()
        if cleaned != line:
            cleaned = _DANGLING_START.sub("", cleaned)
        # a cell holding only "✓" is content; a line left as "·" by removals is not
        if cleaned == line or not _PUNCTUATION_ONLY.match(cleaned):
            kept.append(cleaned)
    return kept


def _strip_all(line: str, patterns: list[re.Pattern]) -> str:
    for pattern in patterns:
        line = pattern.sub("", line)
    return line


def _empty_message(url: str, selector: str | None) -> str:
    if selector:
        return (f"selector {selector!r} on {url} holds no meaningful text; "
                "set selector to the region that shows the content to watch")
    return (f"no meaningful text on {url} (the page may be rendered by JavaScript); "
            "set selector to the region to watch, or watch a server-rendered URL")
