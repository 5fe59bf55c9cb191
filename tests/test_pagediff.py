"""Snapshot diffs with significance, and plan-level price changes."""

import ast
import difflib
from pathlib import Path

import pytest

from pipelines import pagediff
from pipelines.pagediff import SIGNIFICANT, PriceChange, compare_price_points, diff_snapshots

PRO = {"plan": "Pro", "amount": 12.0, "currency": "USD", "period": "month", "unit": "seat",
       "contact_sales": False}
PAGE = "\n".join(["Pricing", "Pro", "$12 per seat / month", "Unlimited boards",
                  "Guest access", "Enterprise", "Contact us", "Questions?",
                  "We answer within one business day, every day of the week."])


def _point(**changes) -> dict:
    return {**PRO, **changes}


def test_identical_snapshots_do_not_differ():
    assert diff_snapshots(PAGE, PAGE) is None


def test_case_and_whitespace_only_is_not_a_change():
    reworked = PAGE.upper().replace(" ", "   ").replace("\n", "  \n")
    assert diff_snapshots(PAGE, reworked) is None


def test_added_and_removed_lines_in_order():
    new = PAGE.replace("Guest access", "Guest access\nTimeline view").replace(
        "Questions?\n", "")
    change = diff_snapshots(PAGE, new, label="tafel pricing")
    assert change.added == ["Timeline view"]
    assert change.removed == ["Questions?"]


def test_unified_diff_matches_difflib_for_plain_changes():
    new = PAGE.replace("$12", "$14").replace("Unlimited boards", "Unlimited boards and lists")
    change = diff_snapshots(PAGE, new, label="pricing")
    expected = difflib.unified_diff(PAGE.splitlines(), new.splitlines(), "pricing (old)",
                                    "pricing (new)", n=3, lineterm="")
    assert change.diff == "\n".join(expected) + "\n"


@pytest.mark.parametrize(("old", "new"), [
    ("", "Pro"),
    ("Pro", ""),
    ("a\nb\nc\nd\ne\nf\ng\nh\ni\nj", "x\na\nb\nc\nd\ne\nf\ng\nh\nj"),
    ("a\nb\nc", "a\nc\nb"),
])
def test_unified_diff_hunks_match_difflib(old, new):
    change = diff_snapshots(old, new, label="p")
    expected = difflib.unified_diff(old.splitlines(), new.splitlines(), "p (old)", "p (new)",
                                    n=3, lineterm="")
    assert change.diff == "\n".join(expected) + "\n"


def _score(old: str, new: str) -> float:
    return diff_snapshots(old, new).significance


def test_money_outranks_plan_names_which_outrank_copy():
    money = _score(PAGE, PAGE.replace("$12", "$14"))
    plan_name = _score(PAGE, PAGE.replace("\nPro\n", "\nPro Plus\n"))
    copy = _score(PAGE, PAGE.replace("every day of the week", "seven days a week"))
    assert 0 <= copy < SIGNIFICANT <= plan_name < money <= 1
    print(f"\nsignificance: money {money}, plan name {plan_name}, copy {copy}")


def test_rewording_around_an_unchanged_price_is_copy():
    new = PAGE.replace("$12 per seat / month", "$12 per seat, monthly")
    assert _score(PAGE, new) < SIGNIFICANT


def test_bigger_copy_changes_score_higher_but_stay_below_money():
    one = _score(PAGE, PAGE.replace("every day", "each day"))
    many = _score(PAGE, PAGE.replace("We answer within one business day, every day of the week.",
                                     "Our team replies fast, usually in an hour, on weekends too."))
    assert one < many < SIGNIFICANT


