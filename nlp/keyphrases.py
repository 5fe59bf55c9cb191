"""The rw_keyphrases component: per-document counts of noun phrases and tracked topics."""

from collections import Counter
from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.watchlist import topic_key

KEYPHRASES_KEY = "rw_keyphrases"
_EDGE_POS = {"DET", "PRON", "PUNCT", "SYM", "NUM", "PART", "CCONJ", "ADP", "SPACE", "X"}
_NUMERIC_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}


class KeyphraseExtractor:
    """Counts trimmed noun chunks and tracked topics into doc.user_data["rw_keyphrases"]."""

    def __init__(self, *, topics: Iterable[str], max_words: int, topic_label: str):
        self.topic_phrases = {topic_key(topic): " ".join(topic.lower().split()) for topic in topics}
        self.max_words = max_words
        self.topic_label = topic_label

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[KEYPHRASES_KEY] = dict(sorted(self.count(doc).items()))
        return doc

    def count(self, doc: Doc) -> Counter:
        """Phrase -> count: topics as named in the watchlist, noun chunks lemmatised."""
        topics = [ent for ent in doc.ents if ent.label_ == self.topic_label]
        counts = Counter(self.topic_phrases.get(ent.ent_id_, _phrase(ent)) for ent in topics)
        if not doc.has_annotation("DEP"):
            return counts
        covered = {token.i for ent in topics for token in ent}
        for chunk in doc.noun_chunks:
            if covered.isdisjoint(token.i for token in chunk):
                phrase = self.chunk_phrase(chunk)
                if phrase:
                    counts[phrase] += 1
        return counts

    def chunk_phrase(self, chunk: Span) -> str:
        """A noun chunk trimmed of determiners, pronouns and stop words, or "" if none left."""
        tokens = _after_possessive(list(chunk))
        tokens = _strip_edges(tokens)
        words = [token for token in tokens if not token.is_punct]
        while len(words) > self.max_words:
            tokens = _strip_edges(_drop_first_word(tokens, words[0]))
            words = [token for token in tokens if not token.is_punct]
        if sum(len(token) for token in tokens if token.is_alpha) < 2:
            return ""
        return _phrase(tokens)


def _after_possessive(tokens: list[Token]) -> list[Token]:
    # "Linear's new triage view" is about the triage view, not about Linear.
    marks = [i for i, token in enumerate(tokens) if token.tag_ == "POS"]
    return tokens[marks[-1] + 1 :] if marks else tokens


def _drop_first_word(tokens: list[Token], word: Token) -> list[Token]:
    # Drop a hyphenated compound whole: "AI-powered triage bot" -> "triage bot".
    rest = tokens[tokens.index(word) + 1 :]
    while rest and not rest[0].nbor(-1).whitespace_:
        rest = rest[1:]
    return rest


def _strip_edges(tokens: list[Token]) -> list[Token]:
    start, end = 0, len(tokens)
    while start < end and _is_filler(tokens[start]):
        start += 1
    while end > start and _is_filler(tokens[end - 1]):
        end -= 1
    return tokens[start:end]


def _is_filler(token: Token) -> bool:
    return (
        token.is_stop
        or token.like_num
        or token.pos_ in _EDGE_POS
        or token.ent_type_ in _NUMERIC_ENTS
    )


def _phrase(tokens: Sequence[Token] | Span) -> str:
    """Lower-cased text, nouns lemmatised ("pull requests" -> "pull request")."""
    parts = []
    for token in tokens:
        word = token.lemma_ if token.pos_ == "NOUN" and token.lemma_ else token.text
        parts.append(word.lower() + token.whitespace_)
    return "".join(parts).strip()


@Language.factory(
    "rw_keyphrases",
    default_config={"topics": [], "max_words": 4, "topic_label": "TOPIC"},
)
def make_keyphrase_extractor(
    nlp: Language, name: str, *, topics: list[str], max_words: int, topic_label: str
) -> KeyphraseExtractor:
    """The rw_keyphrases component for the given tracked topics."""
    return KeyphraseExtractor(topics=topics, max_words=max_words, topic_label=topic_label)
