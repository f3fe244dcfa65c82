"""Chart builders and table shaping for the workforce and flows pages: frames in, Plotly
figures (or frames) out.  No Streamlit, so each is unit-tested.

Figures follow :mod:`dashboard.charts`: a title naming the units, axis titles, hover text
formatted as people write numbers, and the colour-blind-safe palette.  Every category value
and name is drawn through :func:`dashboard.safe_text.safe_label` (escaped, on one line, cut
short): Plotly reads HTML in them, and a department's or organisation's name can be long.

Diversity shares go through disclosure control (:func:`diversity_table`): the counts are
protected with :func:`queries.disclosure.protect` and each share is recomputed from the
protected counts, only where neither of its counts is suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import PALETTE, Measure, _layout
from dashboard.filters import GRADE_OPTIONS, UNKNOWN
from dashboard.formatting import format_count, format_gbp, format_percent, money_axis
from dashboard.glossary import NOT_RECORDED
from dashboard.headlines import cluster_rank
from dashboard.safe_text import safe_label, safe_labels
from pipeline.contract import REGIONS
from queries.disclosure import SUPPRESSED, DisclosureRule, protect

TURNOVER = Measure("turnover_rate", "Turnover", "% of average headcount", ".1%")
# HR annualised basic paybill (salary × FTE), not the ledger's pay spend.
PAYBILL = Measure("paybill_gbp", "Paybill", "£ a year", ",.0f")
TOP_MOVERS = 10  # bars in the largest movers' chart
SHARE_FORMAT = ".1%"

# Each ITL1 region's tile: (column, row), row 0 at the top; Overseas stands apart.
TILES: dict[str, tuple[int, int]] = {
    "TLM": (1, 0),
    "OVERSEAS": (4, 0),
    "TLN": (0, 1),
    "TLC": (2, 1),
    "TLD": (1, 2),
    "TLE": (2, 2),
    "TLL": (0, 3),
    "TLG": (1, 3),
    "TLF": (2, 3),
    "TLH": (3, 3),
    "TLK": (0, 4),
    "TLJ": (1, 4),
    "TLI": (2, 4),
}

DIVERSITY_RULE = DisclosureRule(
    population="headcount",
    counts=("headcount", "women", "sex_recorded", "ethnic_minority", "ethnicity_known"),
)
DIVERSITY_SHARES = {  # share column: (numerator, denominator)
    "women_share": ("women", "sex_recorded"),
    "ethnic_minority_share": ("ethnic_minority", "ethnicity_known"),
}

MOVES_RULE = DisclosureRule(population=None, counts=("moves",))
MOVES_DIMS = ("from_cluster", "to_cluster")
MOVES_TITLE = "Moves between clusters, origin by destination (people)"

FLOW_STEPS = (  # column, label, sign
    ("headcount_start", "Start", 1),
    ("joiners", "Joiners", 1),
    ("leavers", "Leavers", -1),
    ("transfers_in", "Transfers in", 1),
    ("transfers_out", "Transfers out", -1),
    ("headcount_end", "End", 1),
)


def _empty_note(figure: go.Figure, empty: bool) -> go.Figure:
    if empty:
        figure.add_annotation(
            text="No data for these filters",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return figure


def grade_rank(grade: str) -> int:
    """AA first, PS last, then ``unknown`` (and anything else)."""
    return GRADE_OPTIONS.index(grade) if grade in GRADE_OPTIONS else len(GRADE_OPTIONS)


def bar_chart(
    frame: pl.DataFrame,
    category: str,
    measure: Measure,
    title: str,
    *,
    labels: Mapping[str, str] | None = None,
    horizontal: bool = False,
    category_title: str = "",
) -> go.Figure:
    """One bar per row of ``frame``, in its order: ``category`` (named by ``labels`` where
    given) against ``measure``.  Horizontal bars read top to bottom in the frame's order."""
    names = safe_labels((labels or {}).get(str(v), str(v)) for v in frame[category].to_list())
    values = frame[measure.column].to_list()
    unit_title = measure.title
    along, across = ("x", "y") if horizontal else ("y", "x")  # the value axis, the category's
    value = f"%{{{along}:{measure.number_format}}}"
    if measure.money:  # in £m or £bn, named in the axis title; never Plotly's SI suffixes
        axis = money_axis(values)
        values, value = axis.scale(values), axis.hover(along)
        unit_title, title = axis.titled(unit_title), axis.titled(title, add=False)
    hover = f"%{{{across}}}: {value}<extra></extra>"
    if horizontal:
        bar = go.Bar(x=values, y=names, orientation="h", marker_color=PALETTE[0])
    else:
        bar = go.Bar(x=names, y=values, marker_color=PALETTE[0])
    bar.update(hovertemplate=hover, name=measure.label)
    figure = go.Figure(bar)
    if horizontal:
        _layout(figure, title, unit_title, category_title)
        figure.update_yaxes(categoryorder="array", categoryarray=names[::-1], autorange=True)
        figure.update_xaxes(tickformat=_tick(measure), rangemode="tozero")
    else:
        _layout(figure, title, category_title, unit_title)
        figure.update_xaxes(categoryorder="array", categoryarray=names)
        figure.update_yaxes(tickformat=_tick(measure), rangemode="tozero")
    figure.update_layout(showlegend=False)
    return _empty_note(figure, frame.is_empty())


