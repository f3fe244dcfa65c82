"""dashboard.formatting: how numbers and dates read on the pages."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.formatting import (
    MISSING,
    format_count,
    format_date,
    format_gbp,
    format_percent,
    money_axis,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.8e9, "£1.8bn"),
        (1_300_000_000, "£1.3bn"),
        (500_000_000, "£500m"),
        (900e6, "£900m"),
        (1_250_000, "£1.3m"),
        (2_500, "£2.5k"),
        (2_500.5, "£2.5k"),
        (100.5, "£101"),
        (12_500, "£12.5k"),
        (950, "£950"),
        (0, "£0"),
        (0.4, "£0"),
        (-0.4, "£0"),
        (999.4, "£999"),
        (950_000, "£950k"),
        (-1_200_000, "-£1.2m"),
        (999_960_000, "£1bn"),  # rounds up into the next unit, never "£1,000m"
        (999.96, "£1k"),
        (4.37e12, "£4,370bn"),
    ],
)
def test_gbp(value: float, expected: str) -> None:
    assert format_gbp(value) == expected


def test_gbp_decimals() -> None:
    assert format_gbp(1.84e9, decimals=2) == "£1.84bn"
    assert format_gbp(1.84e9, decimals=0) == "£2bn"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345, 0, "12,345"),
        (470_000, 0, "470,000"),
        (1234.56, 1, "1,234.6"),
        (12.5, 0, "13"),  # halves away from zero, not to even as Python's round does
        (-12.5, 0, "-13"),
        (2.675, 2, "2.68"),  # as written, though stored as 2.67499...
        (0, 0, "0"),
        (-0.4, 0, "0"),  # no negative zero
        (-0.04, 1, "0.0"),
        (-1234, 0, "-1,234"),
    ],
)
def test_count(value: float, decimals: int, expected: str) -> None:
    assert format_count(value, decimals) == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(0.938, "93.8%"), (1, "100.0%"), (0, "0.0%"), (0.12345, "12.3%"), (12.5, "1,250.0%")],
)
def test_percent(ratio: float, expected: str) -> None:
    assert format_percent(ratio) == expected


def test_percent_decimals() -> None:
    assert format_percent(0.938, decimals=0) == "94%"


@pytest.mark.parametrize("formatter", [format_gbp, format_count, format_percent])
def test_missing_and_suppressed_values(formatter) -> None:
    assert formatter(None) == MISSING == "[x]"
    assert formatter(float("nan")) == MISSING
    assert formatter("[c]") == "[c]"


def test_date() -> None:
    assert format_date(date(2026, 10, 31)) == "31 October 2026"
    assert format_date(date(2026, 3, 1)) == "1 March 2026"
    assert format_date(None) == MISSING


def test_gbp_fixed_keeps_one_precision_along_a_row_of_tiles() -> None:
    row = [format_gbp(v, fixed=True) for v in (1_000_000_000, 293_300_000, 54_000_000, 61_250)]
    assert row == ["£1.0bn", "£293.3m", "£54.0m", "£61.3k"]  # never "£1bn" beside "£293.3m"
    assert format_gbp(999_960_000, fixed=True) == "£1.0bn"
    assert format_gbp(950, fixed=True) == "£950"  # whole pounds below £1,000
    assert format_gbp(-40, fixed=True) == "-£40"
    assert format_gbp(-0.04e6, fixed=True) == "-£40.0k"
    assert format_gbp(-0.01, fixed=True) == "£0"  # no negative zero
    assert format_gbp(None, fixed=True) == MISSING


@pytest.mark.parametrize(
    ("values", "unit", "scaled"),
    [
        ([3.0e9, 1.2e9, None], "£bn", [3.0, 1.2, None]),
        ([150e6, -2e6], "£m", [150.0, -2.0]),
        ([61_250.0], "£", [61_250.0]),
        ([], "£", []),
    ],
)
def test_money_axis_names_its_unit_and_never_uses_si(values, unit, scaled) -> None:
    axis = money_axis(values)
    assert axis.unit == unit
    assert axis.scale(values) == pytest.approx(scaled)
    assert axis.titled("Spend (£ in the month)") == f"Spend ({unit} in the month)"
    assert axis.titled("Net present value (£, 2026-27 values)").startswith(
        f"Net present value ({unit}"
    )
    assert axis.titled("Planned") == f"Planned ({unit})"
    assert axis.titled("Planned", add=False) == "Planned"
    assert "s}" not in axis.hover("y") and axis.hover("y").startswith("£%{y:,.")
