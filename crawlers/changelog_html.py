"""Read changelog HTML into blocks, and find card or timeline entries, with lxml."""

import re
from collections import defaultdict

import lxml.html
from lxml import etree

from crawlers.changelog_blocks import Block
from crawlers.changelog_dates import parse_date
from crawlers.changelog_entries import describe
from crawlers.changelog_versions import find_version

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset((
    "p", "div", "ul", "ol", "dl", "dt", "dd", "section", "article", "header", "main", "table",
    "tr", "td", "th", "pre", "blockquote", "br", "hr", "figcaption", "figure", "details",
    "summary", "address",
))
_DROP = frozenset((
    "script", "style", "noscript", "template", "svg", "nav", "aside", "footer", "form",
    "button", "select", "iframe", "head", "title", "object", "canvas",
))
_CONTAINERS = ("article", "section", "li", "div")
_CHROME = re.compile(r"\b(?:pagination|breadcrumbs?|sr-only-skip|subscribe|share-buttons)\b")
_CARD_HEAD = 4
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


def parse_html(markup: str) -> etree._Element:
    """The document element of a page, parsed by libxml2 (depth-capped, never recursive)."""
    return lxml.html.document_fromstring(markup, parser=_PARSER)


def main_region(root: etree._Element) -> etree._Element:
    """The page's main region when it marks one, else the whole page."""
    for main in root.iter("main"):
        return main
    found = root.xpath("//*[@role='main']")
    return found[0] if found else root


def _section_id(heading: etree._Element) -> str | None:
    """The id of the section a heading opens (Sphinx puts ids on sections, not headings)."""
    parent = heading.getparent()
    if parent is None or not parent.get("id") or parent.tag not in _CONTAINERS:
        return None
    for child in parent.iterchildren():
        if child is heading:
            return parent.get("id")
        if child.tag in _HEADINGS:
            return None
    return None


def _anchor_of(heading: etree._Element) -> str | None:
    """An id that links to the heading: its own, a child anchor's, or its section's."""
    links = list(heading.iter("a"))
    named = [link.get("id") or link.get("name") for link in links]
    hrefs = [link.get("href") or "" for link in links]
    local = [href[1:] for href in hrefs if href.startswith("#")]
    found = [heading.get("id"), *named, _section_id(heading), *reversed(local)]
    return next((anchor for anchor in found if anchor), None)


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _is_chip_row(parent: etree._Element | None) -> bool:
    """True when a block holds only side-by-side inline elements (a card's meta row)."""
    if parent is None or not _blank(parent.text):
        return False
    return all(_blank(child.tail) for child in parent.iterchildren())


def _is_version_chip(element: etree._Element) -> bool:
    """True for a leaf element whose whole text is one version ("<span>v2.17</span>")."""
    text = (element.text or "").strip()
    found = find_version(text) if len(element) == 0 and len(text) <= 40 else None
    return bool(found) and found[0] == text


def _time_of(element: etree._Element) -> str | None:
    return parse_date(element.get("datetime") or "") or parse_date(element.text_content())


