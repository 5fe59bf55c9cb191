"""The changelog splitter: every fixture against its golden file, plus tables of cases."""

import json
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawlers.changelog import (
    ITEM_TYPES,
    NoEntriesFound,
    ReleaseEntry,
    decode_body,
    detect_format,
    split_changelog,
)
from crawlers.changelog_dates import parse_date
from crawlers.changelog_entries import describe
from crawlers.changelog_items import classify_item, mentions_breaking, section_type
from crawlers.changelog_scoring import (
    EXPECTED_SUFFIX,
    PINNED,
    expected_and_found,
    fixture_paths,
    score_fixtures,
)

FIXTURES = Path(__file__).parent / "fixtures" / "changelogs"
CASES = FIXTURES / "cases"


def _cases(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text("utf-8"))


@contextmanager
def _deadline(seconds: int):
    """Fail instead of hanging: the splitter must finish, however bad the page."""
    def expire(signum, frame):
        raise TimeoutError(f"splitter still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _golden_update(path: Path, spec: dict, found: list[dict]) -> None:
    if "entries" in spec:
        spec["entries"] = found
    else:
        spec.update(count=len(found), first=found[:PINNED], last=found[-PINNED:])
    path.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", "utf-8")


@pytest.mark.parametrize("path", fixture_paths(FIXTURES), ids=lambda p: p.name)
def test_fixture_matches_golden(path: Path, update_golden: bool):
    golden = FIXTURES / (path.stem + EXPECTED_SUFFIX)
    spec = json.loads(golden.read_text("utf-8"))
    found = [e.to_dict() for e in split_changelog(
        path.read_bytes(), spec["url"], content_type=spec["content_type"])]
    if update_golden:
        _golden_update(golden, spec, found)
        return
    if "entries" in spec:
        assert found == spec["entries"]
    else:
        assert len(found) == spec["count"]
        assert found[:PINNED] == spec["first"]
        assert found[-PINNED:] == spec["last"]


def test_at_least_fourteen_shapes_and_a_long_history():
    paths = fixture_paths(FIXTURES)
    assert len(paths) >= 15
    long = json.loads((FIXTURES / "long_history.expected.json").read_text("utf-8"))
    assert long["count"] >= 300


def test_every_item_type_is_one_of_the_known_types():
    for path in fixture_paths(FIXTURES):
        expected, _ = expected_and_found(path)
        assert {item["type"] for entry in expected for item in entry["items"]} <= set(ITEM_TYPES)


def test_precision_and_recall_over_all_fixtures():
    score = score_fixtures(FIXTURES)
    print(f"\nchangelog splitter: precision {score.precision:.3f} recall {score.recall:.3f} "
          f"({score.correct} right of {score.found} found, {score.expected} expected)")
    assert score.expected > 60
    assert score.precision >= 0.95 and score.recall >= 0.95


@pytest.mark.parametrize("case", _cases("versions.json"), ids=lambda c: c["text"])
def test_heading_version_date_and_title_words(case):
    seen = describe(case["text"])
    assert (seen.version, seen.date, seen.rest) == (case["version"], case["date"], case["title"])


@pytest.mark.parametrize("case", _cases("dates.json"), ids=lambda c: c["text"])
def test_dates(case):
    assert parse_date(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("items.json"), ids=lambda c: c["text"][:40])
def test_item_wording(case):
    assert classify_item(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("sections.json"), ids=lambda c: c["heading"])
def test_section_headings(case):
    assert section_type(case["heading"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("breaking.json"), ids=lambda c: c["text"][:40])
def test_breaking_wording(case):
    assert mentions_breaking(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", _cases("formats.json"), ids=lambda c: c["expected"] + c["url"])
def test_format_detection(case):
    assert detect_format(case["text"], case["url"], case["content_type"]) == case["expected"]


def test_decoding_prefers_header_then_meta_then_utf8():
    body = "<meta charset='windows-1252'><p>“Classic”</p>".encode("cp1252")
    assert "“Classic”" in decode_body(body, "text/html")
    assert "“Classic”" in decode_body("café".encode("latin-1") + body, "text/html; charset=cp1252")
    assert decode_body(b"caf\xe9 \xff", None) == "caf\ufffd \ufffd"


_OVERRIDE_PAGE = """<html><body><div class="feed">
<div class="post" id="p2"><span class="when">Shipped 3 Nov 2026</span>
  <span class="build">Build 2211</span><b>Bulk edit</b><p>Edit many rows at once.</p></div>
<div class="post" id="p1"><span class="when">Shipped 20 Oct 2026</span>
  <span class="build">Build 2190</span><b>Saved views</b><p>Fixed saving of filters.</p></div>
</div></body></html>"""


def test_overrides_name_entries_versions_and_dates():
    entries = split_changelog(
        _OVERRIDE_PAGE, "https://x.example/news", entry_selector="div.post",
        version_selector=".build", date_selector=".when",
    )
    assert [(e.version, e.released_on, e.anchor_url) for e in entries] == [
        ("Build 2211", "2026-11-03", "https://x.example/news#p2"),
        ("Build 2190", "2026-10-20", "https://x.example/news#p1"),
    ]
    assert [(e.title, e.body) for e in entries] == [
        ("Bulk edit", "Edit many rows at once."), ("Saved views", "Fixed saving of filters.")]


def test_version_selector_alone_marks_the_release_headings():
    page = ("<h1>Updates</h1><p class='rel'>Spring update</p><p>Faster sync.</p>"
            "<p class='rel'>Winter update</p><ul><li>Fixed login.</li></ul>")
    entries = split_changelog(page, "https://x.example/u", version_selector=".rel")
    assert [e.version for e in entries] == ["Spring update", "Winter update"]
    assert entries[1].items[0].type == "fixed"


def test_a_bad_selector_says_which_one():
    with pytest.raises(ValueError, match="entry_selector"):
        split_changelog("<p>x</p>", "https://x.example/", entry_selector="div[[")


@pytest.mark.parametrize("body, content_type", [
    (b"<html><body><h1>About us</h1><p>We make tools.</p></body></html>", "text/html"),
    (b"# Roadmap\n\nSoon: dark mode.\n", "text/markdown"),
    (b"", None),
    (b"\x00\xff\xfe garbage", None),
])
def test_no_entries_found_says_what_to_do(body, content_type):
    with pytest.raises(NoEntriesFound) as raised:
        split_changelog(body, "https://x.example/changelog", content_type=content_type)
    assert str(raised.value) == "no changelog entries found; set entry_selector"
    assert isinstance(raised.value, ValueError)


def test_a_five_megabyte_page_is_split_whole():
    card = ('<article id="u{n}"><time datetime="2026-{m:02d}-{d:02d}">x</time><h2>Update {n}</h2>'
            '<p>{filler}</p><ul><li>Fixed an issue where exports hung.</li></ul></article>')
    filler = "You can now do more with less. " * 40
    cards = [card.format(n=n, m=1 + n % 12, d=1 + n % 28, filler=filler) for n in range(4000)]
    page = "<html><body><main>" + "".join(cards) + "</main></body></html>"
    assert len(page) > 5_000_000
    with _deadline(30):
        entries = split_changelog(page.encode(), "https://x.example/c", content_type="text/html")
    assert len(entries) == 4000
    assert entries[-1].title == "Update 3999" and entries[-1].items[0].type == "fixed"


def test_deeply_nested_markup_neither_recurses_nor_hangs():
    head = "<h2>1.0.0 (2026-11-02)</h2><ul><li>Fixed a crash.</li></ul>"
    nest = "<div>" * 100_000 + "deep" + "</div>" * 100_000
    page = "<html><body>" + head + nest + "</body></html>"
    with _deadline(30):
        entries = split_changelog(page, "https://x.example/c", content_type="text/html")
    assert [(e.version, e.released_on) for e in entries] == [("1.0.0", "2026-11-02")]
    with _deadline(30), pytest.raises(NoEntriesFound):
        split_changelog("<div>" * 100_000, "https://x.example/c", content_type="text/html")


def test_deeply_nested_lists_in_markdown():
    text = "## 1.0.0 - 2026-11-02\n" + "".join("  " * i + "- Fixed x\n" for i in range(5000))
    with _deadline(30):
        entries = split_changelog(text, "https://x.example/CHANGELOG.md")
    assert len(entries[0].items) == 5000


def test_entries_serialise_to_json():
    entry = split_changelog("## v2.0.0 (2026-11-02)\n- BREAKING: dropped v1\n", "https://x/C.md")[0]
    assert isinstance(entry, ReleaseEntry)
    assert json.loads(json.dumps(entry.to_dict()))["items"] == [
        {"type": "breaking", "text": "BREAKING: dropped v1"}]
    assert entry.breaking and entry.title == "v2.0.0"


_META_ROW_CARD = (
    '<article id="r{n}"><div class="meta"><span class="tag">Replay</span><span class="tag">SDK'
    '</span> <span class="badge">v2.{n}</span> <time datetime="2026-11-0{n}">Nov {n}</time>'
    '</div><h3>{title}</h3><p>Upgrade to <code>2.{n}.1</code> first.</p></article>'
)


def test_a_version_in_a_card_meta_row_is_the_version_not_body_text():
    cards = [_META_ROW_CARD.format(n=2, title="Replay search"),
             _META_ROW_CARD.format(n=1, title="Mobile replay")]
    entries = split_changelog("<main>" + "".join(cards) + "</main>", "https://x.example/c")
    assert [(e.version, e.released_on, e.title) for e in entries] == [
        ("v2.2", "2026-11-02", "Replay search"), ("v2.1", "2026-11-01", "Mobile replay")]
    assert entries[0].body == "Replay SDK\nUpgrade to 2.2.1 first."


@pytest.mark.parametrize("page, url", [
    ("<h2 id='d3'>November 3, 2026</h2><h3>Bulk edit</h3><p>Edit many cards.</p>"
     "<h3>Cycle time (beta)</h3><ul><li>Fixed a chart</li></ul>"
     "<h2 id='d1'>November 1, 2026</h2><h3>Templates</h3><p>Save a card.</p>",
     "https://x.example/changelog"),
    ("## November 3, 2026\n\n### Bulk edit\n\nEdit many cards.\n\n### Cycle time (beta)\n\n"
     "- Fixed a chart\n\n## November 1, 2026\n\n### Templates\n\nSave a card.\n",
     "https://x.example/CHANGELOG.md"),
])
def test_a_day_that_ships_several_titled_updates_gives_one_entry_each(page, url):
    entries = split_changelog(page, url)
    assert [(e.released_on, e.title, e.body) for e in entries] == [
        ("2026-11-03", "Bulk edit", "Edit many cards."),
        ("2026-11-03", "Cycle time (beta)", "Fixed a chart"),
        ("2026-11-01", "Templates", "Save a card."),
    ]
    assert entries[1].items[0].type == "fixed"


def test_a_day_with_an_introduction_stays_one_entry():
    page = ("<h2>November 3, 2026</h2><p>Two small things today.</p><h3>Bulk edit</h3>"
            "<p>Edit many.</p><h3>Templates</h3><p>Save.</p>")
    entries = split_changelog(page, "https://x.example/c")
    assert len(entries) == 1 and entries[0].released_on == "2026-11-03"
    assert "Templates" in entries[0].body.split("\n")
