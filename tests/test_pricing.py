"""Price points from pricing pages: a table of cases and golden files per fixture page."""

import json
from dataclasses import FrozenInstanceError, astuple
from pathlib import Path

import pytest

from crawlers.pricing import PricePoint, extract_price_points

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
CASES = json.loads((FIXTURES / "price_cases.json").read_text("utf-8"))
PRICING_PAGES = sorted(path.name.removesuffix(".html")
                       for path in FIXTURES.glob("*pricing*.html"))
HOME_PAGES = sorted(path.name.removesuffix(".html")
                    for path in FIXTURES.glob("demo-*-home.v*.html"))


@pytest.mark.parametrize("case", CASES, ids=[case["why"] for case in CASES])
def test_price_cases(case):
    markup = f"<html><body><main>{case['html']}</main></body></html>"
    points = extract_price_points(markup, "https://x.example/pricing")
    assert [list(astuple(point)) for point in points] == case["points"]


@pytest.mark.parametrize("name", PRICING_PAGES)
def test_price_points_match_golden(name, update_golden):
    markup = (FIXTURES / f"{name}.html").read_bytes()
    points = [p.to_dict() for p in extract_price_points(markup, "https://x.example/pricing")]
    actual = json.dumps(points, indent=2, ensure_ascii=False) + "\n"
    golden = FIXTURES / f"{name}.prices.json"
    if update_golden:
        golden.write_text(actual, "utf-8")
    assert actual == golden.read_text("utf-8")


@pytest.mark.parametrize("name", ["features.v1", "home.v1", "app-shell.v1", *HOME_PAGES])
def test_pages_without_prices_give_none(name):
    markup = (FIXTURES / f"{name}.html").read_bytes()
    assert extract_price_points(markup, "https://x.example/") == []


def test_selector_limits_the_region():
    markup = (FIXTURES / "pricing-toggle.v1.html").read_bytes()
    points = extract_price_points(markup, "https://x.example/", selector=".tier:nth-child(2)")
    assert {(p.plan, p.amount, p.period) for p in points} == {
        ("Pro", 15.0, "month"), ("Pro", 144.0, "year")}


def test_selector_takes_every_region_it_matches():
    markup = (FIXTURES / "pricing-toggle.v1.html").read_bytes()
    every = extract_price_points(markup, "https://x.example/")
    assert extract_price_points(markup, "https://x.example/", selector=".tier") == every
    assert len({p.plan for p in every}) == 4


def test_selector_matching_nothing_gives_none():
    markup = (FIXTURES / "pricing-table.v1.html").read_bytes()
    assert extract_price_points(markup, "https://x.example/", selector="#nope") == []


def test_points_are_sorted_by_plan_then_period():
    markup = (FIXTURES / "pricing-toggle.v1.html").read_bytes()
    points = extract_price_points(markup, "https://x.example/")
    keys = [(p.plan.casefold(), p.period or "") for p in points]
    assert keys == sorted(keys)


def test_to_dict_has_the_public_shape():
    point = PricePoint("Pro", 12.0, "USD", "month", "seat", False)
    assert point.to_dict() == {"plan": "Pro", "amount": 12.0, "currency": "USD",
                               "period": "month", "unit": "seat", "contact_sales": False}
    with pytest.raises(FrozenInstanceError):
        point.amount = 14.0


def test_str_and_bytes_give_the_same_points():
    markup = (FIXTURES / "pricing-eur.v1.html").read_bytes()
    url = "https://tafel.example/pricing"
    assert extract_price_points(markup.decode("utf-8"), url) == extract_price_points(markup, url)


@pytest.mark.parametrize("markup", [b"", "<html><body></body></html>", "not html at all"])
def test_empty_or_odd_input_gives_none(markup):
    assert extract_price_points(markup, "https://x.example/") == []


def test_declared_charset_is_honoured():
    markup = '<meta charset="windows-1252"><main><h3>Team</h3><p>\xa38 per user/month</p></main>'
    [point] = extract_price_points(markup.encode("cp1252"), "https://x.example/")
    assert (point.plan, point.amount, point.currency) == ("Team", 8.0, "GBP")


def test_invalid_selector_gives_none():
    markup = (FIXTURES / "pricing-table.v1.html").read_bytes()
    assert extract_price_points(markup, "https://x.example/", selector="main >>> p[") == []
