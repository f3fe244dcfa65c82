"""The pages each role sees, the sidebar's links to them, sign-in, and the page for no access.

``app.py`` calls :func:`serve` on every run.  Who the caller is comes from
:mod:`dashboard.identity`; which pages their role has, in which order, from
:data:`core.access.PAGES_BY_ROLE`.  Someone without a grant gets one page saying so (and
the refusal is audited).  The navigation lists the role's pages only; every other page is
registered too, hidden, as a page that records the refused visit and says so, so a direct link
(``/audit_log`` for a leader) is refused and audited rather than quietly sent to the default
page.  Each page also checks again when it opens (``dashboard.components.open_gate``).  A page
records its view before it draws data, and what it showed once it has run
(:mod:`dashboard.trail`).

The Accessibility statement (``/accessibility``) is registered for everyone, with or without a
grant: it shows no data, so it opens no gate and writes no audit entry.

The sidebar's links are drawn here with ``st.page_link`` and ``st.navigation`` is hidden:
Streamlit 1.67's own sidebar navigation puts its section headers and links in a ``<ul>``
whose children are not all ``<li>`` (axe-core's ``list`` and ``listitem`` rules, WCAG 1.3.1;
no upstream issue names it yet: streamlit/streamlit#8399, "Basic accessibility web features",
is the open one for Streamlit's markup).  ``st.page_link`` draws plain links, with the same
in-app navigation.

Every page is served at its own path, the default page too: Streamlit serves the default page
at ``/`` only (its ``url_path`` is reserved, but ``/overview`` says "Page not found").  So the
role's first page is registered twice: as the default, at ``/``, and under its own path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import footer, identity, served_once, style, trail
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
# Open to everyone, with or without a grant: it shows no data (dashboard/pages/accessibility.py).
STATEMENT = PageSpec("accessibility", "Accessibility statement", "Help", ":material/accessibility:")
NAVIGATION_KEY = "navigation"  # the sidebar's links: ``.st-key-navigation`` in the page


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


def _page(spec: PageSpec, **options: object) -> st.Page:
    return st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key, **options)


@dataclass(frozen=True)
class Routes:
    """The pages registered for this run: the default (served at ``/``), each linked page by
    its key (the default's key too, at its own path), and the rest, refused."""

    home: st.Page
    linked: dict[str, st.Page]
    refused: list[st.Page]

    @property
    def pages(self) -> list[st.Page]:
        return [self.home, *self.linked.values(), *self.refused]


def _routes(keys: tuple[str, ...]) -> Routes:
    """The role's pages, the statement, and every other page refused.  The first page is
    registered twice: as the default under a path of its own that nothing links to (Streamlit
    reserves the default's ``url_path`` but serves it at ``/`` only), and at ``/<key>``."""
    first = BY_KEY[keys[0]]
    home = st.Page(
        first.path, title=first.title, icon=first.icon, url_path=f"{first.key}-home", default=True
    )
    linked = {key: _page(BY_KEY[key]) for key in keys}
    linked[STATEMENT.key] = _page(STATEMENT)
    refused = [
        st.Page(_refused_page(spec), title=spec.title, icon=spec.icon, url_path=spec.key)
        for spec in PAGES
        if spec.key not in keys
    ]
    return Routes(home, linked, refused)


def _links(keys: tuple[str, ...], routes: Routes, current: st.Page) -> None:
    """The sidebar's links, by section, then the statement.  Each section's name is a line of
    bold text, not a heading (the page's own title is its first heading).  The first page's
    link is to ``/`` unless its own path is the page open, so that the link open is marked."""
    first = routes.linked[keys[0]]
    with st.sidebar, st.container(key=NAVIGATION_KEY, gap="small"):
        for section, specs in sections(keys).items():
            st.markdown(f"**{section}**")
            for spec in specs:
                page = routes.linked[spec.key]
                if page is first and current is not first:
                    page = routes.home
                st.page_link(page, label=spec.title, icon=spec.icon)
        _statement_link(routes.linked[STATEMENT.key])


def _statement_link(statement: st.Page) -> None:
    st.markdown(f"**{STATEMENT.section}**")
    st.page_link(statement, label=STATEMENT.title, icon=STATEMENT.icon)


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


def _alone(page: st.Page) -> None:
    """Run ``page`` (sign-in, or no access) with the statement beside it, linked from the
    sidebar: someone who cannot get in can still read how accessible the service is."""
    statement = _page(STATEMENT)
    current = st.navigation([page, statement], position="hidden")
    with st.sidebar, st.container(key=NAVIGATION_KEY):
        _statement_link(statement)
    style.inject()
    current.run()


def serve() -> None:
    """Route this run: sign-in, no access, or the role's pages (each view then audited)."""
    served_once.install()
    who = identity.caller()
    if not who.demo and not who.signed_in:
        _alone(st.Page(_sign_in, title="Sign in", url_path="sign_in", default=True))
        return
    if who.grant is None:
        _alone(st.Page(_no_access, title="No access", url_path="no_access", default=True))
        return
    keys = who.grant.pages
    routes = _routes(keys)
    navigation = st.navigation(routes.pages, position="hidden")
    _links(keys, routes, navigation)
    style.inject()
    st.html(NO_UNAUDITED_DOWNLOADS)
    try:
        navigation.run()
        footer.draw(who)
    finally:
        trail.end_view(who)
