"""Entry-level precision and recall of the splitter against expected fixture files."""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from crawlers.changelog import split_changelog

EXPECTED_SUFFIX = ".expected.json"
PINNED = 5  # entries pinned at each end of a long history


@dataclass
class Score:
    """Counts of right, extra and missed entries."""

    correct: int = 0
    found: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0


def _key(entry: dict) -> tuple:
    return entry["version"], entry["released_on"], entry["title"]


def score_entries(expected: list[dict], found: list[dict]) -> Score:
    """An entry is right when its version, released_on and title match an expected one."""
    wanted, got = Counter(map(_key, expected)), Counter(map(_key, found))
    return Score(sum((wanted & got).values()), len(found), len(expected))


def fixture_paths(folder: Path) -> list[Path]:
    """Every changelog fixture in the folder that has an expected file beside it."""
    return sorted(
        path for path in folder.iterdir()
        if path.is_file() and path.suffix not in (".json", ".py")
        and (folder / (path.stem + EXPECTED_SUFFIX)).exists()
    )


def expected_and_found(path: Path) -> tuple[list[dict], list[dict]]:
    """Expected entries and the splitter's entries for one fixture (ends only, if pinned)."""
    spec = json.loads((path.parent / (path.stem + EXPECTED_SUFFIX)).read_text("utf-8"))
    found = [entry.to_dict() for entry in split_changelog(
        path.read_bytes(), spec["url"], content_type=spec.get("content_type"))]
    if "entries" in spec:
        return spec["entries"], found
    pinned = found[:PINNED] + found[-PINNED:] if len(found) >= 2 * PINNED else found
    return spec["first"] + spec["last"], pinned


def score_fixtures(folder: Path) -> Score:
    """Precision and recall summed over every fixture in the folder."""
    total = Score()
    for path in fixture_paths(folder):
        score = score_entries(*expected_and_found(path))
        total.correct += score.correct
        total.found += score.found
        total.expected += score.expected
    return total
