"""The flat block stream every changelog format is read into before splitting."""

from dataclasses import dataclass


@dataclass
class Block:
    """One heading, list item or paragraph of a changelog, as plain text."""

    kind: str  # "heading", "item" or "text"
    text: str
    level: int = 0  # heading level 1-6; list depth for items
    anchor: str | None = None  # an id that links to this block
    time: str | None = None  # a machine-readable date given with the block (<time datetime>)
    pinned: bool = False  # named by a version_selector or date_selector override
