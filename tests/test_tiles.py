"""The headline tiles as one HTML element (dashboard.tiles): rows, changes, escaping, and the
style that lays them out, read back as the page tests read them (tests.pages.read_tiles)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboard import style
from dashboard.components import changes_tile
from dashboard.headlines import change
from dashboard.tiles import CSS, FOUR, THREE, Tile, tiles_html
from tests.pages import read_tiles


def rows(body: str) -> list[str]:
    """Each row's grid columns, as the style attribute gives them."""
    return re.findall(r'class="wp-tile-row" style="grid-template-columns: ([^"]+)"', body)


def test_seven_tiles_in_a_row_of_four_then_three_keep_their_order() -> None:
    tiles = [Tile(f"Tile {n}", str(n)) for n in range(7)]
    body = tiles_html(tiles, "overview", per_row=(FOUR, THREE))
    assert [r.count("minmax") for r in rows(body)] == [4, 3]
    assert [(t.label, t.value) for t in read_tiles(body)] == [
        (f"Tile {n}", str(n)) for n in range(7)
    ]


def test_a_row_short_of_tiles_keeps_the_widths_so_tiles_line_up() -> None:
    body = tiles_html([Tile("a", "1"), Tile("b", "2"), Tile("c", "3"), Tile("d", "4")], "x")
    assert [r.count("minmax") for r in rows(body)] == [3, 3]  # four in rows of three
    weighted = tiles_html([Tile("a", "1"), Tile("b", "2")], "health", 2, widths=(3, 2))
    assert rows(weighted) == ["minmax(0, 3fr) minmax(0, 2fr)"]


def test_ids_are_unique_and_each_tile_is_a_group_named_by_its_label() -> None:
    body = tiles_html([Tile("Headcount", "10"), Tile("FTE", "9.1")], "overview")
    ids = re.findall(r' id="([^"]+)"', body)
    assert ids == ["wp-tile-overview-0", "wp-tile-overview-1"]
    assert body.count('role="group" aria-labelledby="wp-tile-overview-') == 2


@pytest.mark.parametrize(
    ("tile", "direction", "tone"),
    [
        (Tile("Benefits", "£80", change="+£26m", good_when_up=True), "up", "good"),
        (Tile("Benefits", "£80", change="-£26m", good_when_up=True), "down", "bad"),
        (Tile("Cost", "£1", change="+£3", good_when_up=False), "up", "bad"),
        (Tile("Headcount", "10", change="-2"), "down", ""),  # neutral: grey either way
        (Tile("FTE", "9.1", change="0.0", arrow=False, good_when_up=True), "none", ""),
    ],
)
def test_a_change_shows_its_direction_and_is_coloured_only_where_up_is_good(
    tile: Tile, direction: str, tone: str
) -> None:
    (shown,) = read_tiles(tiles_html([tile], "t"))
    assert (shown.change, shown.direction, shown.tone) == (tile.change, direction, tone)
    arrow = {"up": "↑", "down": "↓", "none": ""}[direction]
    body = tiles_html([tile], "t")
    assert (f'<span aria-hidden="true">{arrow} </span>' in body) == bool(arrow)


def test_delivery_text_is_escaped_everywhere_and_read_back_as_written() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    tile = Tile(
        f"Org {hostile}",
        f"1 {hostile}",
        change=f"+1 {hostile}",
        change_said=f"since {hostile}",
        notes=(f"note {hostile}", "second & last"),
        help=f"def {hostile}",
    )
    body = tiles_html([tile], "t")
    assert "<img" not in body and 'onerror="' not in body
    (shown,) = read_tiles(body)
    assert shown.label == f"Org {hostile}"
    assert shown.value == f"1 {hostile}"
    assert shown.change == f"+1 {hostile}"
    assert shown.said == f"since {hostile}"
    assert shown.notes == [f"note {hostile}", "second & last"]
    assert shown.help == f"def {hostile}"
    assert 'aria-label="What Org &lt;img src=x onerror=&quot;alert(1)&quot;&gt; means"' in body


def test_a_definition_is_behind_a_question_mark_that_opens_it() -> None:
    body = tiles_html([Tile("Headcount", "10", help="People on the payroll.")], "t")
    assert '<details class="wp-tile-help"><summary aria-label="What Headcount means">' in body
    assert read_tiles(body)[0].help == "People on the payroll."
    assert "<details" not in tiles_html([Tile("Headcount", "10")], "t")  # no definition


@pytest.mark.parametrize(
    ("key", "per_row", "widths", "said"),
    [
        ("Bad key", 3, None, "a tiles key is lower case"),
        ("ok", 0, None, "at least one tile"),
        ("ok", (), None, "at least one tile"),
        ("ok", 2, (1, 2, 3), "3 widths for a row of 2 tiles"),
    ],
)
def test_a_wrong_layout_is_refused_in_one_line(key, per_row, widths, said) -> None:
    with pytest.raises(ValueError, match=said):
        tiles_html([Tile("a", "1"), Tile("b", "2")], key, per_row, widths)


def test_the_style_lays_tiles_out_and_stacks_them_on_a_phone() -> None:
    sheet = style.css()
    assert CSS in sheet
    assert "@media (max-width: 640px) { .wp-tile-row { grid-template-columns: minmax(0, 1fr)" in CSS
    assert "overflow-wrap: break-word" in CSS  # a long value wraps between words, never "…"
    assert "min-width: 24px; min-height: 24px" in CSS  # the "?" meets WCAG 2.5.8


def test_a_headline_tile_reads_its_changes_and_the_months_it_has_none_for() -> None:
    tile = changes_tile(
        "Headcount",
        "10",
        (date(2026, 10, 31), change(10, 12, str)),
        (date(2025, 11, 24), None),
        definition="Workforce.",
        notes=("A note.",),
    )
    (shown,) = read_tiles(tiles_html([tile], "t"))
    assert (shown.value, shown.change, shown.direction, shown.tone) == ("10", "-2", "down", "")
    assert shown.said == "since 31 Oct 2026"
    assert shown.notes == ["No figure for 24 Nov 2025", "A note."]
    missing = changes_tile(
        "Benefits",
        "£80",
        (date(2026, 10, 31), None),
        (date(2025, 11, 24), change(80, 50, str)),
        definition="d",
        good_when_up=True,
    )
    (shown,) = read_tiles(tiles_html([missing], "t"))
    assert shown.change is None
    assert shown.notes == ["No figure for 31 Oct 2026", "+30 since 24 Nov 2025"]