@pytest.mark.parametrize(("old", "new", "expected"), [
    ([PRO], [_point(amount=14.0)],
     [("Pro", "changed", "Pro: $12 → $14 per seat/month")]),
    ([PRO], [PRO, _point(plan="Team", amount=8.0, unit=None)],
     [("Team", "added", "Team: new plan, $8 per month")]),
    ([PRO, _point(plan="Legacy", amount=5.0, unit=None, period=None)], [PRO],
     [("Legacy", "removed", "Legacy: plan removed (was $5)")]),
    ([_point(plan="PRO")], [_point(amount=12.5)],
     [("Pro", "changed", "Pro: $12 → $12.50 per seat/month")]),
    ([_point(plan="Enterprise", amount=None, currency=None, unit=None, period=None,
             contact_sales=True)],
     [_point(plan="Enterprise", amount=99.0, unit=None, period=None)],
     [("Enterprise", "changed", "Enterprise: Contact sales → $99")]),
    ([_point(unit="seat")], [_point(unit="user")],
     [("Pro", "changed", "Pro: $12 per seat/month → $12 per user/month")]),
    ([_point(currency="EUR", amount=19.5, unit="user")],
     [_point(currency="EUR", amount=21.0, unit="user")],
     [("Pro", "changed", "Pro: €19.50 → €21 per user/month")]),
    ([_point(plan="Light", currency="JPY", amount=1200.0, unit=None)],
     [_point(plan="Light", currency="JPY", amount=1500.0, unit=None)],
     [("Light", "changed", "Light: ¥1,200 → ¥1,500 per month")]),
    ([_point(plan="Company", currency="CHF", amount=1200.0, unit=None, period="year")],
     [_point(plan="Company", currency="CHF", amount=1300.0, unit=None, period="year")],
     [("Company", "changed", "Company: CHF 1,200 → CHF 1,300 per year")]),
    ([_point(plan="Starter", currency="GBP", amount=0.0, unit=None, period=None)],
     [_point(plan="Starter", currency="GBP", amount=5.0, unit=None, period=None)],
     [("Starter", "changed", "Starter: £0 → £5")]),
    ([_point(plan="Setup", currency="CHF", amount=490.0, unit=None, period="one-time")], [],
     [("Setup", "removed", "Setup: plan removed (was CHF 490 one-time)")]),
])
def test_price_changes(old, new, expected):
    changes = compare_price_points(old, new)
    assert [(c.plan, c.change, c.summary) for c in changes] == expected


def test_monthly_and_annual_prices_are_matched_by_period():
    old = [PRO, _point(amount=120.0, period="year")]
    new = [PRO, _point(amount=132.0, period="year")]
    [change] = compare_price_points(old, new)
    assert change == PriceChange("Pro", "changed", old[1], new[1], "Pro: $10 → $11 per "
                                 "seat/month billed annually ($120 → $132 per seat/year)")


ANNUAL = _point(plan="Scale", amount=4788.0, period="year", unit=None)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ([], [ANNUAL], "Scale: new plan, $399 per month billed annually ($4,788/year)"),
    ([ANNUAL], [], "Scale: plan removed (was $399 per month billed annually, $4,788/year)"),
    ([ANNUAL], [{**ANNUAL, "amount": 4188.0}],
     "Scale: $399 → $349 per month billed annually ($4,788 → $4,188/year)"),
    ([_point(amount=119.88, period="year")], [_point(amount=143.88, period="year")],
     "Pro: $9.99 → $11.99 per seat/month billed annually ($119.88 → $143.88 per seat/year)"),
    # $4,790 a year is no whole number of cents a month: the yearly amount alone
    ([ANNUAL], [{**ANNUAL, "amount": 4790.0}], "Scale: $4,788 → $4,790 per year"),
    ([], [{**ANNUAL, "currency": "EUR", "amount": 390.0}], "Scale: new plan, €32.50 per "
     "month billed annually (€390/year)"),
    ([], [{**ANNUAL, "currency": "EUR", "amount": 391.0}], "Scale: new plan, €391 per year"),
])
def test_yearly_prices_are_also_given_per_month(old, new, expected):
    [change] = compare_price_points(old, new)
    assert change.summary == expected


def test_same_prices_in_another_order_are_no_change():
    points = [PRO, _point(plan="Team", amount=8.0), _point(amount=120.0, period="year")]
    assert compare_price_points(points, list(reversed(points))) == []


def test_changes_are_sorted_by_plan():
    old = [_point(plan="Zeta"), _point(plan="alpha")]
    changes = compare_price_points(old, [])
    assert [c.plan for c in changes] == ["alpha", "Zeta"]


def test_pagediff_imports_nothing_from_crawlers():
    tree = ast.parse(Path(pagediff.__file__).read_text("utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "crawlers" for name in imported)
