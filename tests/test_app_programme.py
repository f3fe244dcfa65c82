"""The programme page under AppTest, on the richer tiny warehouse (tests/tiny_warehouse_extra.py)
and on the basic one (tests/tiny_warehouse.py): it renders, and its filters change its numbers.

As at M3 (31 January 2026): benefits planned £890 (SYNERGY 850, UNITY 40), realised £150
(SYNERGY's 2024-25: 90 cashable + 60 efficiencies); cost to date £290 (210 + 80); X2 achieved
of four milestones.  UNITY alone: £40 planned, nothing realised, £80 cost to date.  As at M1
SYNERGY's 2024-25 cashable saving read 70, so £130 realised.

The rated register (:func:`rated`) restates M3's delivery with every rating, every kind of
lateness and a milestone 851 days past its baseline that is not overdue (issue 12).  As at M3
(31 January 2026), by hand:

====  =======  ======================  ==========  ==========  ==========  ===========  =====
id    cluster  stage                   baseline    forecast    actual      rating       slip
====  =======  ======================  ==========  ==========  ==========  ===========  =====
X1    SYNERGY  go_live                 1 Mar 2026  1 May 2026  -           red          61
X2    UNITY    contract_award          15 Dec 2025 -           18 Dec 2025 green        3
X3    ALL      other                   30 Jun 2026 30 Jun 2026 -           amber_green  0
X4    SYNERGY  SOC                     1 Feb 2026  10 Feb 2026 -           red          9
X5    ALL      legacy_decommission     1 Jun 2024  30 Sep 2026 -           amber_red    851
X6    UNITY    OBC                     1 Dec 2025  15 Jan 2026 -           amber        45
X7    SYNERGY  FBC                     1 Jan 2026  -           -           (none)       -
====  =======  ======================  ==========  ==========  ==========  ===========  =====

Achieved: X2.  Overdue (not achieved, forecast else baseline before 31 Jan): X6 (due 15 Jan,
16 days) and X7 (due 1 Jan, 30 days).  Slipped, largest first: X5 851, X1 61, X6 45, X4 9,
X2 3 (X7 has no date to slip to; X3 is on its baseline).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from core.contract import MilestoneRow, arrow_schema
from core.delivery import write_delivery
from core.settings import Settings, get_settings
from dashboard.charts import milestones as cp
from dashboard.safe_text import safe_markdown
from pipeline.ingest import ingest_main
from tests import pages, tiny_warehouse, tiny_warehouse_extra
from tests.pages import tile_list as tiles_of
from tests.tiny_warehouse_extra import M3


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


def open_page(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return pages.open_page("programme", settings, monkeypatch)


@pytest.fixture
def app(extra: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page(extra, monkeypatch)
    get_settings.cache_clear()


tiles = pages.tiles


figures = pages.chart_specs


def captions(at: AppTest) -> str:
    """The captions, and the notes under the tiles."""
    notes = [note for tile in tiles_of(at) for note in tile.notes]
    return "\n".join([c.value for c in at.caption] + notes)


def test_the_programme_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Programme"]
    assert pages.every_tab(app, "programme.tab")[0] == {
        "Benefits planned": "£890",
        "Benefits realised": "£150",
        "Programme cost to date": "£290",
        "Net present value": "£283",
        "Milestones achieved": "1 of 4",
        "Overdue": "0",
        "Slipped": "3",  # X1 61 days, X4 9, X2 3
        "Amber": "4",
    }
    text = captions(app)
    assert "Business case: £1.8bn over 15 years (£500m cashable + £1.3bn efficiencies)." in text
    assert "business case about £900m (over £1.7bn had departments gone alone)" in text
    assert "at 3.5% real (Green Book), in 2025-26 values" in text
    assert (tiles_of(app)[0].help or "").startswith("Benefits cumulative:")
    charts = pages.every_tab(app, "programme.tab")[1]
    timeline = charts["Milestones: baseline, forecast and actual dates, by cluster (date)"]
    names = [t["name"] for t in timeline["data"]]
    assert names == ["Baseline", "Amber (A)", "Forecast date (diamond)", "Actual date (star)"]
    assert [len(t["x"]) for t in timeline["data"][:2]] == [
        4,
        4,
    ]  # X2's actual, the others' forecasts
    slip = charts["Slip of each SYNERGY milestone against its baseline (days)"]
    assert {t["name"]: t["y"] for t in slip["data"]} == {
        "X1 Milestone X1": [0, 45, 61],
        "X4 Milestone X4": [0, 9],
    }
    (dca,) = charts["Milestones by delivery confidence rating (count)"]["data"]
    assert dca["text"] == ["Amber: 4"]
    cashable = charts["Cashable savings: planned and realised by financial year (£)"]
    assert [t["y"] for t in cashable["data"]] == [[100, 240, 300], [90, None, None]]
    assert "Net present value by cluster, 2025-26 values (£)" in charts
    pages.on_tab(app, "programme.tab", "Benefits and cost")
    assert len(app.expander) >= 4  # every chart's data as a table
    assert tiles(app)["Milestones achieved"] == "1 of 4"  # the tiles above every tab


def test_the_slippage_cluster_can_be_chosen(app: AppTest) -> None:
    pages.on_tab(app.run(), "programme.tab", "Slippage")
    assert app.selectbox(key="programme.cluster").options == ["SYNERGY", "UNITY", "ALL"]
    app.selectbox(key="programme.cluster").set_value("UNITY").run()
    assert not app.exception
    slip = figures(app)["Slip of each UNITY milestone against its baseline (days)"]
    assert [t["y"] for t in slip["data"]] == [[5, 3, 3]]


def test_the_clusters_filter_changes_the_figures(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter.clusters").select("UNITY").run()
    assert not app.exception
    figures_now = tiles(app)
    assert figures_now["Benefits planned"] == "£40"
    assert figures_now["Benefits realised"] == "[x]"
    assert figures_now["Programme cost to date"] == "£80"
    assert figures_now["Milestones achieved"] == "1 of 1"  # X3 is strategy-wide: all five only


def test_an_earlier_date_reads_that_register(app: AppTest) -> None:
    app.query_params.update({"as_at": "2025-11-30"})
    app.run()
    assert not app.exception
    assert app.date_input(key="filter.as_at").value == date(2025, 11, 30)
    assert tiles(app)["Benefits realised"] == "£130"


def test_other_filters_are_said_not_to_apply(app: AppTest) -> None:
    app.query_params.update({"grades": "G7"})
    app.run()
    assert not app.exception
    assert "The register is by cluster only: the grade filter does not apply." in captions(app)


def test_the_page_renders_on_the_basic_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_warehouse.build(tmp_path), monkeypatch).run()
    assert not at.exception
    assert tiles(at)["Benefits realised"] == "£80"
    get_settings.cache_clear()


# --- numbers a leader can act on (issue 12): the rated register --------------------------------

RATED = [  # id, cluster, stage, baseline, forecast, actual, rating, title
    ("X1", "SYNERGY", "go_live", date(2026, 3, 1), date(2026, 5, 1), None, "red",
     "Payroll go-live"),
    ("X2", "UNITY", "contract_award", date(2025, 12, 15), None, date(2025, 12, 18), "green",
     "Supplier contract signed"),
    ("X3", "ALL", "other", date(2026, 6, 30), date(2026, 6, 30), None, "amber_green",
     "Benefits review"),
    ("X4", "SYNERGY", "SOC", date(2026, 2, 1), date(2026, 2, 10), None, "red",
     "Strategic case agreed"),
    ("X5", "ALL", "legacy_decommission", date(2024, 6, 1), date(2026, 9, 30), None, "amber_red",
     "Old ledgers switched off"),
    ("X6", "UNITY", "OBC", date(2025, 12, 1), date(2026, 1, 15), None, "amber",
     "Outline case approved"),
    ("X7", "SYNERGY", "FBC", date(2026, 1, 1), None, None, None, "Full case approved"),
]  # fmt: skip
RAW_CODES = ("amber_green", "amber_red", "contract_award", "legacy_decommission", "go_live")


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The richer tiny warehouse with M3's register restated as :data:`RATED`."""
    settings = tiny_warehouse_extra.build(tmp_path_factory.mktemp("rated"))
    keys = ("milestone_id", "cluster", "stage", "baseline_date", "forecast_date", "actual_date")
    rows = [
        {**dict(zip(keys, row[:6], strict=True)), "dca_rating": row[6], "title": row[7]}
        | {"dca_scale": "five_point" if row[6] else None, "owner": "Programme office"}
        for row in RATED
    ]
    folder = settings.landing / "PROGRAMME" / M3.isoformat()
    write_delivery(
        settings.landing,
        "PROGRAMME",
        M3,
        {
            "milestones.parquet": pa.Table.from_pylist(rows, schema=arrow_schema(MilestoneRow)),
            "benefits.parquet": pq.read_table(folder / "benefits.parquet"),
        },
        generated_at=datetime(2026, 1, 31, 23, 45),
    )
    assert ingest_main(settings) == 0
    return settings