def _tick(measure: Measure) -> str:
    return ".0%" if measure.number_format.endswith("%") else ","


def grade_pyramid(frame: pl.DataFrame, measure: Measure, title: str) -> go.Figure:
    """Horizontal bars of ``measure`` by ``grade``: AA at the bottom up to PS, then unknown."""
    ordered = frame.sort(pl.col("grade").map_elements(grade_rank, return_dtype=pl.Int64))
    labels = {UNKNOWN: NOT_RECORDED}
    # bar_chart draws the frame's first row at the top, so the most senior goes first.
    return bar_chart(
        ordered.reverse(),
        "grade",
        measure,
        title,
        labels=labels,
        horizontal=True,
        category_title="Grade",
    )


def region_tiles(frame: pl.DataFrame, measure: Measure, title: str) -> go.Figure:
    """A tile per ITL1 region (and Overseas) on a fixed grid, shaded by ``measure`` of the
    ``region`` rows in ``frame`` (a region with no row reads 0)."""
    values = {row["region"]: row[measure.column] for row in frame.iter_rows(named=True)}
    codes = list(TILES)
    amounts = [values.get(code) or 0 for code in codes]
    fmt = measure.number_format
    texts = [
        f"{REGIONS[code].replace(' and ', ' and<br>')}<br><b>{_format(amount, fmt)}</b>"
        for code, amount in zip(codes, amounts, strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=[TILES[c][0] for c in codes],
            y=[-TILES[c][1] for c in codes],
            mode="markers+text",
            text=texts,
            textfont={"size": 10},
            customdata=[[REGIONS[c], c] for c in codes],
            marker={
                "symbol": "square",
                "size": 92,
                "color": amounts,
                "colorscale": [[0, "#dbe7f3"], [1, PALETTE[0]]],
                "cmin": 0,
                "showscale": False,
                "line": {"color": "white", "width": 2},
            },
            hovertemplate=(
                f"%{{customdata[0]}} (%{{customdata[1]}}): %{{marker.color:{fmt}}} "
                f"{measure.unit}<extra></extra>"
            ),
        )
    )
    _layout(figure, title, "", "")
    figure.update_traces(textfont_color=[_ink(a, max(amounts)) for a in amounts])
    figure.update_xaxes(visible=False, range=[-0.6, 4.6])
    figure.update_yaxes(visible=False, range=[-4.6, 0.6], scaleanchor="x")
    figure.update_layout(height=620, showlegend=False)
    return figure


def _ink(amount: float, most: float) -> str:
    """White text on the darker tiles, dark on the lighter."""
    return "white" if most and amount / most > 0.5 else "#0b0c0c"


def _format(value: float, number_format: str) -> str:
    return format_count(value, 1 if ".1f" in number_format else 0)


def flow_steps(row: Mapping[str, int]) -> list[tuple[str, int]]:
    """The waterfall's steps from a ``flows`` row: start, +joiners, −leavers, +transfers in,
    −transfers out, end (the end as counted, which the identity makes the running total)."""
    return [(label, sign * int(row.get(column) or 0)) for column, label, sign in FLOW_STEPS]


