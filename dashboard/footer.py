"""The footer under every page, and how a page prints: one A4 landscape page of a board pack.

A page printed from the browser loses its sidebar, so the footer says on the page itself what
the sidebar said and the paper must keep: the date the figures are as at, how fresh each
cluster's data is, whose scope they cover (role, clusters and any filter), and what disclosure
control applied.  It is drawn on screen too, small and muted but readable (#505a5f on white is
7:1, WCAG 1.4.3 asks 4.5:1), with the link to the Accessibility statement.

``dashboard.navigation.serve`` calls :func:`draw` once a page has run.  What the page showed
comes from the page itself: :func:`dashboard.components.freshness`, drawn by every page that
opens with data (``open_page``), hands its as-at date and each cluster's status to
:func:`record`, so the footer runs no query of its own and can never say more than the page
did (the statuses are of the caller's clusters only).  A page that shows no warehouse data
(the Audit log, the statement) gets the scope and the link; a refused page stops before the
footer (``st.stop``), so it shows no footer here: its sidebar keeps the statement's link.

The print style (:data:`PRINT_CSS`) sets the sheet (A4 landscape), hides the sidebar, the
header, the toolbars, the download buttons and the closed expanders, lets the page run over as
many sheets as it needs (Streamlit's app view scrolls inside the window), keeps the main column
to the sheet's width, and keeps a chart, a column of tiles, a table and the footer whole on one
sheet where they fit.  Plotly draws a chart, and a table grid its canvas, to a width in pixels
fixed on screen, and the browser does not let them redraw for the sheet; so a small fixed
script (:data:`FIT_SCRIPT`) zooms them to the sheet's width just before printing (and a chart
a little taller than a sheet to its height), and back after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.access import CLUSTERS, Grant
from dashboard import extracts
from dashboard.filters import Filters
from dashboard.formatting import format_date, format_short_date
from dashboard.identity import Caller, plain
from queries.catalogue import disclosure_rule

KEY = "wp-footer"  # the footer's container: ``.st-key-wp-footer`` in the page
STATEMENT_PATH = "accessibility"  # relative, so it holds under a server's base path too
STATEMENT_PAGE = "dashboard/pages/accessibility.py"
STATEMENT_TITLE = "Accessibility statement"
_SHOWN = "footer.shown"  # what this run's page showed (:func:`record`)
_FILTERS = "filters"  # dashboard.filters keeps the view's cleaned Filters under this key
MUTED = "#505a5f"  # GOV.UK's secondary text colour: 7.0:1 on white
RULE = "#b1b4b6"  # GOV.UK's border colour
LINK = "#1d70b8"  # GOV.UK's link colour: 5.2:1 on white
SHEET = "A4 landscape"
MARGIN_MM = 10  # at the top and sides
FOOT_MM = 12  # at the foot
PRINTABLE_MM = 297 - 2 * MARGIN_MM  # the width a page prints on: 277mm, 1,047 CSS px
PRINTABLE_HEIGHT_MM = 210 - MARGIN_MM - FOOT_MM  # and its height: 188mm, 711 CSS px

# What disclosure control covers (access.md), by whether the role is under it (every role but
# admin); the rule itself is said in the extracts' words (:func:`disclosure_note`).
_COVERED = "breakdowns by sex, ethnicity, disability or age band and to moves between clusters"
DISCLOSURE_LEAD = {
    True: f"Disclosure control applies to {_COVERED}, and to every extract of figures.",
    False: f"Disclosure control applies to {_COVERED}; an administrator may take extracts "
    "without it.",
}


@dataclass(frozen=True)
class Shown:
    """What the page drew its figures from: the as-at date and each cluster's extract (status
    ``current``, ``stale`` or ``absent``, and its date), recorded by the run of ``page`` (the
    run's page script hash, so a record left by a page that stopped is not taken for
    another's)."""

    as_at: date
    feeds: tuple[tuple[str, str, date | None], ...]
    page: str


def _page_hash() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def record(as_at: date, feeds: Iterable[dict]) -> None:
    """Keep what this run's page shows for the footer: its as-at date and the freshness rows
    (``cluster``, ``status``, ``extract_date``) it drew (``dashboard.components.freshness``)."""
    rows = tuple((row["cluster"], row["status"], row["extract_date"]) for row in feeds)
    st.session_state[_SHOWN] = Shown(as_at, rows, _page_hash())


def _taken() -> Shown | None:
    """This run's record, removed so that the next run starts without one."""
    shown = st.session_state.pop(_SHOWN, None)
    return shown if isinstance(shown, Shown) and shown.page == _page_hash() else None


# --- the footer's lines (pure) ----------------------------------------------------------------


def freshness_text(shown: Shown) -> str:
    """``MATRIX 31 Jan 2026 (stale), SYNERGY 28 Feb 2026, UNITY none by 28 Feb 2026``: each
    cluster's extract behind the figures, in words as well as the sidebar's badges say it."""
    parts = []
    for cluster, status, extract_date in shown.feeds:
        if status == "absent" or extract_date is None:
            parts.append(f"{plain(cluster, 40)} none by {format_short_date(shown.as_at)}")
        else:
            stale = " (stale)" if status == "stale" else ""
            parts.append(f"{plain(cluster, 40)} {format_short_date(extract_date)}{stale}")
    return ", ".join(parts) or "no cluster in scope"


def scope_text(grant: Grant) -> str:
    """``analyst, OVERSEAS (record-level rows)``; ``leader, all clusters``."""
    role = grant.role.replace("_", " ")
    every = set(grant.clusters) == set(CLUSTERS)
    clusters = "all clusters" if every else ", ".join(plain(c, 40) for c in grant.clusters)
    rows = " (record-level rows)" if grant.record_level_clusters and grant.role != "admin" else ""
    return f"{role}, {clusters}{rows}"


def filters_text(filters: Filters | None) -> str:
    """The sidebar's filters in force, which the printed page no longer shows: ``clusters
    UNITY; grades EO, G7``, or "" when none narrows the view.  Values are codes the sidebar
    has already limited to the caller's scope; escaped all the same (they came from a URL)."""
    if filters is None:
        return ""
    lists = {
        "clusters": filters.clusters,
        "departments": filters.departments,
        "organisations": filters.organisations,
        "grades": filters.grades,
    }
    return "; ".join(
        f"{name} {', '.join(plain(v, 40) for v in values[:10])}"
        + (f" and {len(values) - 10} more" if len(values) > 10 else "")
        for name, values in lists.items()
        if values
    )


def disclosure_note(grant: Grant) -> str:
    """What disclosure control covers for this role, then the rule itself in the words the
    extracts' about sheet uses (:func:`dashboard.extracts.rule_text`, one place)."""
    lead = DISCLOSURE_LEAD[grant.disclosure_control]
    return f"{lead} {plain(extracts.rule_text(disclosure_rule('workforce'), 'workforce'), 800)}"


def lines(who: Caller, shown: Shown | None, filters: Filters | None, now: datetime) -> list[str]:
    """The footer's lines of Markdown (the statement's link is drawn after them).  Without a
    grant, none: a refused caller sees no data and no scope.  Without a record of this run's
    figures (a page that shows no warehouse data), the scope and the time only."""
    grant = who.grant
    if grant is None:
        return []
    drawn = f"Drawn {now.day} {now:%b %Y, %H:%M} UTC"
    scope = f"Scope: {scope_text(grant)}"
    if shown is None:
        return [f"{scope} · {drawn}"]
    narrowed = filters_text(filters)
    if narrowed:
        scope += f" · Filtered to {narrowed}"
    return [
        f"**As at {format_date(shown.as_at)}** · Data freshness: {freshness_text(shown)}",
        f"{scope} · {drawn}",
        disclosure_note(grant),
    ]


# --- drawing ----------------------------------------------------------------------------------

PRINT_CSS = f"""
.st-key-{KEY} {{
  margin-top: 2rem; padding-top: 0.5rem; border-top: 1px solid {RULE}; gap: 0.25rem;
}}
.st-key-{KEY} p, .st-key-{KEY} span {{ color: {MUTED}; font-size: 0.875rem; }}
.st-key-{KEY} strong {{ color: {MUTED}; }}
.st-key-{KEY} a, .st-key-{KEY} a span {{ color: {LINK}; text-decoration: underline; }}
@page {{ size: {SHEET}; margin: {MARGIN_MM}mm {MARGIN_MM}mm {FOOT_MM}mm; }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stElementToolbar"], .modebar-container,
  [data-testid="stDownloadButton"], [data-testid="stExpander"]:has(details:not([open])) {{
    display: none !important;
  }}
  html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"],
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {{
    height: auto !important; min-height: 0 !important; overflow: visible !important;
    position: static !important;
  }}
  [data-testid="stMain"] {{ margin: 0 !important; width: 100% !important; }}
  [data-testid="stMainBlockContainer"] {{
    width: 100% !important; max-width: {PRINTABLE_MM}mm !important; padding: 0 !important;
    margin: 0 !important;
  }}
  [data-testid="stPlotlyChart"], [data-testid="stColumn"], [data-testid="stDataFrame"],
  [data-testid="stTable"] tr, [data-testid="stMarkdownContainer"] tr, [data-testid="stAlert"],
  [data-testid="stExpander"] summary, .st-key-{KEY} {{ break-inside: avoid; }}
  h1, h2, h3, h4 {{ break-after: avoid; }}
  * {{ print-color-adjust: exact; -webkit-print-color-adjust: exact; }}
}}
"""


# Plotly draws a chart, and the table grid its canvas, to a width in pixels fixed on screen, and
# a browser lays the page out again for the sheet without giving them a chance to redraw.  So
# just before printing, each is zoomed by the ratio of the sheet's width to the main column's
# width on screen, so that it takes the same share of the sheet as of the window: down when the
# window is wider than the sheet, and for charts (vectors) up too when it is narrower; and
# down to most of a sheet's height when that costs at most a quarter of its size (a taller
# chart, such as a long timeline, runs on over two sheets rather than print unreadably small);
# back after printing.  Under print media the column already has
# the sheet's width (the charts redraw to it), so the ratio is 1 and nothing is zoomed.  A fixed
# script, nothing in it from a user or a delivery; registered once per browser tab.
FIT_SCRIPT = f"""
<script>
(() => {{
  if (window.wpPrintFit) return;
  window.wpPrintFit = true;
  const mm = 96 / 25.4;
  const sheetWidth = {PRINTABLE_MM} * mm;
  const tallest = 0.9 * {PRINTABLE_HEIGHT_MM} * mm;
  const charts = '[data-testid="stPlotlyChart"]';
  const grids = '[data-testid="stDataFrame"]';
  window.addEventListener("beforeprint", () => {{
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return;
    const css = getComputedStyle(main);
    const width = main.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
    const ratio = sheetWidth / width;
    for (const element of document.querySelectorAll(`${{charts}}, ${{grids}}`)) {{
      const grown = element.matches(charts) ? ratio : Math.min(ratio, 1);
      const fit = tallest / element.getBoundingClientRect().height;
      const zoom = Math.min(grown, fit >= 0.75 ? fit : grown);
      if (!(Math.abs(zoom - 1) > 0.02)) continue;
      element.style.zoom = zoom;
      element.dataset.wpZoomed = "1";
    }}
  }});
  window.addEventListener("afterprint", () => {{
    for (const element of document.querySelectorAll("[data-wp-zoomed]")) {{
      element.style.zoom = "";
      delete element.dataset.wpZoomed;
    }}
  }});
}})();
</script>
"""


def style() -> str:
    """The footer's and the print style sheet, as :func:`draw` injects it (pure: tested)."""
    return f"<style>{PRINT_CSS}</style>"


def _statement_link() -> None:
    """The statement, by in-app navigation when the app has registered it (no reload, the
    session and its filters kept), else as a plain link to its path."""
    try:
        st.page_link(STATEMENT_PAGE, label=STATEMENT_TITLE)
    except StreamlitAPIException:  # not registered: a page run alone, under a test
        st.markdown(f"[{STATEMENT_TITLE}]({STATEMENT_PATH})")


def draw(who: Caller) -> None:
    """The print style, then the footer under the page: as at, data freshness, scope and
    filters, disclosure note, and the link to the Accessibility statement."""
    st.html(style())
    filters = st.session_state.get(_FILTERS)
    said = lines(
        who,
        _taken(),
        filters if isinstance(filters, Filters) else None,
        datetime.now(UTC),
    )
    with st.container(key=KEY):
        for line in said:
            st.markdown(line)
        _statement_link()
        st.html(FIT_SCRIPT, unsafe_allow_javascript=True)


def text_of(markdown_lines: Sequence[str]) -> str:
    """The footer's lines as read (Markdown escapes and emphasis gone): for tests and docs."""
    return " ".join(markdown_lines).replace("**", "").replace("\\", "")
