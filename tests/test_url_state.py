"""dashboard.url_state: what a link may carry into a page's widgets, read and written without
Streamlit.  A URL is typed by anyone: every value is checked against what the widget offers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.url_state import (
    MOST_TEXT,
    decode_bool,
    decode_date,
    decode_number,
    decode_option,
    decode_options,
    decode_text,
    encode,
    link,
)

LEVELS = ["cluster", "department", "organisation_code"]
HOSTILE = [
    "<script>alert(1)</script>",
    "[x](http://evil.example)",
    "x" * 30_000,
    "cluster\n",
    " cluster",
    "CLUSTER",
    "",
]
JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)


def test_an_option_must_be_one_of_the_options() -> None:
    assert decode_option(["department"], LEVELS) == "department"
    assert decode_option(["cluster", "organisation_code"], LEVELS) == "organisation_code"  # last
    assert decode_option([], LEVELS) is None
    for hostile in HOSTILE:
        assert decode_option([hostile], LEVELS) is None


def test_options_that_are_not_text_are_named_as_they_read() -> None:
    assert decode_option(["2025-11"], ["2025-12", "2025-11"]) == "2025-11"
    assert decode_option(["3"], [1, 2, 3]) == 3


def test_several_options_are_filtered_to_those_offered_once_each_in_order() -> None:
    asked = ["grade", "<b>x</b>", "cluster", "grade", "x" * 30_000]
    assert decode_options(asked, ["cluster", "grade", "region"]) == ["grade", "cluster"]
    assert decode_options([], ["cluster"]) is None  # nothing said: the page's default
    assert decode_options([""], ["cluster"]) == []  # said empty: none chosen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["2026-01-31"], JAN),
        (["2025-06-30"], JAN),  # before the first: the first
        (["2027-01-01"], FEB),  # after the latest: the latest
        (["20261031"], None),
        (["2026-1-31"], None),
        (["31/01/2026"], None),
        (["2026-02-30"], None),
        (["2026-01-31T00:00"], None),
        (["<script>"], None),
        (["2026-01-31" + "x" * 30_000], None),
        ([], None),
    ],
)
def test_a_date_is_read_strictly_and_kept_within_its_bounds(
    raw: list[str], expected: date | None
) -> None:
    assert decode_date(raw, JAN, FEB) == expected


def test_a_date_without_bounds_is_taken_as_written() -> None:
    assert decode_date(["1999-12-31"]) == date(1999, 12, 31)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["500"], 500),
        (["10"], 10),
        (["100000"], 100_000),
        (["9"], None),  # below the bounds: ignored, not clamped
        (["100001"], None),
        (["1e3"], None),  # whole numbers only
        (["nan"], None),
        (["inf"], None),
        (["5" * 30_000], None),
        (["<b>1</b>"], None),
        ([], None),
    ],
)
def test_a_number_must_be_within_its_bounds(raw: list[str], expected: int | None) -> None:
    assert decode_number(raw, 10, 100_000) == expected


def test_a_fractional_number_where_one_is_allowed() -> None:
    assert decode_number(["2.5"], 0, 10, whole=False) == 2.5
    assert decode_number(["nan"], whole=False) is None
    assert decode_number(["-inf"], whole=False) is None


def test_a_switch_is_one_or_zero() -> None:
    assert decode_bool(["1"]) is True
    assert decode_bool(["0"]) is False
    for other in ("true", "yes", "on", "", "2", "<b>1</b>"):
        assert decode_bool([other]) is None
    assert decode_bool([]) is None


def test_text_is_cut_to_its_limit() -> None:
    assert decode_text(["someone@example.org"]) == "someone@example.org"
    assert decode_text(["x" * 30_000]) == "x" * MOST_TEXT
    assert decode_text(["<script>alert(1)</script>"]) == "<script>alert(1)</script>"  # as text
    assert decode_text([]) is None


def test_values_are_written_dates_iso_switches_as_digits_and_lists_repeated() -> None:
    assert encode(JAN) == ["2026-01-31"]
    assert encode(True) == ["1"] and encode(False) == ["0"]
    assert encode(["cluster", "grade"]) == ["cluster", "grade"]
    assert encode([]) == [""]
    assert encode(1000) == ["1000"]
    assert encode("department") == ["department"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_written_reads_back(day: date) -> None:
    assert decode_date(encode(day)) == day


@given(st.lists(st.sampled_from(LEVELS), unique=True))
def test_every_choice_of_options_written_reads_back(chosen: list[str]) -> None:
    assert decode_options(encode(chosen), LEVELS) == chosen


@given(st.text(max_size=300))
def test_any_text_reads_back_cut(text: str) -> None:
    assert decode_text(encode(text)) == text[:MOST_TEXT]


def test_the_link_is_the_address_and_its_parameters() -> None:
    params = {"as_at": ["2026-02-28"], "extracts.by.workforce": ["cluster", "grade"]}
    assert link("http://host:8501/extracts", params) == (
        "http://host:8501/extracts?as_at=2026-02-28"
        "&extracts.by.workforce=cluster&extracts.by.workforce=grade"
    )
    assert link(None, {"a": ["<b>&x=1</b>"]}) == "?a=%3Cb%3E%26x%3D1%3C%2Fb%3E"  # quoted
    assert link("http://host/workforce", {}) == "http://host/workforce"
