"""Entity normalisation: one entity for "Linear's", "LINEAR" and "Linear, Inc."."""

import json
from pathlib import Path

import pytest

from nlp.entities import competitor_of
from nlp.normalise import entity_key, normalise_entity

CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "nlp" / "normalise_cases.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["text"] for case in CASES])
def test_normalise_entity(case):
    assert normalise_entity(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    ("label", "name", "key"),
    [("ORG", "Stripe", "org:stripe"), ("PERSON", "Karri Saarinen", "person:karri-saarinen"),
     ("GPE", "São Paulo", "gpe:sao-paulo"), ("MONEY", "$35M", "money:35m"), ("ORG", "", "")],
)  # fmt: skip
def test_entity_key(label, name, key):
    assert entity_key(label, name) == key


def test_variants_share_one_key():
    variants = ["Acme's", "ACME", "Acme, Inc.", "the Acme Corp."]
    assert {entity_key("ORG", normalise_entity(v)) for v in variants} == {"org:acme"}


@pytest.mark.parametrize(
    ("key", "competitor"),
    [("competitor:linear", "linear"), ("product:linear/linear-asks", "linear"),
     ("topic:ai-agents", None), ("org:stripe", None), ("product:broken", None)],
)  # fmt: skip
def test_competitor_of(key, competitor):
    assert competitor_of(key) == competitor