def flows_waterfall(row: Mapping[str, int], title: str) -> go.Figure:
    """Start headcount, the four flows and the end headcount as a waterfall."""
    steps = flow_steps(row)
    measures = ["absolute", *["relative"] * (len(steps) - 2), "total"]
    figure = go.Figure(
        go.Waterfall(
            x=[label for label, _ in steps],
            y=[value for _, value in steps],
            measure=measures,
            text=[
                f"{value:+,}" if 0 < i < len(steps) - 1 else f"{value:,}"
                for i, (_, value) in enumerate(steps)
            ],
            textposition="outside",
            connector={"line": {"color": "#b1b4b6"}},
            increasing={"marker": {"color": PALETTE[1]}},
            decreasing={"marker": {"color": PALETTE[2]}},
            totals={"marker": {"color": PALETTE[0]}},
            hovertemplate="%{x}: %{y:,} people<extra></extra>",
        )
    )
    _layout(figure, title, "", "Headcount (people)")
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    figure.update_layout(showlegend=False)
    return figure


def shares_chart(table: pl.DataFrame, title: str) -> go.Figure:
    """Women's and ethnic minorities' shares by grade, grouped horizontal bars, from
    :func:`diversity_table`'s numeric shares (a suppressed share has no bar)."""
    ordered = table.sort(pl.col("grade").map_elements(grade_rank, return_dtype=pl.Int64))
    names = safe_labels(NOT_RECORDED if g == UNKNOWN else g for g in ordered["grade"].to_list())
    figure = go.Figure()
    for i, (column, label) in enumerate(
        (("women_share", "Women"), ("ethnic_minority_share", "Ethnic minority"))
    ):
        figure.add_trace(
            go.Bar(
                x=ordered[column].to_list(),
                y=names,
                orientation="h",
                name=label,
                marker_color=PALETTE[i],
                hovertemplate=f"%{{y}}: %{{x:{SHARE_FORMAT}}}<extra>{label}</extra>",
            )
        )
    _layout(figure, title, "Share of those recorded (%)", "Grade")
    figure.update_layout(barmode="group")
    figure.update_yaxes(categoryorder="array", categoryarray=names)
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    return _empty_note(figure, table.is_empty())


def diversity_table(frame: pl.DataFrame, dims: Sequence[str]) -> pl.DataFrame:
    """A ``representation`` frame under disclosure control: the counts protected (rounded to
    5, small cells ``[c]``) and each share recomputed from the protected counts, null where
    either count is suppressed.  Adds ``*_text`` columns: the counts and shares as read."""
    counts = frame.drop([c for c in DIVERSITY_SHARES if c in frame.columns])
    protected = protect(counts, list(dims), DIVERSITY_RULE)
    values, hidden = protected.values, protected.suppressed
    shares = []
    texts = []
    for share, (top, bottom) in DIVERSITY_SHARES.items():
        shown = ~(pl.lit(hidden[top]) | pl.lit(hidden[bottom]))
        ratio = pl.col(top) / pl.when(pl.col(bottom) > 0).then(pl.col(bottom))
        shares.append(pl.when(shown).then(ratio).otherwise(None).alias(share))
    out = values.with_columns(shares)
    for column in DIVERSITY_RULE.count_columns:
        texts.append(
            pl.Series(
                f"{column}_text",
                [
                    SUPPRESSED if h else format_count(v)
                    for v, h in zip(out[column], hidden[column], strict=True)
                ],
            )
        )
    for share, (top, bottom) in DIVERSITY_SHARES.items():
        texts.append(
            pl.Series(
                f"{share}_text",
                [
                    SUPPRESSED if (ht or hb) else format_percent(v)
                    for v, ht, hb in zip(out[share], hidden[top], hidden[bottom], strict=True)
                ],
            )
        )
    return out.with_columns(texts)


def suppressed_cells(table: pl.DataFrame) -> int:
    """The cells shown as ``[c]`` in a protected table's ``*_text`` columns (for the audit)."""
    return sum(
        int((table[c] == SUPPRESSED).sum())
        for c in table.columns
        if c.endswith("_text") and table.schema[c] == pl.String
    )


