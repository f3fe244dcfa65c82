"""WCAG 2.2 AA in the served app: axe-core on every page, as every role, in Chromium.

The UK's public-sector accessibility regulations (2018) ask for WCAG 2.2 AA.  axe-core (the
copy ``axe-playwright-python`` ships) runs its wcag2a/2aa/21a/21aa/22aa rules on each page
once it is fully drawn, and any serious or critical violation fails the test with its rule,
impact and the first element at fault.  One server over the tiny warehouse serves every role:
the access policy is read on every run, so the test rewrites it between roles.  The pages
cover each role's own pages, a page refused to the role, the page for someone with no grant,
and the Accessibility statement (for every role and for someone without a grant), and, on a
server with sign-in configured, the page asking to sign in.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from core.access import PAGES_BY_ROLE
from tests.browser.conftest import REPO, serve, settled, streamlit
from tests.pages import ADMIN, policy_text, tab_paths

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
AHEAD = 3  # tabs loading at once
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
PHONE = 390  # CSS pixels: a phone held upright (the admin, who has every page, is checked)
STATEMENT = "accessibility"
# role -> (clusters, record-level rights): as the demo users of data/access.example.toml.
ROLES = {
    "leader": (("*",), False),
    "strategy_office": (("*",), False),
    "analyst": (("UNITY",), True),
    "admin": (("*",), False),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One app over the tiny warehouse, and the policy file it reads on every run."""
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-axe")
    settings = build(root)
    with serve(root, settings.warehouse, settings.reference) as url:
        yield url, root / "access.toml"


def be(policy: Path, role: str | None) -> None:
    """Make the demo user ``role`` (as the example policy's user of that role), or nobody."""
    if role is None:
        policy.write_text(policy_text("someone.else@workforce.local", "leader"))
        return
    clusters, record_level = ROLES[role]
    policy.write_text(policy_text(ADMIN, role, clusters, record_level))


def drawn(page: Page) -> None:
    """Wait until the page is whole: its title shown, its script idle, no skeleton left and
    every Plotly chart drawn (its SVG in place)."""
    page.locator("h1").first.wait_for(timeout=LOADED)
    settled(page, LOADED)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]')
            && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .every(chart => chart.querySelector('.main-svg'))""",
        timeout=LOADED,
    )


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations of the page, one line each."""
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    found = []
    for rule in results.response["violations"]:
        if rule["impact"] in FAILING:
            first = rule["nodes"][0] if rule["nodes"] else {"target": "?", "html": ""}
            found.append(
                f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])} elements): "
                f"{first['target']} {first['html'][:160]}"
            )
    return found


def audit(browser: Browser, url: str, paths: list[str], width: int = 1280) -> dict[str, list[str]]:
    """Each path opened in a tab of its own (a new session, as a shared link is) ``width`` CSS
    pixels wide, and checked by axe once drawn.  A few tabs load at once (:data:`AHEAD`), so
    the server draws one page while the browser checks another."""
    faults: dict[str, list[str]] = {}
    context = browser.new_context(viewport={"width": width, "height": 900})
    waiting, loading = deque(paths), deque()

    def open_next() -> None:
        path = waiting.popleft()
        tab = context.new_page()
        tab.goto(f"{url}/{path}", wait_until="commit")
        loading.append((path, tab))

    try:
        while waiting and len(loading) < AHEAD:
            open_next()
        while loading:
            path, tab = loading.popleft()
            drawn(tab)
            found = violations(tab)
            if tab.get_by_text("Page not found").count():  # every page has a URL of its own
                found.append("Streamlit says 'Page not found'")
            if found:
                faults[f"/{path}"] = found
            tab.close()
            if waiting:
                open_next()
    finally:
        context.close()
    return faults


