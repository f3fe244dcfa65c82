"""The pages each role sees (``st.navigation``), sign-in, and the page for no access.

``app.py`` calls :func:`serve` on every run.  Who the caller is comes from
:mod:`dashboard.identity`; which pages their role has, in which order, from
:data:`pipeline.access.PAGES_BY_ROLE`.  Someone without a grant gets one page saying so (and
the refusal is audited); nobody gets a page their role does not list, and each page checks
again when it opens (``dashboard.components.open_page``), so a direct link cannot get round
the navigation.  After a page has run, its view goes to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import identity, trail
from dashboard.components import refusal


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    section: str
    icon: str

    @property
    def path(self) -> str:
        return f"dashboard/pages/{self.key}.py"


# In the order a leader's navigation lists them; the section headings group them.
PAGES = (
    PageSpec("overview", "Overview", "Workforce", ":material/dashboard:"),
    PageSpec("workforce", "Workforce", "Workforce", ":material/groups:"),
    PageSpec("flows", "Flows and turnover", "Workforce", ":material/swap_horiz:"),
    PageSpec("cost", "Cost and efficiency", "Workforce", ":material/payments:"),
    PageSpec("extracts", "Extracts", "Analysts", ":material/download:"),
    PageSpec("programme", "Programme", "Strategy office", ":material/flag:"),
    PageSpec("data_health", "Data health", "Administration", ":material/monitor_heart:"),
    PageSpec("audit_log", "Audit log", "Administration", ":material/policy:"),
)
BY_KEY = {spec.key: spec for spec in PAGES}


# A table's own "Download as CSV" would bypass the audit log: files leave only through the
# pages' download buttons, each of which is audited (the tables show nothing more than the page).
NO_UNAUDITED_DOWNLOADS = (
    "<style>[data-testid='stElementToolbar'] button[aria-label='Download as CSV']"
    "{display: none !important;}</style>"
)


def sections(keys: tuple[str, ...]) -> dict[str, list[PageSpec]]:
    """The role's pages grouped by section, sections in the order of their first page; the
    role's first page is the default.  Pure, so the ordering is tested without Streamlit."""
    grouped: dict[str, list[PageSpec]] = {}
    for key in keys:
        spec = BY_KEY[key]
        grouped.setdefault(spec.section, []).append(spec)
    return grouped


def _st_pages(keys: tuple[str, ...]) -> dict[str, list[st.Page]]:
    first = keys[0]
    return {
        section: [
            st.Page(
                spec.path,
                title=spec.title,
                icon=spec.icon,
                url_path=spec.key,
                default=spec.key == first,
            )
            for spec in specs
        ]
        for section, specs in sections(keys).items()
    }


def _sign_in() -> None:
    st.title("Workforce Picture")
    st.write("Sign in with your organisation's account to see the cross-government workforce.")
    st.button("Sign in", on_click=st.login, type="primary")


def _no_access() -> None:
    """The whole app for someone the access policy does not list (or cannot be read)."""
    who = identity.caller()
    st.title("Workforce Picture")
    if who.demo:
        st.markdown(identity.banner(who))
    st.error(refusal(who))


def serve() -> None:
    """Route this run: sign-in, no access, or the role's pages (each view then audited)."""
    who = identity.caller()
    if not who.demo and not who.signed_in:
        st.navigation([st.Page(_sign_in, title="Sign in", url_path="sign_in")]).run()
        return
    if who.grant is None:
        trail.record_denied(who, "app")
        st.navigation([st.Page(_no_access, title="No access", url_path="no_access")]).run()
        return
    navigation = st.navigation(_st_pages(who.grant.pages))
    st.html(NO_UNAUDITED_DOWNLOADS)
    try:
        navigation.run()
    finally:
        trail.end_view(who)
