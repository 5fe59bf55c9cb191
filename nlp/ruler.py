"""Entity-ruler patterns that link competitors, products and topics to canonical ids.

Matching is case-insensitive, except for names that are one common English word
("Linear", "Notion", "Stripe"): those must be written in title case or upper case, and
must not be tagged as a function word or in a word class the common word has (other
than noun, which capitalised company names are often tagged as), so "a linear
workflow" and "Linear regression is..." stay unlinked while "Stripe moves to..." links.
"""

from collections.abc import Iterable, Sequence

from spacy.language import Language

from nlp.watchlist import WatchedCompetitor, competitor_key, product_key, topic_key

# Tags under which a capitalised common word is the word, not the company.
_FUNCTION_POS = ("AUX", "ADP", "SCONJ", "CCONJ", "DET", "PRON", "PART")
_WORD_CLASSES = {"verb": "VERB", "adj": "ADJ", "adv": "ADV"}


def is_common_word(nlp: Language, word: str) -> bool:
    """True when a one-word name is also an ordinary English word or a stop word."""
    lowered = word.lower()
    if not lowered.isalpha():
        return False
    if nlp.vocab[lowered].is_stop:
        return True
    index = _lemma_index(nlp)
    if index is None:  # no dictionary to ask: assume the worst, precision first
        return True
    return any(lowered in index.get(pos, ()) for pos in ("noun", *_WORD_CLASSES))


def word_classes(nlp: Language, word: str) -> set[str]:
    """The non-noun parts of speech (UPOS) an English word can have, per the lemmatizer."""
    index = _lemma_index(nlp)
    if index is None:
        return set(_WORD_CLASSES.values())
    return {upos for pos, upos in _WORD_CLASSES.items() if word.lower() in index.get(pos, ())}


def _lemma_index(nlp: Language):
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return None
    return lookups.get_table("lemma_index")


def name_patterns(nlp: Language, name: str, label: str, key: str) -> list[dict]:
    """Entity-ruler patterns for one name, guarded when it is a common word."""
    words = [token.text for token in nlp.make_doc(name) if not token.is_space]
    if not words:
        return []
    if len(words) == 1 and is_common_word(nlp, words[0]):
        not_a_name = sorted({*_FUNCTION_POS, *word_classes(nlp, words[0])})
        return [
            _guarded(words[0], shape, not_a_name, label, key) for shape in ("IS_TITLE", "IS_UPPER")
        ]
    return [{"label": label, "id": key, "pattern": [_token(word) for word in words]}]


def _guarded(word: str, shape: str, not_a_name: list[str], label: str, key: str) -> dict:
    token = {"LOWER": word.lower(), shape: True, "POS": {"NOT_IN": not_a_name}}
    return {"label": label, "id": key, "pattern": [token]}


def _token(word: str) -> dict:
    if word in "-/":  # "usage-based" also written "usage based"
        return {"ORTH": word, "OP": "?"}
    return {"LOWER": word.lower()}


def topic_patterns(nlp: Language, topic: str) -> list[dict]:
    """Patterns for a tracked topic: as written, singular/plural, and without spaces."""
    key = topic_key(topic)
    patterns = name_patterns(nlp, topic, "TOPIC", key)
    for pattern in list(patterns):
        last = pattern["pattern"][-1]
        if "LOWER" in last and last["LOWER"].isalpha() and len(last["LOWER"]) > 3:
            last["LOWER"] = {"IN": _number_variants(last["LOWER"])}
    compact = "".join(topic.split()).lower()
    if compact != topic.lower():
        patterns.append({"label": "TOPIC", "id": key, "pattern": [{"LOWER": compact}]})
    return patterns


def _number_variants(word: str) -> list[str]:
    return [word, word[:-1]] if word.endswith("s") else [word, word + "s"]


def competitor_patterns(nlp: Language, competitor: WatchedCompetitor) -> list[dict]:
    """Patterns for a competitor's name and aliases (ORG) and its products (PRODUCT)."""
    key = competitor_key(competitor.id)
    patterns = []
    for name in (competitor.name, *competitor.aliases):
        patterns.extend(name_patterns(nlp, name, "ORG", key))
    for product in competitor.products:
        patterns.extend(name_patterns(nlp, product, "PRODUCT", product_key(competitor.id, product)))
    return patterns


def watchlist_patterns(
    nlp: Language, competitors: Sequence[WatchedCompetitor], topics: Iterable[str]
) -> list[dict]:
    """All entity-ruler patterns of a watchlist."""
    patterns = [p for competitor in competitors for p in competitor_patterns(nlp, competitor)]
    patterns.extend(p for topic in topics for p in topic_patterns(nlp, topic))
    return patterns


def common_word_names(nlp: Language, competitors: Sequence[WatchedCompetitor]) -> list[str]:
    """The watched one-word names that are common words, lower-cased and sorted."""
    names = (n for c in competitors for n in (c.name, *c.aliases, *c.products))
    words = {n.strip().lower() for n in names if len(nlp.make_doc(n.strip())) == 1}
    return sorted(word for word in words if is_common_word(nlp, word))
