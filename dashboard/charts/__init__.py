"""Chart builders by kind: frames in, Plotly figures out.  No Streamlit, so each is unit-tested.

One house style (:mod:`.template`: layout, palette, the "no data" note) and one module per
kind of chart, each builder a pure function returning a ``go.Figure``:

- :mod:`.line`: a measure over time (the workforce trend, milestones' slip);
- :mod:`.bar`: bars per category (the one :func:`~.bar.bar_chart`, ratings, planned against
  realised) and the hatching of a partial period;
- :mod:`.stacked`: the ledger's spend stacked by group of categories;
- :mod:`.diverging`: the largest movers, increases against decreases;
- :mod:`.pyramid`: by grade (the grade pyramid, the diversity shares);
- :mod:`.tilemap`: the ITL1 region tiles;
- :mod:`.waterfall`: the headcount flows;
- :mod:`.heatmap`: moves between clusters;
- :mod:`.timeline`: the milestone timeline;
- :mod:`.measures` and :mod:`.milestones`: how a measure and a milestone read on any of them;
- :mod:`.cache`: a figure built once per input (the one module here that uses Streamlit, so
  it is not imported by this package: a page imports it by name).

Pages import by kind (``from dashboard.charts import bar``); the table shaping beside the
charts is :mod:`dashboard.tables`.
"""

# The names the tests and any caller that wants them all may take from the package itself.
from dashboard.charts.bar import bar_chart, dca_chart, mark_partial, planned_actual_chart
from dashboard.charts.diverging import TOP_MOVERS, movers_chart, signed
from dashboard.charts.heatmap import MOVES_TITLE, moves_matrix
from dashboard.charts.line import month_ticks, slippage_chart, trend_chart
from dashboard.charts.measures import FTE, HEADCOUNT, PAYBILL, TURNOVER, Measure
from dashboard.charts.milestones import (
    DCA_COLOURS,
    DCA_LABELS,
    DCA_MARKS,
    STAGE_LABELS,
    milestone_label,
    milestone_name,
)
from dashboard.charts.pyramid import grade_pyramid, grade_rank, shares_chart
from dashboard.charts.stacked import spend_chart
from dashboard.charts.template import (
    CLUSTER_COLOURS,
    COLOURS,
    GREY,
    NO_DATA,
    PALETTE,
    TEXT,
    TITLE_LINE_PX,
    TITLE_WRAP,
    layout,
    no_data,
    wrap_title,
)
from dashboard.charts.tilemap import TILES, region_tiles
from dashboard.charts.timeline import milestone_timeline
from dashboard.charts.waterfall import FLOW_STEPS, flow_steps, flows_waterfall

__all__ = [
    "CLUSTER_COLOURS",
    "COLOURS",
    "DCA_COLOURS",
    "DCA_LABELS",
    "DCA_MARKS",
    "FLOW_STEPS",
    "FTE",
    "GREY",
    "HEADCOUNT",
    "MOVES_TITLE",
    "NO_DATA",
    "PALETTE",
    "PAYBILL",
    "STAGE_LABELS",
    "TEXT",
    "TILES",
    "TITLE_LINE_PX",
    "TITLE_WRAP",
    "TOP_MOVERS",
    "TURNOVER",
    "Measure",
    "bar_chart",
    "dca_chart",
    "flow_steps",
    "flows_waterfall",
    "grade_pyramid",
    "grade_rank",
    "layout",
    "mark_partial",
    "milestone_label",
    "milestone_name",
    "milestone_timeline",
    "month_ticks",
    "movers_chart",
    "moves_matrix",
    "no_data",
    "planned_actual_chart",
    "region_tiles",
    "shares_chart",
    "signed",
    "slippage_chart",
    "spend_chart",
    "trend_chart",
    "wrap_title",
]
