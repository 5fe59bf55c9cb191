"""Deciding cheaply which texts are not worth tagging: empty or not English."""

import re
from functools import cache

from spacy.lang.de.stop_words import STOP_WORDS as GERMAN
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
from spacy.lang.es.stop_words import STOP_WORDS as SPANISH
from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH
from spacy.lang.it.stop_words import STOP_WORDS as ITALIAN
from spacy.lang.nl.stop_words import STOP_WORDS as DUTCH
from spacy.lang.pt.stop_words import STOP_WORDS as PORTUGUESE

EMPTY = "empty"
NOT_ENGLISH = "not English"

_LETTER_RUN = re.compile(r"[^\W\d_]+")
_OTHER_LATIN_STOP_WORDS = (GERMAN, SPANISH, FRENCH, ITALIAN, DUTCH, PORTUGUESE)


def skip_reason(text: str, *, min_ascii_share: float = 0.7, min_words: int = 4) -> str | None:
    """Why a text should not be tagged ("empty", "not English"), or None to tag it."""
    words = _LETTER_RUN.findall(text)
    if not words:
        return EMPTY
    if _ascii_share(words) < min_ascii_share:
        return NOT_ENGLISH
    if len(words) >= min_words and _reads_as_other_language(words):
        return NOT_ENGLISH
    return None


def _ascii_share(words: list[str]) -> float:
    letters = "".join(words)
    return sum(ch.isascii() for ch in letters) / len(letters)


def _reads_as_other_language(words: list[str]) -> bool:
    # Terse English ("New: SSO, audit logs") has few stop words of any language, so a
    # text is foreign only when another language's stop words clearly outnumber English's.
    lowered = [word.lower() for word in words]
    english = _share(lowered, ENGLISH)
    other = max(_share(lowered, stop_words) for stop_words in _other_stop_words())
    return other >= 0.2 and other > 1.5 * english


@cache
def _other_stop_words() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(words) - frozenset(ENGLISH) for words in _OTHER_LATIN_STOP_WORDS)


def _share(words: list[str], stop_words) -> float:
    return sum(word in stop_words for word in words) / len(words)
