"""Turning the entities of one or more docs into counted, canonical mentions."""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from nlp.normalise import entity_key, normalise_entity


@dataclass(frozen=True)
class EntityMention:
    """An entity a document mentions, under its canonical id, with how often."""

    key: str
    label: str
    name: str
    competitor_id: str | None
    count: int


def entity_mentions(
    docs: Iterable[Doc], linked: Mapping[str, dict], common_words: Collection[str] = ()
) -> list[EntityMention]:
    """Mentions of all entities in docs, merged by canonical id and sorted by it.

    Unlinked entities that are a watched common-word name ("linear" in "a linear
    workflow") are dropped: the ruler declined them, so they are the word, not the company.
    """
    counts: Counter = Counter()
    surfaces: defaultdict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for doc in docs:
        for ent in doc.ents:
            key, surface = identify(ent)
            if key and (ent.ent_id_ or surface.lower() not in common_words):
                counts[key] += 1
                surfaces[key][surface] += 1
                labels.setdefault(key, ent.label_)
    return [
        EntityMention(key, labels[key], _name(key, surfaces[key], linked), competitor_of(key), n)
        for key, n in sorted(counts.items())
    ]


def identify(ent: Span) -> tuple[str, str]:
    """(canonical id, normalised surface form) of an entity span; id "" if nameless."""
    surface = normalise_entity(ent.text)
    if ent.ent_id_:
        return ent.ent_id_, surface
    return entity_key(ent.label_, surface), surface


def competitor_of(key: str) -> str | None:
    """The competitor id a canonical id belongs to, for competitors and their products."""
    kind, _, rest = key.partition(":")
    if kind == "competitor":
        return rest
    if kind == "product" and "/" in rest:
        return rest.split("/", 1)[0]
    return None


def _name(key: str, surfaces: Counter, linked: Mapping[str, dict]) -> str:
    if key in linked:
        return linked[key]["name"]
    # Most frequent form; ties broken alphabetically so output is stable.
    return min(surfaces.items(), key=lambda item: (-item[1], item[0]))[0]
