"""The cost and efficiency page under AppTest, on the richer tiny warehouse
(tests/tiny_warehouse_extra.py), the basic one (tests/tiny_warehouse.py) and a ledger that
ends in the middle of a month (tests/tiny_periods.py): it renders, its filters change its
numbers, a month still being posted is marked partial and left out of totals, and the ledger
is read as it stood at the as-at date.

Extra, as at M3 (31 January 2026): every period to January is complete; the ledger starts in
November 2025, so the totals cover 3 months to January 2026: pay spend £127.1k (25,500 in
2025-11; 37,600 in 2025-12; 63,992.50 in 2026-01), contingent labour £4.4k, consultancy £2k.
UNITY alone: HMRC's £21,955.  Cost per FTE needs 12 complete months: not available.
Reconciliation of 2026-01: HO (+4.7%), MOJ (ledger pay, no staff) and DVLA (no ledger pay) are
flagged; DWP and HMRC are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings
from tests import pages, tiny_periods, tiny_warehouse, tiny_warehouse_extra

FLAG = "⚠ Over tolerance"
RANGE = "February 2025 to January 2026"
WINDOW = "3 months to January 2026"


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


def open_page(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return pages.open_page("cost", settings, monkeypatch)


@pytest.fixture
def app(extra: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page(extra, monkeypatch)
    get_settings.cache_clear()


tiles = pages.tiles


figures = pages.chart_specs


RECONCILIATION = "HR and finance reconciliation"


def tab(at: AppTest, label: str) -> AppTest:
    """The page run again on its tab ``label`` (issue 14: tabs run lazily)."""
    return pages.on_tab(at, "cost.tab", label)


def flags(at: AppTest) -> dict[str, str]:
    """The reconciliation table's flag by organisation."""
    table = next(df.value for df in at.dataframe if "Flag" in df.value.columns)
    return dict(zip(table["Organisation"], table["Flag"], strict=True))


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(element.value) for element in at.get(kind))


def test_the_cost_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Cost and efficiency"]
    # Short labels, read whole in a quarter of a laptop's page; the window is the heading.
    assert tiles(app) == {
        "Pay spend": "£127.1k",
        "Contingent labour": "£4.4k",
        "Consultancy": "£2.0k",  # one precision along the row, never "£2k" beside "£4.4k"
        "Contingent FTE": "0.0",
    }
    assert app.subheader[0].value.startswith(f"{WINDOW}, as at ")
    first = pages.tile_list(app)[0]
    assert (first.help or "").startswith("Pay spend: what the clusters' finance ledgers")
    assert "not the paybill" in (first.help or "")
    charts = pages.every_tab(app, "cost.tab")[1]
    spend = charts[f"Ledger spend by account category, {RANGE} (£ a month)"]
    # The payroll accounts are one group, each group its own colour (tests/test_labels.py).
    assert [t["name"] for t in spend["data"]] == ["Pay spend", "Contingent labour", "Consultancy"]
    assert spend["layout"]["yaxis"]["title"]["text"] == "Spend (£ in the month)"  # under £1m
    assert "s" not in spend["layout"]["yaxis"]["tickformat"]
    assert not any(title.startswith("Fully loaded cost per payroll FTE") for title in charts)
    assert texts(tab(app, "Cost per FTE"), "info") == (
        "Cost per FTE: Not available: needs 12 complete months of data, has 3 to January 2026; "
        "the first month-end loaded is 30 Nov 2025."
    )
    ratio = charts["HR and finance staff per 100 employees by cluster (people per 100)"]
    notes = [a["text"] for a in ratio["layout"]["annotations"]]
    assert "HR target: 1 per 100" in notes
    assert "Civil service 2023: 2.5 (1 per 40)" in notes
    assert flags(tab(app, RECONCILIATION)) == {
        "DWP": "Within tolerance",
        "HO": FLAG,
        "MOJ": FLAG,
        "DVLA": FLAG,
        "HMRC": "Within tolerance",
    }
    assert "more than **2.0%** (the tolerance)" in texts(app, "markdown")
    assert "**3** of 5 organisations flagged in 2026-01" in texts(app, "markdown")


