"""Analysing texts with the tagging pipeline: entities, events and key phrases per text."""

from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from nlp.chunking import split_text
from nlp.entities import EntityMention, entity_mentions
from nlp.events import EVENTS_KEY
from nlp.keyphrases import KEYPHRASES_KEY
from nlp.screening import skip_reason
from nlp.watchlist import COMMON_WORD_NAMES_META, LINKED_NAMES_META

__all__ = ["DetectedEvent", "DocAnalysis", "EntityMention", "analyse_texts"]


@dataclass(frozen=True)
class DetectedEvent:
    """An event type a document reports, with the sentence that shows it."""

    type: str
    evidence: str


@dataclass
class DocAnalysis:
    """What the pipeline found in one text, or why it skipped the text."""

    entities: list[EntityMention]
    events: list[DetectedEvent]
    keyphrases: list[tuple[str, int]]
    skipped: str | None


@dataclass(frozen=True)
class _Plan:
    chunks: list[str]
    skipped: str | None


def analyse_texts(
    nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[DocAnalysis]:
    """Analyse texts in order with nlp.pipe; one DocAnalysis per input text."""
    linked = nlp.meta.get(LINKED_NAMES_META, {})
    common_words = frozenset(nlp.meta.get(COMMON_WORD_NAMES_META, ()))
    plans: deque[_Plan] = deque()
    chunks = _planned_chunks(texts, nlp.max_length, plans)
    pending: list[Doc] = []
    for doc in nlp.pipe(chunks, batch_size=batch_size, n_process=n_process):
        yield from _leading_skips(plans)
        pending.append(doc)
        if len(pending) == len(plans[0].chunks):
            plans.popleft()
            yield merge_docs(pending, linked, common_words)
            pending = []
    yield from _leading_skips(plans)


def _planned_chunks(texts: Iterable[str], max_length: int, plans: deque) -> Iterator[str]:
    # Records each text's plan before its chunks reach nlp.pipe, so that every doc
    # coming out finds its plan waiting (nlp.pipe keeps the input order).
    for text in texts:
        plan = plan_text(text, max_length)
        plans.append(plan)
        yield from plan.chunks


def plan_text(text: str | None, max_length: int) -> _Plan:
    """The chunks to analyse for one text, or the reason to skip it."""
    reason = skip_reason(text or "")
    if reason:
        return _Plan([], reason)
    return _Plan(split_text(text, max_length), None)


def _leading_skips(plans: deque) -> Iterator[DocAnalysis]:
    while plans and plans[0].skipped:
        yield DocAnalysis([], [], [], plans.popleft().skipped)


def merge_docs(
    docs: Sequence[Doc], linked: dict, common_words: frozenset[str] = frozenset()
) -> DocAnalysis:
    """One DocAnalysis from the processed chunks of one text."""
    return DocAnalysis(
        entities=entity_mentions(docs, linked, common_words),
        events=_events(docs),
        keyphrases=_keyphrases(docs),
        skipped=None,
    )


def _events(docs: Sequence[Doc]) -> list[DetectedEvent]:
    first: dict[str, str] = {}
    for doc in docs:
        for event_type, evidence in doc.user_data.get(EVENTS_KEY, ()):
            first.setdefault(event_type, evidence)
    return [DetectedEvent(event_type, first[event_type]) for event_type in sorted(first)]


def _keyphrases(docs: Sequence[Doc]) -> list[tuple[str, int]]:
    counts: Counter = Counter()
    for doc in docs:
        counts.update(doc.user_data.get(KEYPHRASES_KEY, {}))
    return sorted(counts.items())
