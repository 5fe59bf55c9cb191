"""Throughput of the changelog splitter on the HTML fixtures, and its precision/recall.

Run: .venv/bin/python benchmarks/changelogs.py [seconds]
Splits every HTML fixture over and over on one core for a few seconds and prints KB/s
of HTML, next to bare lxml parsing the same bytes for scale.
"""

import json
import sys
import time
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.changelog import split_changelog  # noqa: E402
from crawlers.changelog_scoring import EXPECTED_SUFFIX, fixture_paths, score_fixtures  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "changelogs"


def html_fixtures() -> list[tuple[bytes, str, str | None]]:
    """(body, url, content_type) of every HTML fixture."""
    cases = []
    for path in fixture_paths(FIXTURES):
        if path.suffix == ".html":
            spec = json.loads((FIXTURES / (path.stem + EXPECTED_SUFFIX)).read_text("utf-8"))
            cases.append((path.read_bytes(), spec["url"], spec["content_type"]))
    return cases


def throughput(work, cases, seconds: float) -> float:
    """KB/s of HTML that work(body, url, content_type) gets through."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for body, url, content_type in cases:
            work(body, url, content_type)
            done += len(body)
    return done / 1024 / (time.perf_counter() - started)


def main() -> None:
    """Print splitter and bare-lxml throughput, then precision and recall."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    cases = html_fixtures()
    size = sum(len(body) for body, _, _ in cases) / 1024
    split = throughput(lambda b, u, c: split_changelog(b, u, content_type=c), cases, seconds)
    bare = throughput(lambda b, u, c: lxml.html.document_fromstring(b), cases, seconds)
    score = score_fixtures(FIXTURES)
    print(f"html fixtures: {len(cases)} files, {size:.1f} KB")
    print(f"split_changelog: {split:,.0f} KB/s (target >= 500)")
    print(f"bare lxml parse: {bare:,.0f} KB/s (splitter is {bare / split:.1f}x slower)")
    print(f"precision {score.precision:.3f}  recall {score.recall:.3f}  "
          f"({score.correct} right, {score.found} found, {score.expected} expected)")


if __name__ == "__main__":
    main()
