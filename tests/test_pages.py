"""Watched-page extraction: golden texts, noise pairs, changes found, clear errors."""

import html
import json
from pathlib import Path

import pytest

from crawlers.pages import EmptyExtraction, extract_watched_text
from crawlers.pricing import extract_price_points
from pipelines.pagediff import SIGNIFICANT, compare_price_points, diff_snapshots

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
PAIRS = json.loads((FIXTURES / "cases.json").read_text("utf-8"))["pairs"]
VOLATILE = json.loads((FIXTURES / "volatile.json").read_text("utf-8"))


def _settings_by_page() -> dict[str, dict]:
    settings = {}
    for pair in PAIRS:
        mine = {key: pair[key] for key in ("url", "selector", "ignore")}
        assert settings.setdefault(pair["page"], mine) == mine, f"{pair['page']}: one setting"
    return settings


SETTINGS = _settings_by_page()
SNAPSHOTS = sorted({(pair["page"], v) for pair in PAIRS for v in (pair["old"], pair["new"])})


def _extract(page: str, version: str) -> str:
    settings = SETTINGS[page]
    markup = (FIXTURES / f"{page}.{version}.html").read_bytes()
    return extract_watched_text(markup, settings["url"], selector=settings["selector"],
                                ignore=settings["ignore"])


def _prices(page: str, version: str) -> list[dict]:
    settings = SETTINGS[page]
    markup = (FIXTURES / f"{page}.{version}.html").read_bytes()
    points = extract_price_points(markup, settings["url"], selector=settings["selector"])
    return [p.to_dict() for p in points]


def _check_golden(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, "utf-8")
    assert actual == path.read_text("utf-8")


@pytest.mark.parametrize(("page", "version"), SNAPSHOTS, ids=[f"{p}.{v}" for p, v in SNAPSHOTS])
def test_extracted_text_matches_golden(page, version, update_golden):
    text = _extract(page, version)
    _check_golden(FIXTURES / f"{page}.{version}.text.txt", text + "\n", update_golden)


def _observed(pair: dict) -> dict:
    old, new = pair["old"], pair["new"]
    change = diff_snapshots(_extract(pair["page"], old), _extract(pair["page"], new),
                            label=pair["page"])
    prices = compare_price_points(_prices(pair["page"], old), _prices(pair["page"], new))
    return {
        "added": change.added if change else [],
        "removed": change.removed if change else [],
        "significant": bool(change) and change.significance >= SIGNIFICANT,
        "price_changes": [{"plan": c.plan, "change": c.change, "summary": c.summary}
                          for c in prices],
    }


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p['page']}.{p['old']}-{p['new']}" for p in PAIRS])
def test_pair_matches_golden_diff(pair, update_golden):
    observed = json.dumps(_observed(pair), indent=2, ensure_ascii=False) + "\n"
    path = FIXTURES / f"{pair['page']}.{pair['old']}-{pair['new']}.diff.json"
    _check_golden(path, observed, update_golden)


def test_no_false_positives_or_negatives():
    false_positives, false_negatives = [], []
    for pair in PAIRS:
        observed = _observed(pair)
        changed = bool(observed["added"] or observed["removed"] or observed["price_changes"])
        if changed and not pair["changed"]:
            false_positives.append(f"{pair['page']} {pair['old']}-{pair['new']}")
        if pair["changed"] and not changed:
            false_negatives.append(f"{pair['page']} {pair['old']}-{pair['new']}")
    noise = sum(not pair["changed"] for pair in PAIRS)
    print(f"\npage pairs: {len(PAIRS)} ({noise} noise-only); "
          f"false positives: {len(false_positives)}; false negatives: {len(false_negatives)}")
    assert false_positives == []
    assert false_negatives == []


@pytest.mark.parametrize("case", VOLATILE, ids=[case["why"] for case in VOLATILE])
def test_volatile_tokens_are_dropped(case):
    markup = f"<html><body><main><p>{html.escape(case['line'])}</p><p>Plans</p></main></body>"
    expected = ([case["text"]] if case["text"] else []) + ["Plans"]
    assert extract_watched_text(markup, "https://x.example/").splitlines() == expected


def test_blocks_cells_and_items_become_lines_and_chrome_goes():
    markup = """<html><head><title>T</title><script>var csrf = "x";</script></head><body>
      <header><nav><a href="/">Home</a></nav></header>
      <div id="onetrust-banner-sdk">We use cookies</div>
      <h1>Plans</h1><ul><li>Unlimited <b>boards</b></li><li>SSO</li></ul>
      <table><tr><th>Seats</th><td>10</td></tr></table>
      <footer>© 2024 Acme · <a href="/terms">Terms</a></footer></body></html>"""
    text = extract_watched_text(markup, "https://x.example/")
    assert text.splitlines() == ["Plans", "Unlimited boards", "SSO", "Seats", "10"]


def test_selector_regions_are_taken_in_document_order():
    text = _extract("home", "v1")
    assert text.splitlines()[0] == "Product analytics for fast teams"
    assert "Teams that ship with Metricly" not in text  # outside .hero and .pillars
    assert "Trusted by worldwide" in text  # the ignore regex took the counter out


def test_ignore_patterns_apply_per_line():
    markup = "<main><p>Trusted by 12,345 teams</p><p>Pro plan</p></main>"
    text = extract_watched_text(markup, "https://x.example/", ignore=[r"^Trusted by .*$"])
    assert text == "Pro plan"


def test_ignore_leaves_no_dangling_punctuation():
    markup = "<main><p>Trusted by 18,302 teams, from startups to enterprises.</p></main>"
    text = extract_watched_text(markup, "https://x.example/", ignore=[r"Trusted by [\d,]+ teams"])
    assert text == "from startups to enterprises."


def test_declared_charset_is_honoured_for_bytes_and_ignored_for_str():
    markup = '<html><head><meta charset="iso-8859-1"></head><main><p>Caf\xe9 plan</p></main>'
    assert extract_watched_text(markup.encode("latin-1"), "https://x.example/") == "Café plan"
    assert extract_watched_text(markup, "https://x.example/") == "Café plan"


def test_invalid_selector_raises_with_advice():
    markup = (FIXTURES / "home.v1.html").read_bytes()
    with pytest.raises(EmptyExtraction, match="not valid CSS.*set selector"):
        extract_watched_text(markup, "https://metricly.example/", selector="main >>> p[")


def test_javascript_shell_raises_with_advice():
    markup = (FIXTURES / "app-shell.v1.html").read_bytes()
    with pytest.raises(EmptyExtraction, match="set selector"):
        extract_watched_text(markup, "https://quill.example/")


def test_selector_matching_nothing_raises_with_advice():
    markup = (FIXTURES / "home.v1.html").read_bytes()
    with pytest.raises(EmptyExtraction, match=r"'#plans' matched nothing.*set selector"):
        extract_watched_text(markup, "https://metricly.example/", selector="#plans")


@pytest.mark.parametrize("markup", [b"", b"   ", "<html><body><main></main></body></html>"])
def test_empty_pages_raise(markup):
    with pytest.raises(EmptyExtraction):
        extract_watched_text(markup, "https://x.example/")


def test_empty_extraction_is_a_value_error():
    assert issubclass(EmptyExtraction, ValueError)
