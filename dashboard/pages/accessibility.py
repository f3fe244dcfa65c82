"""Accessibility statement, on the GOV.UK model: who the service is for, how accessible it is,
what is not, how to report a problem, the enforcement procedure and how it was tested.

Public sector bodies must publish one (the Public Sector Bodies (Websites and Mobile
Applications) (No. 2) Accessibility Regulations 2018).  The page is open to everyone, with or
without a grant, and shows no data: it opens no gate and writes no audit entry
(``dashboard.navigation`` registers it for every caller).  It starts a run of its own in the
trail, so that a page opened after it is a new view, recorded again.

The known issues are kept here, each with the WCAG criterion it fails and, where the fault is
in Streamlit's or Plotly's markup, the upstream issue.  The test date and tools are constants:
``tests/test_app_accessibility.py`` checks the axe-core version against the one installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import trail
from dashboard.components import glossary_drawer
from dashboard.formatting import format_date

# Placeholder, defined once: replace with the service's monitored mailbox before going live.
CONTACT = "workforce-picture-accessibility@cabinetoffice.gov.uk"
TESTED = date(2026, 11, 30)
AXE = "4.12"  # axe-core, as axe-playwright-python ships it
BROWSER = "Chromium 156 (Debian 12)"
WIDTHS = (1280, 390)  # CSS pixels: a laptop, and a phone held upright
WCAG = "2.2"


@dataclass(frozen=True)
class KnownIssue:
    """Content that does not yet meet WCAG 2.2 AA, the criterion, and the upstream issue."""

    what: str
    criterion: str
    upstream: str = ""


KNOWN_ISSUES = (
    KnownIssue(
        "Charts are pictures with a title but no text description of their own. Every chart "
        'has its numbers in a table just below it ("Show the data as a table").',
        "1.1.1 Non-text content",
    ),
    KnownIssue(
        "Tables are drawn by Streamlit's data grid on a canvas. A screen reader reads them "
        "through a hidden copy of the grid, which we have not yet tested with screen readers.",
        "1.3.1 Info and relationships",
        "streamlit/streamlit#8399",
    ),
    KnownIssue(
        "Streamlit's own page navigation marks up its links as a list that is not one; its "
        "help icons and date fields are smaller than 24 by 24 pixels; its focus indicator is "
        "faint, and some links and chart buttons stay invisible while they have the focus; "
        "links in small print are faded below the contrast needed. We work around each of "
        "these (our own navigation links, larger targets, a GOV.UK focus style, full-colour "
        "links), and our automated tests check them on every page, but a new version of "
        "Streamlit may change its markup before we test it again.",
        "1.3.1 Info and relationships, 1.4.3 Contrast (minimum), 2.4.7 Focus visible and "
        "2.5.8 Target size (minimum)",
        "streamlit/streamlit#8399",
    ),
)


def _issue_line(issue: KnownIssue) -> str:
    number = issue.upstream.rsplit("#", 1)[-1]
    link = (
        f" Upstream issue: [{issue.upstream}](https://github.com/streamlit/streamlit/issues/"
        f"{number})."
        if issue.upstream
        else ""
    )
    return f"- {issue.what} (WCAG {WCAG} success criterion {issue.criterion}.){link}"


trail.begin("accessibility")  # a run of its own: the next page's view is recorded again
st.title("Accessibility statement for Workforce Picture")
glossary_drawer()  # as on every page: the terms a reader may not know
st.markdown(
    "Workforce Picture shows senior leaders, the Shared Services Strategy office and analysts "
    "the cross-government workforce: headcount, full-time equivalent (FTE), pay and cost, and "
    "the programme's milestones and benefits. This statement covers every page of the "
    "service.\n\n"
    "We want as many people as possible to be able to use it. You should be able to:\n\n"
    "- reach every link, filter and button with a keyboard alone, and see where you are;\n"
    "- zoom in and use the pages on a phone held upright;\n"
    "- read every chart's numbers in a table;\n"
    "- read text that contrasts with its background at least 4.5 to 1."
)

st.header("How accessible this service is")
st.markdown(
    "We know some parts of this service are not fully accessible:\n\n"
    + "\n".join(_issue_line(issue) for issue in KNOWN_ISSUES)
)

st.header("Reporting accessibility problems with this service")
st.markdown(
    "If you find a problem that is not listed on this page, or you need the figures in "
    f"another format, email [{CONTACT}](mailto:{CONTACT}). Tell us the page, what you were "
    "trying to do, and the browser and any assistive technology you use."
)

st.header("Enforcement procedure")
st.markdown(
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public "
    "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 "
    "(the accessibility regulations). If you are not happy with how we respond to your "
    "complaint, contact the [Equality Advisory and Support Service (EASS)]"
    "(https://www.equalityadvisoryservice.com/). In Northern Ireland, contact the [Equality "
    "Commission for Northern Ireland (ECNI)](https://www.equalityni.org/Home)."
)

st.header("Technical information about this service's accessibility")
st.markdown(
    "We are committed to making this service accessible, in line with the accessibility "
    "regulations.\n\n"
    "**Compliance status.** This service is partially compliant with the [Web Content "
    f"Accessibility Guidelines version {WCAG}](https://www.w3.org/TR/WCAG22/) AA standard, "
    'because of the issues listed under "How accessible this service is".'
)

st.header("How we tested this service")
widths = " and ".join(f"{width}" for width in WIDTHS)
st.markdown(
    f"This statement was prepared on {format_date(TESTED)}. The service was last tested on "
    f"{format_date(TESTED)} by its own automated tests: axe-core {AXE} with the WCAG 2.0, 2.1 "
    f"and 2.2 A and AA rules, in {BROWSER}, on every page for every role and for someone "
    f"without access, at {widths} pixels wide; and a test that moves through the Overview "
    "with the Tab key and checks that every link and control is reached and shows where the "
    "focus is. It has not yet been tested by people who use assistive technology."
)
