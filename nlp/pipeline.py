"""Building the one spaCy pipeline the tag stage runs."""

from collections.abc import Sequence

from spacy.language import Language

# Imported for their @Language.factory registrations, which child processes of
# nlp.pipe(n_process=...) need too.
from nlp import events, keyphrases  # noqa: F401
from nlp.model import DEFAULT_MODEL, load_model
from nlp.ruler import common_word_names, watchlist_patterns
from nlp.watchlist import (
    COMMON_WORD_NAMES_META,
    LINKED_NAMES_META,
    WatchedCompetitor,
    linked_names,
)

WATCHLIST_RULER = "rw_watchlist"
# Loaded but disabled by default in the English models; the parser already splits sentences.
_UNUSED_COMPONENTS = ("senter",)


def build_pipeline(
    model: str, competitors: Sequence[WatchedCompetitor], topics: Sequence[str]
) -> Language:
    """The tagging pipeline: model + competitor ruler + events + key phrases."""
    nlp = load_model(model or DEFAULT_MODEL, exclude=_UNUSED_COMPONENTS)
    add_watchlist_ruler(nlp, competitors, topics)
    nlp.add_pipe("rw_events", last=True)
    nlp.add_pipe("rw_keyphrases", last=True, config={"topics": list(topics)})
    nlp.meta[LINKED_NAMES_META] = linked_names(competitors, topics)
    nlp.meta[COMMON_WORD_NAMES_META] = common_word_names(nlp, competitors)
    return nlp


def add_watchlist_ruler(
    nlp: Language, competitors: Sequence[WatchedCompetitor], topics: Sequence[str]
) -> None:
    """Add the entity ruler that links the watchlist, before "ner" so its matches win."""
    placement = {"before": "ner"} if "ner" in nlp.pipe_names else {"last": True}
    config = {"validate": True}
    ruler = nlp.add_pipe("entity_ruler", name=WATCHLIST_RULER, config=config, **placement)
    ruler.add_patterns(watchlist_patterns(nlp, competitors, topics))
