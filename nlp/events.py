"""The rw_events component: classifies a document into event types, with evidence.

Rules are data (`nlp/patterns/events.jsonl`), loaded once when the component is built.
A rule is a Matcher pattern, a DependencyMatcher pattern, a list of cue words, or a
veto: a Matcher pattern that cancels the matches of its event type it overlaps, which
is how "customer acquisition" or "zero downtime" are kept from counting.
"""

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

EVENTS_KEY = "rw_events"
DEFAULT_RULES = Path(__file__).parent / "patterns" / "events.jsonl"
EVENT_TYPES = (
    "acquisition", "deprecation", "funding", "hiring", "launch", "layoffs",
    "leadership", "outage", "partnership", "pricing", "security",
)  # fmt: skip
_KINDS = ("pattern", "dependency", "cues", "veto")


@dataclass(frozen=True)
class EventRule:
    """One rule of the event classifier, after expanding its @NAME tokens."""

    type: str
    id: str
    kind: str  # pattern | dependency | veto
    patterns: tuple[list, ...]


def load_rules(path: str | Path = DEFAULT_RULES) -> list[EventRule]:
    """Read event rules from a JSONL file, expanding "@NAME" tokens from define lines."""
    defines: dict[str, list[dict]] = {}
    rules = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        if "define" in entry:
            defines[entry["define"]] = entry["alternatives"]
        elif "type" in entry:
            rules.append(_rule(entry, defines, f"{path}:{number}"))
    return rules


def _rule(entry: dict, defines: dict[str, list[dict]], where: str) -> EventRule:
    if entry["type"] not in EVENT_TYPES:
        raise ValueError(f"{where}: unknown event type {entry['type']!r}")
    kind = next((kind for kind in _KINDS if kind in entry), None)
    if kind is None:
        raise ValueError(f"{where}: a rule needs one of {', '.join(_KINDS)}")
    if kind == "cues":
        return EventRule(entry["type"], entry["id"], "pattern", ([{"LOWER": {"IN": entry[kind]}}],))
    patterns = (entry[kind],) if kind == "dependency" else _expand(entry[kind], defines, where)
    return EventRule(entry["type"], entry["id"], kind, patterns)


def _expand(pattern: list, defines: dict[str, list[dict]], where: str) -> tuple[list, ...]:
    """Every token pattern that "@NAME" placeholders stand for (their cartesian product)."""
    choices = []
    for token in pattern:
        if isinstance(token, str):
            if token.removeprefix("@") not in defines:
                raise ValueError(f"{where}: {token!r} is not defined")
            choices.append(defines[token.removeprefix("@")])
        else:
            choices.append([token])
    return tuple([dict(token) for token in combo] for combo in itertools.product(*choices))


class EventClassifier:
    """Finds event types in a doc and stores [type, evidence] pairs in doc.user_data."""

    def __init__(self, vocab: Vocab, rules: Iterable[EventRule], *, max_evidence_chars: int):
        self.max_evidence_chars = max_evidence_chars
        self.matcher = Matcher(vocab, validate=True)
        self.vetoes = Matcher(vocab, validate=True)
        self.dependency_matcher = DependencyMatcher(vocab, validate=True)
        for rule in rules:
            self._add(rule)

    def _add(self, rule: EventRule) -> None:
        key = f"{rule.type}/{rule.id}"
        if rule.kind == "dependency":
            self.dependency_matcher.add(key, list(rule.patterns))
        elif rule.kind == "veto":
            self.vetoes.add(key, list(rule.patterns))
        else:
            self.matcher.add(key, list(rule.patterns))

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[EVENTS_KEY] = [[kind, text] for kind, text in self.classify(doc)]
        return doc

    def classify(self, doc: Doc) -> list[tuple[str, str]]:
        """(event type, evidence sentence) pairs, one per type, sorted by type."""
        vetoed = self._spans(doc, self.vetoes(doc) if len(self.vetoes) else [])
        found: dict[str, str] = {}
        for kind, start, end in sorted(self._positive_matches(doc), key=lambda m: m[1:]):
            if kind in found or _overlaps(start, end, vetoed.get(kind, ())):
                continue
            found[kind] = self._evidence(doc[start:end])
        return sorted(found.items())

    def _positive_matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        matches = (
            [(self._type(m), s, e) for m, s, e in self.matcher(doc)] if len(self.matcher) else []
        )
        if doc.has_annotation("DEP") and len(self.dependency_matcher):
            for match_id, tokens in self.dependency_matcher(doc):
                matches.append((self._type(match_id), min(tokens), max(tokens) + 1))
        return matches

    def _spans(self, doc: Doc, matches) -> dict[str, list[tuple[int, int]]]:
        spans: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in matches:
            spans.setdefault(self._type(match_id), []).append((start, end))
        return spans

    def _type(self, match_id: int) -> str:
        return self.matcher.vocab.strings[match_id].split("/", 1)[0]

    def _evidence(self, span: Span) -> str:
        doc = span.doc
        sentence = span.sent if doc.has_annotation("SENT_START") else doc[:]
        text = " ".join(sentence.text.split())
        if len(text) <= self.max_evidence_chars:
            return text
        return text[: self.max_evidence_chars - 1].rstrip() + "…"


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(other_start < end and start < other_end for other_start, other_end in spans)


@Language.factory(
    "rw_events",
    default_config={"rules_path": None, "max_evidence_chars": 400},
)
def make_event_classifier(
    nlp: Language, name: str, *, rules_path: str | None, max_evidence_chars: int
) -> EventClassifier:
    """The rw_events component, with the bundled rules unless rules_path names others."""
    rules = load_rules(rules_path or DEFAULT_RULES)
    return EventClassifier(nlp.vocab, rules, max_evidence_chars=max_evidence_chars)