class _Walk:
    """Collects blocks while lxml's iterwalk goes through a subtree (no recursion)."""

    def __init__(self, marks: dict):
        self.marks = marks
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.headings: list[tuple[int, str | None]] = []
        self.time: str | None = None
        self.list_depth = 0
        self.chip_rows: dict = {}

    def in_chip_row(self, element: etree._Element) -> bool:
        parent = element.getparent()
        if parent not in self.chip_rows:
            self.chip_rows[parent] = _is_chip_row(parent)
        return self.chip_rows[parent]

    def flush(self, time: str | None = None, pinned: bool = False) -> None:
        text = " ".join("".join(self.parts).replace("\u00b6", " ").split())
        self.parts = []
        time = time or (self.time if self.headings else None)
        if not text and not time:
            return
        if self.headings:
            level, anchor = self.headings[-1]
            self.blocks.append(
                Block("heading", text, level=level, anchor=anchor, time=time, pinned=level == 0)
            )
            self.time = None
        elif self.list_depth:
            self.blocks.append(
                Block("item", text, level=self.list_depth, time=time, pinned=pinned)
            )
        else:
            self.blocks.append(Block("text", text, time=time, pinned=pinned))

    def role(self, element: etree._Element, root: etree._Element) -> str:
        tag = element.tag if isinstance(element.tag, str) else ""
        mark = self.marks.get(element)
        if tag in _DROP or _CHROME.search(element.get("class") or ""):
            return "drop"
        if mark == "version":
            return "forced"
        if mark == "date" or (element.get("datetime") is not None and "time" in tag):
            return "time"
        if tag in _HEADINGS:
            return "heading"
        if tag == "li" and element is not root:
            return "item"
        if tag in _BLOCKS:
            return "block"
        return "chip" if self._is_chip(element, root) else "inline"

    def _is_chip(self, element: etree._Element, root: etree._Element) -> bool:
        # A version beside tags in a meta row is a line of its own, as the page shows it;
        # inside a heading or a list item it stays part of that line.
        if self.headings or self.list_depth or element is root:
            return False
        return _is_version_chip(element) and self.in_chip_row(element)

    def start(self, role: str, element: etree._Element) -> None:
        if role in ("heading", "forced"):
            self.flush()
            level = _HEADINGS.get(element.tag, 0) if role == "heading" else 0
            self.headings.append((level, _anchor_of(element)))
        elif role == "time" and self.headings:
            self.time = _time_of(element)
        elif role in ("item", "block", "time", "chip"):
            self.flush()
            self.list_depth += role == "item"
        if element.text and role != "drop":
            self.parts.append(element.text)

    def end(self, role: str, element: etree._Element) -> None:
        if role in ("heading", "forced"):
            self.flush()
            self.headings.pop()
        elif role == "time" and not self.headings:
            self.flush(_time_of(element), pinned=element in self.marks)
        elif role in ("item", "block", "chip"):
            self.flush()
            self.list_depth -= role == "item"
        elif role == "inline" and element.getnext() is not None and _blank(element.tail) \
                and self.in_chip_row(element):
            self.parts.append(" ")  # side-by-side tags read as words, not "ReplaySDK"


def html_blocks(
    root: etree._Element, marks: dict | None = None, limit: int | None = None
) -> list[Block]:
    """Headings, list items and paragraphs of a subtree, in document order."""
    walk, roles = _Walk(marks or {}), []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        if limit and len(walk.blocks) >= limit:
            return walk.blocks
        if event == "start":
            roles.append(walk.role(element, root))
            walk.start(roles[-1], element)
            if roles[-1] == "drop":
                walker.skip_subtree()
            continue
        walk.end(roles.pop(), element)
        if element is not root and element.tail:
            walk.parts.append(element.tail)
    walk.flush()
    return walk.blocks


def _sibling_groups(root: etree._Element) -> list[list[etree._Element]]:
    """Runs of same-tag, same-class siblings that could each be one release card."""
    groups = defaultdict(list)
    for element in root.iter(*_CONTAINERS):
        parent = element.getparent()
        if parent is not None:
            groups[(parent, element.tag, element.get("class"))].append(element)
    return [members for members in groups.values() if len(members) >= 2]


def _is_card(blocks: list[Block]) -> bool:
    """True when a container's first blocks carry a date, or a heading names a version."""
    if len(blocks) < 2:
        return False
    for block in blocks:
        seen = describe(block.text, block.time)
        if block.time or (seen.date and len(block.text) <= 80 and block.kind != "item"):
            return True
        if seen.version and block.kind == "heading":
            return True
    return False


def find_cards(root: etree._Element) -> list[etree._Element]:
    """The largest run of sibling containers that each look like one release."""
    best: list[etree._Element] = []
    for members in _sibling_groups(root):
        cards = [m for m in members if _is_card(html_blocks(m, limit=_CARD_HEAD))]
        if len(cards) > len(best):
            best = cards
    return best
