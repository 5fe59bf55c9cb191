"""Turn the blocks of one release into a ReleaseEntry: version, date, title, items."""

import re
from collections import Counter
from dataclasses import dataclass

from crawlers.changelog_blocks import Block
from crawlers.changelog_dates import find_date
from crawlers.changelog_items import (
    classify_item,
    is_section_heading,
    mentions_breaking,
    section_type,
)
from crawlers.changelog_model import ReleaseEntry, ReleaseItem
from crawlers.changelog_versions import find_version

_SEPARATORS = " \t.-\u2013\u2014:|/,\u00b7\u2022"
_PAIRS = ("()", "[]")
_DATE_WORDS = re.compile(
    r"\b(?:released|release date|published|shipped|date)\b(?:\s+on\b)?|^\s*on\b", re.IGNORECASE
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_STRONG_VERSION = re.compile(r"\d+\.\d+\.\d+|\d[-.]?(?:alpha|beta|rc|pre|preview)", re.I)
_HEAD_BLOCKS = 4
_SHORT = 120


@dataclass
class Heading:
    """What a heading or meta line says: version, date and the words left for a title."""

    version: str | None
    date: str | None
    rest: str


def _unpaired_end(text: str) -> str:
    """Drop brackets at the ends that pair with nothing inside ("[1.4.0", "[Unreleased]")."""
    for opening, closing in _PAIRS:
        inner = text[1:-1]
        if text[:1] + text[-1:] == opening + closing and opening not in inner \
                and closing not in inner:
            return inner
        if text.endswith(closing) and text.count(opening) < text.count(closing):
            return text[:-1]
        if text.startswith(opening) and text.count(opening) > text.count(closing):
            return text[1:]
    return text


def _tidy(text: str) -> str:
    text = " ".join(_EMPTY_BRACKETS.sub(" ", text).split()).strip(_SEPARATORS)
    while (trimmed := _unpaired_end(text).strip(_SEPARATORS)) != text:
        text = trimmed
    return text


def describe(text: str, time: str | None = None) -> Heading:
    """Read version, date and remaining title words from one heading line."""
    date = time
    if found := find_date(text):
        date = date or found[0]
        text = text[: found[1]] + " " + _DATE_WORDS.sub(" ", text[found[2]:])
        text = _DATE_WORDS.sub(" ", text)
    version = find_version(text)
    if not version:
        return Heading(None, date, _tidy(text))
    before, after = _tidy(text[: version[1]]), _tidy(text[version[2]:])
    if before and after and not _STRONG_VERSION.search(version[0]):
        return Heading(None, date, _tidy(text))  # "Python 3.12 support" names no release
    return Heading(version[0], date, after if not before else _tidy(text))


def _head_zone(blocks: list[Block]) -> list[int]:
    """Indices of the leading blocks that may hold version, date and title."""
    zone = []
    for index, block in enumerate(blocks[:_HEAD_BLOCKS]):
        if block.kind == "item" or len(block.text) > _SHORT:
            break
        zone.append(index)
    return zone or [0]


def _read_meta(blocks: list[Block], zone: list[int], used: set[int]) -> Heading:
    """Version and date from the head zone; lines that say nothing else are used up."""
    meta, first_heading = Heading(None, None, ""), True
    for index in zone:
        block = blocks[index]
        if block.kind == "heading" and is_section_heading(block.text):
            continue
        seen = describe(block.text, block.time)
        pure = not seen.rest and len(block.text) <= 40
        if seen.version and not meta.version and (pure or first_heading):
            meta.version = seen.version if block.kind == "heading" or pure else None
        first_heading = first_heading and block.kind != "heading"
        meta.date = meta.date or seen.date
        meta_only = block.time or ((seen.version or seen.date) and not seen.rest)
        if meta_only and block.kind != "heading":
            used.add(index)
    return meta


def _is_title_line(block: Block) -> bool:
    return len(block.text) <= 100 and not block.text.endswith((".", "!", "?", ":"))


def _first_words(blocks: list[Block], used: set[int]) -> str:
    """Last resort title: the start of the entry's first unused line."""
    text = next((b.text for i, b in enumerate(blocks) if i not in used and b.text), "")
    return text if len(text) <= _SHORT else text[:_SHORT].rsplit(" ", 1)[0] + "…"


def _pick_title(blocks: list[Block], zone: list[int], used: set[int], meta: Heading) -> str:
    """The entry's title: heading words, else a title line under a bare heading."""
    headings = [i for i in zone if blocks[i].kind == "heading"]
    # Under a version heading a short line is prose; in a card it is the title.
    text_titles = not meta.version or blocks[0].kind != "heading"
    fallback = None
    for index in headings + [i for i in zone if i not in headings]:
        block = blocks[index]
        if index in used or (block.kind == "heading" and is_section_heading(block.text)):
            continue
        seen = describe(block.text, block.time)
        if block.kind == "heading" and seen.rest:
            used.add(index)
            return seen.rest
        if block.kind == "heading":
            used.add(index)
            fallback = fallback or block.text
        elif text_titles and _is_title_line(block) and not (seen.version or seen.date):
            used.add(index)
            return block.text
    return meta.version or fallback or _first_words(blocks, used)


def entry_items(blocks: list[Block]) -> list[ReleaseItem]:
    """Items of an entry, typed by their section heading or else by their wording."""
    items, section = [], None
    for block in blocks:
        if block.kind == "heading":
            section = section_type(block.text)
        elif block.kind == "item" and block.text:
            items.append(ReleaseItem(section or classify_item(block.text), block.text))
    return items


def is_breaking(blocks: list[Block], items: list[ReleaseItem], title: str, body: str) -> bool:
    """True for a Breaking section, a breaking item, or BREAKING CHANGE/"breaking:" text."""
    if any(item.type == "breaking" for item in items):
        return True
    if mentions_breaking(title) or mentions_breaking(body):
        return True
    return any(b.kind == "heading" and section_type(b.text) == "breaking" for b in blocks)


def _apply_pinned(blocks: list[Block], meta: Heading, used: set[int]) -> None:
    """Let what a version_selector or date_selector named win over the heuristics."""
    for index, block in enumerate(blocks):
        if not block.pinned:
            continue
        if block.kind == "heading" and block.level == 0:
            meta.version = describe(block.text).version or block.text or meta.version
        else:
            meta.date = block.time
        used.add(index)


def build_entry(blocks: list[Block], url: str, anchor: str | None = None) -> ReleaseEntry:
    """One ReleaseEntry from the blocks of one release (its heading or card first)."""
    zone, used = _head_zone(blocks), set()
    meta = _read_meta(blocks, zone, used)
    _apply_pinned(blocks, meta, used)
    title = _pick_title(blocks, zone, used, meta)
    rest = [b for i, b in enumerate(blocks) if i not in used and b.text and b.text != title]
    body = "\n".join(block.text for block in rest)
    items = entry_items(rest)
    anchor = anchor or next((b.anchor for b in blocks[: len(zone)] if b.anchor), None)
    return ReleaseEntry(
        version=meta.version,
        released_on=meta.date,
        title=title,
        body=body,
        items=items,
        breaking=is_breaking(rest, items, title, body),
        anchor_url=f"{url.split('#', 1)[0]}#{anchor}" if anchor else None,
    )


def _release_heading(block: Block) -> Heading | None:
    if block.kind != "heading" or is_section_heading(block.text):
        return None
    seen = describe(block.text, block.time)
    return seen if (seen.version or seen.date) else None


def _entry_starts(blocks: list[Block]) -> list[int]:
    """Indices of the headings that open a release."""
    forced = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 0]
    if forced:
        return forced
    found = {i: h for i, b in enumerate(blocks) if (h := _release_heading(b)) is not None}
    if not found:
        return []
    levels = Counter(blocks[i].level for i in found)
    level = min(levels, key=lambda lvl: (-levels[lvl], lvl))
    return [i for i, h in found.items() if blocks[i].level == level or not h.rest]