def test_the_clusters_filter_changes_the_figures(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter.clusters").select("UNITY").run()
    assert not app.exception
    assert tiles(app)["Pay spend"] == "£22.0k"  # HMRC's £21,955
    assert app.subheader[0].value.startswith("1 month to January 2026, as at ")
    assert set(flags(tab(app, RECONCILIATION))) == {"DVLA", "HMRC"}


def test_the_organisations_filter_narrows_the_reconciliation(app: AppTest) -> None:
    app.query_params.update({"organisations": "HO"})
    app.run()
    assert not app.exception
    assert flags(tab(app, RECONCILIATION)) == {"HO": FLAG}
    # 4,000 + 1,012.50 + 525, HO's only pay, all in January
    assert tiles(app)["Pay spend"] == "£5.5k"


def test_another_period_can_be_reconciled(app: AppTest) -> None:
    tab(app.run(), RECONCILIATION)
    period = app.selectbox(key="cost.period")
    assert period.value == "2026-01"
    period.set_value("2025-11").run()
    assert not app.exception
    assert "flagged in 2025-11" in texts(app, "markdown")


def test_the_page_renders_on_the_basic_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_warehouse.build(tmp_path), monkeypatch).run()
    assert not at.exception
    assert tiles(at)["Contingent FTE"] == "1.5"
    get_settings.cache_clear()


# --- a ledger that ends in the middle of a month ----------------------------------------------


@pytest.fixture(scope="module")
def mid_month(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_periods.build(tmp_path_factory.mktemp("periods"))


def spend_table(at: AppTest) -> dict[tuple[str, str], float]:
    """The spend chart's table: (period as shown, account category) → £."""
    table = next(df.value for df in at.dataframe if "Spend (£)" in df.value.columns)
    return {
        (row["Period"], row["Account category"]): row["Spend (£)"]
        for row in table.to_dict("records")
    }


def test_the_month_being_posted_is_partial_and_left_out_of_the_totals(
    mid_month: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(mid_month, monkeypatch).run()  # as at 20 November 2026, the latest
    assert not at.exception
    # September is the last month complete for both clusters (UNITY's ledger reaches 15
    # October): pay spend over October 2025 to September 2026 is SYNERGY 12 × 1,000 + 50
    # arrears and UNITY 12 × 2,000 = £36,050; the consultancy of October and November (500,
    # 300) is in partial months, so none in the totals.
    assert tiles(at) == {
        "Pay spend": "£36.1k",
        "Contingent labour": "£0",
        "Consultancy": "£0",
        "Contingent FTE": "0.0",
    }
    assert at.subheader[0].value.startswith("12 months to September 2026, as at ")
    assert "October 2026 and November 2026 are still being posted" in texts(at, "caption")
    chart = figures(at)[
        "Ledger spend by account category, December 2025 to November 2026 (£ a month)"
    ]
    pay = next(trace for trace in chart["data"] if trace["name"] == "Pay spend")
    assert pay["x"][-2:] == ["2026-10 (to 15 Oct, partial)", "2026-11 (partial)"]
    assert pay["marker"]["pattern"]["shape"][-3:] == ["", "/", "/"]  # hatched: partial
    assert spend_table(pages.open_tables(at))[("2026-11 (partial)", "Salary")] == 400.0
    # The dashed average is of the complete months alone: the two partial ones left out.
    totals: dict[str, float] = {}
    for trace in chart["data"]:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            totals[x] = totals.get(x, 0.0) + y
    complete = [total for x, total in totals.items() if "partial" not in x]
    assert len(complete) == len(totals) - 2
    (average,) = [s for s in chart["layout"]["shapes"] if s["type"] == "line"]
    assert average["y0"] == pytest.approx(sum(complete) / len(complete))
    # Cost per FTE over the same 12 complete months: £36,050 ÷ 12.5 average FTE = £2,884.
    per_fte = figures(tab(at, "Cost per FTE"))[
        "Fully loaded cost per payroll FTE by organisation, 12 months to September 2026 (£ a year)"
    ]
    assert per_fte["data"][0]["x"] == ["DWP", "HO", "MOJ", "DVLA", "HMRC"]
    # The reconciliation opens on the latest complete month, and warns of a partial one.
    period = tab(at, RECONCILIATION).selectbox(key="cost.period")
    assert period.value == "2026-09"
    assert period.options[:3] == ["2026-11 (partial)", "2026-10 (to 15 Oct, partial)", "2026-09"]
    assert not at.warning
    period.set_value("2026-11").run()
    assert "November 2026 is still being posted" in texts(at, "warning")
    assert "The latest complete month is September 2026." in texts(at, "warning")
    get_settings.cache_clear()


def test_the_ledger_is_read_as_it_stood_at_the_as_at_date(
    mid_month: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(mid_month, monkeypatch)
    at.query_params.update({"as_at": "2026-11-15"})
    at.run()
    assert not at.exception
    # As at 15 November: November holds SYNERGY's consultancy of 300 (posted on the 10th);
    # not its salary of 400 posted on the 20th, nor the 70 posted on the 12th and delivered
    # on the 20th.
    november = {
        k: v for k, v in spend_table(pages.open_tables(at)).items() if k[0].startswith("2026-11")
    }
    assert november == {("2026-11 (partial)", "Consultancy"): 300.0}
    assert tiles(at)["Pay spend"] == "£36.1k"
    get_settings.cache_clear()
