"""Normalising entity mentions so that spelling variants become one entity."""

import re

from nlp.watchlist import slugify

_EDGE_PUNCT = "\"'“”‘’`.,;:!?()[]{}<>«»*_-–—/\\|"
_POSSESSIVE = re.compile(r"(?:['’`]s|(?<=[sS])['’`])$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(
    r"(?:(?:^|,?\s+)(?:inc|incorporated|ltd|limited|llc|l\.l\.c|corp|corporation|co|plc|gmbh)\.?)+$",
    re.IGNORECASE,
)
_SHOUTED_WORD = re.compile(r"[A-Z]{5,}")


def normalise_entity(text: str) -> str:
    """The canonical surface form of a mention: "the Acme Corp.'s" -> "Acme"."""
    name = _POSSESSIVE.sub("", " ".join(text.split())).strip(_EDGE_PUNCT)
    name = _POSSESSIVE.sub("", name).strip(_EDGE_PUNCT)
    name = _LEGAL_SUFFIX.sub("", name).strip(_EDGE_PUNCT + " ")
    name = _LEADING_THE.sub("", name) if " " in name else name
    return _unshout(name.strip(_EDGE_PUNCT + " "))


def _unshout(name: str) -> str:
    # "LINEAR" in a headline is "Linear"; short acronyms (IBM, AWS) stay as written.
    if name.isupper() and _SHOUTED_WORD.search(name):
        return name.title()
    return name


def entity_key(label: str, name: str) -> str:
    """The id of an entity that is not on the watchlist: "org:stripe", "" when nameless."""
    slug = slugify(name)
    return f"{label.lower()}:{slug}" if slug else ""