def report(faults: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {line}" for path, lines in faults.items() for line in lines)


@pytest.mark.parametrize(("role", "width"), [*((role, 1280) for role in ROLES), ("admin", PHONE)])
def test_every_page_of_every_role_has_no_serious_axe_violation(
    browser: Browser, served: tuple[str, Path], role: str, width: int
) -> None:
    url, policy = served
    be(policy, role)
    pages = PAGES_BY_ROLE[role]
    # The default page at the root (the admin's by its own path too, as a link may give it);
    # a page outside the role, refused.
    own = pages if role == "admin" else pages[1:]
    refused = [key for key in PAGES_BY_ROLE["admin"] if key not in pages][-1:]
    if role == "admin":  # every tab of every page too (a tab's content is drawn when open)
        own = [path for key in own for path in tab_paths(key)]
    paths = ["", *own, STATEMENT, *refused]
    faults = audit(browser, url, paths, width)
    assert not faults, f"axe-core, as {role} at {width}px:\n{report(faults)}"


def test_the_pages_of_someone_without_a_grant_have_no_serious_axe_violation(
    browser: Browser, served: tuple[str, Path]
) -> None:
    url, policy = served
    be(policy, None)
    try:
        faults = audit(browser, url, ["", STATEMENT])
    finally:
        be(policy, "admin")
    assert not faults, f"axe-core, with no grant:\n{report(faults)}"


def test_links_in_small_print_are_drawn_opaque(browser: Browser, served: tuple[str, Path]) -> None:
    """A caption is drawn at 60% opacity by Streamlit, a link in it too (the signed-in email
    in the sidebar: #1d70b8 at 60% on #f3f2f1 is 2.4:1).  axe-core leaves colours under
    opacity for a person to judge ("incomplete"), so this checks the drawn colour itself."""
    url, policy = served
    be(policy, "admin")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        drawn(page)
        link = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer")
        drawn_as = link.locator("a").first.evaluate(
            """(a) => {
                let opacity = 1;
                for (let el = a; el; el = el.parentElement) {
                    opacity *= parseFloat(getComputedStyle(el).opacity);
                }
                return [getComputedStyle(a).color, opacity];
            }"""
        )
    finally:
        context.close()
    assert drawn_as == ["rgb(29, 112, 184)", 1]


AUTH = """[auth]
redirect_uri = "http://127.0.0.1/oauth2callback"
cookie_secret = "axe-test-cookie-secret-not-for-real-use"
client_id = "workforce-picture-axe"
client_secret = "axe-test-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


def test_the_sign_in_page_has_no_serious_axe_violation(browser: Browser, tmp_path: Path) -> None:
    """With sign-in configured (an ``[auth]`` section) and nobody signed in, the app is one
    page asking to sign in: it is checked like every other.  The provider is never called:
    the page is only drawn, its button not pressed."""

    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    env = {k: v for k, v in os.environ.items() if k != "WORKFORCE_DEMO_USER"}
    env.update(WORKFORCE_AUDIT=str(tmp_path / "audit.sqlite"),
               WORKFORCE_ACCESS=str(tmp_path / "access.toml"))  # fmt: skip
    args = ("--secrets.files", str(secrets))
    with streamlit(REPO / "app.py", tmp_path / "streamlit.log", env=env, args=args) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(url)
            drawn(page)
            assert page.get_by_role("button", name="Sign in").count() == 1
            found = violations(page)
        finally:
            context.close()
    assert not found, "axe-core, on the sign-in page:\n" + "\n".join(found)


@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_glossary_and_the_overviews_definitions_once_opened_have_no_serious_violation(
    browser: Browser, served: tuple[str, Path], width: int
) -> None:
    """Both are drawn only when opened (issue 14), so the page checks above never see their
    text: open each as a reader would, then check the page again.  On a phone the sidebar,
    and the glossary in it, is opened first."""
    url, policy = served
    be(policy, "admin")
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        drawn(page)
        page.get_by_text("How these figures are defined").click()
        expect(page.get_by_text("Headcount, FTE and paybill.")).to_be_visible(timeout=LOADED)
        sidebar = page.get_by_test_id("stSidebar")
        if not sidebar.get_by_text("Glossary").is_visible():
            page.get_by_test_id("stExpandSidebarButton").click()
        sidebar.get_by_text("Glossary").click()
        expect(sidebar.get_by_text("ITL1", exact=False).first).to_be_visible(timeout=LOADED)
        drawn(page)
        expect(page.get_by_text("Headcount, FTE and paybill.")).to_be_visible()
        faults = violations(page)
    finally:
        context.close()
    assert not faults, f"axe-core, opened at {width}px:\n" + "\n".join(faults)
