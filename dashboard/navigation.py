"""The pages each role sees (``st.navigation``), sign-in, and the page for no access.

``app.py`` calls :func:`serve` on every run.  Who the caller is comes from
:mod:`dashboard.identity`; which pages their role has, in which order, from
:data:`pipeline.access.PAGES_BY_ROLE`.  Someone without a grant gets one page saying so (and
the refusal is audited).  The navigation lists the role's pages only; every other page is
registered too, hidden, as a page that records the refused visit and says so, so a direct link
(``/audit_log`` for a leader) is refused and audited rather than quietly sent to the default
page.  Each page also checks again when it opens (``dashboard.components.open_gate``).  A page
records its view before it draws data, and what it showed once it has run
(:mod:`dashboard.trail`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import identity, served_once, trail
from dashboard.components import refuse


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


# A table's own "Download as CSV" and copy would bypass the audit log: files leave only through
# the pages' download buttons, each of which is audited.  ``client.disableDataExport``
# (.streamlit/config.toml) removes both from every table; this style is a second guard, and the
# tables hold only what the page's audited view recorded (no record-level rows).
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


def _refused_page(spec: PageSpec) -> Callable[[], None]:
    """The page a role without ``spec`` gets at its URL: the refusal, audited."""

    def refused() -> None:
        who = identity.caller()
        st.title(spec.title)
        if who.demo:
            st.markdown(identity.banner(who))
        refuse(who, spec.key)

    refused.__name__ = f"refused_{spec.key}"
    return refused


def _st_pages(keys: tuple[str, ...]) -> dict[str, list[st.Page]]:
    """The role's pages by section, and every other page hidden (refused) in the last one."""
    first = keys[0]
    grouped = {
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
    outside = [
        st.Page(
            _refused_page(spec),
            title=spec.title,
            icon=spec.icon,
            url_path=spec.key,
            visibility="hidden",
        )
        for spec in PAGES
        if spec.key not in keys
    ]
    list(grouped.values())[-1].extend(outside)  # a section of hidden pages alone shows empty
    return grouped


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
    refuse(who, "app")


def serve() -> None:
    """Route this run: sign-in, no access, or the role's pages (each view then audited)."""
    served_once.install()
    who = identity.caller()
    if not who.demo and not who.signed_in:
        st.navigation([st.Page(_sign_in, title="Sign in", url_path="sign_in")]).run()
        return
    if who.grant is None:
        st.navigation([st.Page(_no_access, title="No access", url_path="no_access")]).run()
        return
    navigation = st.navigation(_st_pages(who.grant.pages))
    st.html(NO_UNAUDITED_DOWNLOADS)
    try:
        navigation.run()
    finally:
        trail.end_view(who)