@pytest.fixture
def register(rated: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page on its "Delivery confidence" tab."""
    at = open_page(rated, monkeypatch)
    yield confidence(at.run())
    get_settings.cache_clear()


def confidence(at: AppTest) -> AppTest:
    return pages.on_tab(at, "programme.tab", "Delivery confidence")


def on_milestones(at: AppTest) -> AppTest:
    return pages.on_tab(at, "programme.tab", "Milestones")


def table(at: AppTest, columns: set[str]) -> list[dict]:
    """The rows of the (one) table on the page with these columns."""
    (found,) = [f.value for f in at.dataframe if columns <= set(f.value.columns)]
    return found.to_dict("records")


def milestone_table(at: AppTest) -> list[dict]:
    return table(at, {"Milestone", "Rating", "Stage", "Status", "Owner"})


def visible_text(at: AppTest) -> str:
    """What the main area shows: headings, text, tiles (and their tooltips), widgets, every
    table's column names and cells, and every chart's figure (titles, ticks, legend, hover)."""
    parts = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in at.main.get(kind)
    ]
    parts += [f"{t.label} {t.value} {' '.join(t.notes)} {t.help}" for t in tiles_of(at.main)]
    parts += [o for b in at.main.button_group for o in b.options]
    for frame in at.main.dataframe:
        parts += [*map(str, frame.value.columns), frame.value.to_csv()]
    parts += [json.dumps(spec, ensure_ascii=False) for spec in figures(at).values()]
    return "\n".join(parts)


def test_overdue_and_slipped_are_counted_and_listed_side_by_side(register: AppTest) -> None:
    on_milestones(register)
    assert not register.exception
    figures_now = tiles(register)
    assert figures_now["Milestones achieved"] == "1 of 7"
    assert figures_now["Overdue"] == "2"
    assert figures_now["Slipped"] == "5"  # X5 is 851 days late and yet not overdue
    # The headline's totals are summed over the ratings (several here, one unrated): the same
    # counts as the register's lists.
    assert "2 overdue; 5 later than baseline." in captions(register)
    overdue = table(register, {"Days overdue"})
    assert [(r["Milestone"], r["Days overdue"]) for r in overdue] == [("X7", 30), ("X6", 16)]
    slipped = table(register, {"Days slipped", "Actual or forecast"})
    assert [(r["Milestone"], r["Days slipped"]) for r in slipped] == [
        ("X5", 851),
        ("X1", 61),
        ("X6", 45),
        ("X4", 9),
        ("X2", 3),
    ]
    assert slipped[0]["Title"] == "Old ledgers switched off"
    assert "Largest: ALL · X5 Old ledgers switched off, 851 days after its baseline." in captions(
        register
    )
    # the lists and the tiles (milestones.sql) count the same milestones
    assert len(overdue) == int(figures_now["Overdue"]) and len(slipped) == int(
        figures_now["Slipped"]
    )


def test_the_red_milestones_are_named(register: AppTest) -> None:
    tiles_now = tiles(register)
    ratings = {"Green": "1", "Amber/green": "1", "Amber": "1", "Amber/red": "1", "Red": "2"}
    assert {k: tiles_now[k] for k in (*ratings, "Not rated")} == {**ratings, "Not rated": "1"}
    named = [m.value for m in register.main.markdown if m.value.startswith("**Rated red:**")]
    assert named == [
        "**Rated red:** SYNERGY · X4 Strategic case agreed; SYNERGY · X1 Payroll go\\-live"
    ]
    reds = [r["Milestone"] for r in milestone_table(register) if r["Rating"] == "Red"]
    assert sorted(reds) == ["X1", "X4"]


def test_the_milestone_table_reads_in_plain_words(register: AppTest) -> None:
    rows = {r["Milestone"]: r for r in milestone_table(register)}
    assert {m: (r["Stage"], r["Rating"], r["Status"]) for m, r in rows.items()} == {
        "X1": ("Go-live", "Red", "Not yet due"),
        "X4": ("Strategic outline case (SOC)", "Red", "Not yet due"),
        "X7": ("Full business case (FBC)", "Not rated", "Overdue"),
        "X2": ("Contract award", "Green", "Achieved"),
        "X6": ("Outline business case (OBC)", "Amber", "Overdue"),
        "X3": ("Other", "Amber/green", "Not yet due"),
        "X5": ("Old systems decommissioned", "Amber/red", "Not yet due"),
    }
    assert [rows[m]["Days slipped"] for m in ("X1", "X2", "X3", "X5")] == [61, 3, 0, 851]
    assert rows["X5"]["Baseline"].date() == date(2024, 6, 1)  # a date, so the table sorts it
    (main,) = [f for f in register.main.dataframe if "Owner" in f.value.columns]
    config = json.loads(main.proto.columns)
    assert "strategic outline case" in config["Stage"]["help"]
    assert config["Rating"]["help"].startswith("Delivery confidence assessment (DCA)")


def test_no_raw_code_or_column_name_is_shown(register: AppTest) -> None:
    text = visible_text(register) + visible_text(on_milestones(register))
    confidence(register)
    for code in (*RAW_CODES, "dca_rating", "slip_days", "milestone_id", "baseline_date"):
        assert code not in text, code
    register.button_group(key="programme.rating").set_value("amber_red").run()
    assert not any(code in visible_text(register) for code in RAW_CODES)


def test_the_timeline_colours_and_labels_each_marker_by_its_rating(register: AppTest) -> None:
    timeline = figures(register)[
        "Milestones: baseline, forecast and actual dates, by cluster (date)"
    ]
    traces = {t["name"]: t for t in timeline["data"]}
    for rating, ids in {
        "red": {"X1", "X4"},
        "amber_red": {"X5"},
        "amber": {"X6"},
        "amber_green": {"X3"},
        "green": {"X2"},
    }.items():
        trace = traces[f"{cp.DCA_LABELS[rating]} ({cp.DCA_MARKS[rating]})"]
        assert {y.split(" ")[2] for y in trace["y"]} == ids
        assert trace["marker"]["color"] == cp.DCA_COLOURS[rating]
        assert set(trace["text"]) == {cp.DCA_MARKS[rating]}  # not the colour alone
        assert {d[2] for d in trace["customdata"]} == {cp.DCA_LABELS[rating]}
    assert "Not rated (NR)" not in traces  # X7 has no forecast or actual date to mark
    (x2,) = traces["Green (G)"]["customdata"]
    assert x2[1:] == [
        "Contract award",
        "Green",
        "15 December 2025",
        "[x]",
        "18 December 2025",
        "3 days after baseline",
    ]
    assert traces["Green (G)"]["marker"]["symbol"] == ["star"]  # achieved: its actual date


@pytest.mark.parametrize(
    ("rating", "ids"),
    [
        ("red", ["X4", "X1"]),
        ("amber_red", ["X5"]),
        ("amber", ["X6"]),
        ("amber_green", ["X3"]),
        ("green", ["X2"]),
        ("unknown", ["X7"]),
    ],
)
def test_each_rating_count_opens_its_milestones(
    register: AppTest, rating: str, ids: list[str]
) -> None:
    pills = register.button_group(key="programme.rating")
    assert pills.options == [
        "Green (1)",
        "Amber/green (1)",
        "Amber (1)",
        "Amber/red (1)",
        "Red (2)",
        "Not rated (1)",
    ]
    pills.set_value(rating).run()
    assert not register.exception
    assert [r["Milestone"] for r in milestone_table(register)] == ids
    word = cp.DCA_LABELS[rating].lower()
    assert f"**Milestones rated {word} ({len(ids)})**" in [m.value for m in register.main.markdown]
    chart = figures(register)[
        f"Milestones rated {word}: baseline, forecast and actual dates, by cluster (date)"
    ]
    assert len(chart["layout"]["yaxis"]["categoryarray"]) == len(ids)
    assert register.session_state["programme.rating"] == rating  # what the audit trail records


def test_a_hostile_title_is_named_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A red milestone, the furthest slipped, titled with a Markdown link: named escaped."""
    settings = tiny_warehouse.build(tmp_path)
    b = tiny_warehouse.B
    milestones = tiny_warehouse._milestones(b)
    link = "[click](https://evil.example) **now**"
    milestones = milestones.set_column(
        milestones.schema.get_field_index("title"), "title", pa.array(["ok", link, "ok"])
    )
    milestones = milestones.set_column(
        milestones.schema.get_field_index("dca_rating"), "dca_rating", pa.array(["red"] * 3)
    )
    folder = settings.landing / "PROGRAMME" / b.isoformat()
    write_delivery(
        settings.landing,
        "PROGRAMME",
        b,
        {
            "milestones.parquet": milestones,
            "benefits.parquet": pq.read_table(folder / "benefits.parquet"),
        },
        generated_at=datetime(2026, 2, 28, 23, 45),
    )
    assert ingest_main(settings) == 0
    at = confidence(open_page(settings, monkeypatch).run())
    assert not at.exception
    escaped = safe_markdown(link)
    assert escaped.startswith(r"\[click\]\(https\:")
    (named,) = [m.value for m in at.main.markdown if m.value.startswith("**Rated red:**")]
    assert f"UNITY · M2 {escaped}" in named and "](" not in named
    # M2: baseline 10 Feb, forecast 31 Mar: 49 days, more than M1's 17
    # Under the Slipped tile, the name is text in escaped HTML: read as written, no link.
    slipped = on_milestones(at)
    assert f"Largest: UNITY · M2 {link}, 49 days after its baseline." in captions(slipped)
    assert not any("<a" in element.value for element in slipped.html)
    get_settings.cache_clear()


def test_a_chosen_rating_the_filters_no_longer_hold_shows_them_all(register: AppTest) -> None:
    register.button_group(key="programme.rating").set_value("red").run()
    register.multiselect(key="filter.clusters").select("UNITY").run()  # no red in UNITY
    assert not register.exception
    assert register.button_group(key="programme.rating").options == ["Green (1)", "Amber (1)"]
    assert [r["Milestone"] for r in milestone_table(register)] == ["X6", "X2"]
    assert "**Milestones (2)**" in [m.value for m in register.main.markdown]


# --- lazy tabs (issue 14) --------------------------------------------------------------------


def test_the_page_starts_with_its_first_tab_alone(app: AppTest) -> None:
    """Only the open tab's charts are built and sent: the page starts with the milestones
    (timeline, ratings), not the slippage, benefits and NPV charts below them."""
    app.run()
    assert not app.exception
    assert [t.label for t in app.tabs] == [
        "Milestones",
        "Delivery confidence",
        "Slippage",
        "Benefits and cost",
        "The register",
    ]
    assert figures(app) == {}  # the lists of overdue and slipped milestones: no chart
    assert "Overdue" in tiles(app)
    assert "programme.cluster" not in [s.key for s in app.selectbox]
    confidence(app)
    assert set(figures(app)) == {
        "Milestones: baseline, forecast and actual dates, by cluster (date)",
        "Milestones by delivery confidence rating (count)",
    }
    pages.on_tab(app, "programme.tab", "Benefits and cost")
    assert len(figures(app)) == 4  # three planned-and-realised charts and the NPV
    assert "Milestones by delivery confidence rating (count)" not in figures(app)
    assert app.query_params["programme.tab"] == "Benefits and cost"  # in the link


def test_a_link_opens_its_tab(app: AppTest) -> None:
    app.query_params["programme.tab"] = "Slippage"
    app.run()
    assert not app.exception
    assert list(figures(app)) == ["Slip of each SYNERGY milestone against its baseline (days)"]
    pages.on_tab(app, "programme.tab", "Milestones")
    assert "programme.tab" not in app.query_params  # the first tab is the default: no parameter


def test_a_link_to_no_such_tab_opens_the_first(app: AppTest) -> None:
    app.query_params["programme.tab"] = "<script>"
    app.run()
    assert not app.exception
    assert app.session_state["programme.tab"] == "Milestones"
    assert "programme.tab" not in app.query_params
