"""Benchmark: extract_watched_text against bare trafilatura.extract on the fixture pages.

Run from the project root: .venv/bin/python benchmarks/pages.py [seconds-per-side]
Also prints how many pricing-plan names each keeps, which is why we do not use
trafilatura for watched pages.
"""

import json
import sys
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.pages import EmptyExtraction, extract_watched_text  # noqa: E402
from crawlers.pricing import extract_price_points  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "pages"


def ours(markup: bytes) -> str:
    """Our extractor with default settings; a page with nothing to watch counts as done."""
    try:
        return extract_watched_text(markup, "https://bench.example/")
    except EmptyExtraction:
        return ""


def bare(markup: bytes) -> str:
    """What trafilatura alone extracts from the same bytes."""
    return trafilatura.extract(markup) or ""


def pages_per_second(extract, pages: list[bytes], seconds: float) -> float:
    """Pages extracted per second, looping over all pages for at least `seconds`."""
    done, start = 0, time.perf_counter()
    while True:
        for markup in pages:
            extract(markup)
        done += len(pages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def plan_names_kept(extract, priced: dict[str, bytes]) -> tuple[int, int]:
    """(plan names found as whole lines in the output, plan names on the pages)."""
    kept = total = 0
    for markup in priced.values():
        lines = set(extract(markup).replace("- ", "").splitlines())
        plans = {p.plan for p in extract_price_points(markup, "https://bench.example/")}
        kept += len(plans & lines)
        total += len(plans)
    return kept, total


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    paths = sorted(FIXTURES.glob("*.html"))
    pages = [path.read_bytes() for path in paths]
    megabytes = sum(map(len, pages)) / 1e6
    for extract in (ours, bare):  # warm caches and imports before timing
        for markup in pages:
            extract(markup)
    fast, slow = (pages_per_second(f, pages, seconds) for f in (ours, bare))
    print(f"{len(pages)} fixture pages ({megabytes:.2f} MB), {seconds:.0f} s per side")
    print(f"extract_watched_text:    {fast:8.1f} pages/s")
    print(f"trafilatura.extract:     {slow:8.1f} pages/s")
    print(f"ratio (ours / bare):     {fast / slow:8.2f}x  (target >= 0.8x)")
    priced = {p.name: p.read_bytes() for p in paths if p.name.startswith("pricing-")}
    for name, extract in (("extract_watched_text", ours), ("trafilatura.extract", bare)):
        kept, total = plan_names_kept(extract, priced)
        print(f"plan names kept by {name}: {kept}/{total}")
    print(json.dumps({"ours_pages_per_s": round(fast, 1), "bare_pages_per_s": round(slow, 1),
                      "ratio": round(fast / slow, 2)}))


if __name__ == "__main__":
    main()