def _entry_end(blocks: list[Block], start: int, next_start: int) -> int:
    """Where a release ends: the next release, or a same-level heading that is not one."""
    level = blocks[start].level
    for index in range(start + 1, next_start):
        block = blocks[index]
        if block.kind == "heading" and block.level <= level and not is_section_heading(block.text):
            return index
    return next_start


def _update_titles(release: list[Block]) -> list[int]:
    """Indices of the titled updates under a bare date heading, when there are two or more."""
    head = describe(release[0].text, release[0].time)
    if head.version or head.rest or len(release) < 2:
        return []
    titles = [
        i for i, block in enumerate(release[1:], 1)
        if block.kind == "heading" and block.level > release[0].level
        and not is_section_heading(block.text)
    ]
    level = min((release[i].level for i in titles), default=0)
    titles = [i for i in titles if release[i].level == level]
    return titles if len(titles) >= 2 and titles[0] == 1 else []


def _per_update(release: list[Block]) -> list[list[Block]]:
    """A day of a product changelog that ships several titled updates: one entry each."""
    titles = _update_titles(release)
    if not titles:
        return [release]
    ends = [*titles[1:], len(release)]
    return [[release[0], *release[start:end]] for start, end in zip(titles, ends, strict=True)]


def split_blocks(blocks: list[Block]) -> list[list[Block]]:
    """The blocks of each release in a heading-structured document, in page order."""
    starts = _entry_starts(blocks)
    if not starts:
        return []
    bounds = [*starts[1:], len(blocks)]
    releases = []
    for start, next_start in zip(starts, bounds, strict=True):
        end = _entry_end(blocks, start, next_start)
        grouping = end == start + 1 and next_start == end and next_start < len(blocks)
        if grouping and blocks[next_start].level > blocks[start].level:
            continue  # a "Version 3" heading that only groups the 3.x releases under it
        releases.extend(_per_update(blocks[start:end]))
    return releases
