"""The release entry model the changelog splitter returns."""

from dataclasses import dataclass

ITEM_TYPES = (
    "added", "changed", "fixed", "removed", "deprecated", "security", "breaking", "other",
)

NO_ENTRIES_MESSAGE = "no changelog entries found; set entry_selector"


class NoEntriesFound(ValueError):
    """The page holds nothing the splitter recognises as a release entry."""

    def __init__(self, message: str = NO_ENTRIES_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class ReleaseItem:
    """One line of a release: what kind of change, in the page's words."""

    type: str
    text: str


@dataclass
class ReleaseEntry:
    """One release as a changelog page presents it."""

    version: str | None
    released_on: str | None
    title: str
    body: str
    items: list[ReleaseItem]
    breaking: bool
    anchor_url: str | None

    def to_dict(self) -> dict:
        """JSON-able form, items as a list of {"type", "text"}."""
        return {
            "version": self.version,
            "released_on": self.released_on,
            "title": self.title,
            "body": self.body,
            "items": [{"type": item.type, "text": item.text} for item in self.items],
            "breaking": self.breaking,
            "anchor_url": self.anchor_url,
        }