def movers_chart(
    movers: pl.DataFrame,
    category: str,
    measure: Measure,
    title: str,
    *,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """The largest movers between two dates as horizontal bars, largest first at the top:
    ``movers`` has ``category`` and ``<measure>_change`` (``dashboard.compare.largest_movers``).
    Increases and decreases are told apart three ways, not by colour alone: their own colour,
    their own legend entry ("Increase", "Decrease") and a signed label on each bar."""
    change = f"{measure.column}_change"
    names = safe_labels((labels or {}).get(str(v), str(v)) for v in movers[category].to_list())
    values = movers[change].to_list()
    axis_title = f"Change in {measure.label.lower()} ({measure.unit})"
    axis = money_axis(values) if measure.money else None
    if axis is not None:  # bars in £m or £bn; each bar's label keeps its own £ (signed)
        axis_title, title = axis.titled(axis_title), axis.titled(title, add=False)
    figure = go.Figure()
    for name, colour, keep in (
        ("Increase", PALETTE[1], lambda v: v > 0),
        ("Decrease", PALETTE[2], lambda v: v < 0),
    ):
        shown = [(n, v) for n, v in zip(names, values, strict=True) if keep(v)]
        drawn = [v for _, v in shown]
        figure.add_trace(
            go.Bar(
                x=axis.scale(drawn) if axis else drawn,
                y=[n for n, _ in shown],
                orientation="h",
                name=name,
                marker_color=colour,
                text=[signed(v, measure) for _, v in shown],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}: %{{text}} {measure.unit}<extra>{name}</extra>",
            )
        )
    _layout(figure, title, axis_title, "")
    figure.update_yaxes(categoryorder="array", categoryarray=names[::-1], autorange=True)
    figure.update_xaxes(tickformat=_tick(measure), zeroline=True, zerolinecolor="#0b0c0c")
    figure.update_layout(barmode="overlay", height=max(320, 60 + 36 * len(names)))
    return _empty_note(figure, movers.is_empty())


def signed(value: float, measure: Measure) -> str:
    """A change as it reads beside its bar: ``+12``, ``−3`` (a minus sign), ``+1.5``,
    ``+£65k``."""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    if measure.column.endswith("_gbp"):
        return sign + format_gbp(abs(value))
    return sign + _format(abs(value), measure.number_format)


def moves_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``cluster_moves`` frame under disclosure control: ``moves`` rounded to 5 (null where
    suppressed) and ``moves_text``, the count as read (``[c]`` where suppressed)."""
    protected = protect(frame.select(*MOVES_DIMS, "moves"), list(MOVES_DIMS), MOVES_RULE)
    hidden = protected.suppressed["moves"]
    text = [
        SUPPRESSED if h else format_count(v)
        for v, h in zip(protected.values["moves"], hidden, strict=True)
    ]
    return protected.values.with_columns(pl.Series("moves_text", text, dtype=pl.String))


def moves_matrix(frame: pl.DataFrame, title: str = MOVES_TITLE) -> go.Figure:
    """Moves between clusters as a heatmap: origin clusters down, destinations across, each
    cell's count written in it.  ``frame`` is :func:`moves_table`'s (protected) output; a
    suppressed cell is left uncoloured and reads ``[c]``; a pair with no moves is blank."""
    origins = sorted(frame["from_cluster"].unique().to_list(), key=cluster_rank)
    targets = sorted(frame["to_cluster"].unique().to_list(), key=cluster_rank)
    cells = {  # a suppressed cell is coloured as 0 so that its "[c]" is drawn
        (r["from_cluster"], r["to_cluster"]): (r["moves"] or 0, r["moves_text"])
        for r in frame.iter_rows(named=True)
    }
    z = [[cells.get((o, d), (None, ""))[0] for d in targets] for o in origins]
    text = [[safe_label(cells.get((o, d), (None, ""))[1]) for d in targets] for o in origins]
    figure = go.Figure(
        go.Heatmap(
            x=safe_labels(targets),
            y=safe_labels(origins),
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#ffffff"], [1, PALETTE[0]]],
            zmin=0,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="From %{y} to %{x}: %{text} people<extra></extra>",
        )
    )
    _layout(figure, title, "To cluster", "From cluster")
    figure.update_yaxes(autorange="reversed", showgrid=False, zeroline=False)
    return _empty_note(figure, frame.is_empty())
