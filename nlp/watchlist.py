"""What the user watches, as plain data: competitors with their names and products."""

import re
import unicodedata
from dataclasses import dataclass

_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class WatchedCompetitor:
    """A competitor as the tagger sees it: an id, a name, aliases and product names."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    products: tuple[str, ...] = ()


def slugify(text: str) -> str:
    """Lower-case, accent-free, hyphen-separated form of a name: "Linear Asks" -> "linear-asks"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub("-", stripped.lower()).strip("-")


def competitor_key(competitor_id: str) -> str:
    """The canonical entity id of a competitor."""
    return f"competitor:{competitor_id}"


def product_key(competitor_id: str, product: str) -> str:
    """The canonical entity id of a competitor's product."""
    return f"product:{competitor_id}/{slugify(product)}"


def topic_key(topic: str) -> str:
    """The canonical entity id of a tracked topic."""
    return f"topic:{slugify(topic)}"


def linked_names(competitors, topics) -> dict[str, dict]:
    """Display name and competitor id of every canonical id the watchlist defines."""
    names: dict[str, dict] = {}
    for competitor in competitors:
        key = competitor_key(competitor.id)
        names[key] = {"name": competitor.name, "competitor": competitor.id}
        for product in competitor.products:
            key = product_key(competitor.id, product)
            names[key] = {"name": product, "competitor": competitor.id}
    for topic in topics:
        names[topic_key(topic)] = {"name": topic, "competitor": None}
    return names


# Where build_pipeline records, in nlp.meta, linked_names() for display names and the
# common-word names the ruler guards (see nlp.ruler) for the statistical NER's look-alikes.
LINKED_NAMES_META = "rivalwatch_linked_names"
COMMON_WORD_NAMES_META = "rivalwatch_common_word_names"
