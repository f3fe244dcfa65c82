"""Several app servers behind nginx (issue 16), driven in Chromium through the real services:
nginx keeps each browser on its server; a warehouse version published during page views is
picked up by both servers with no failed page; both servers' entries form one intact chain in
PostgreSQL; a killed server's user is served by the other after a reload; with PostgreSQL down
(mid-session or at start-up) no file leaves unaudited, and the app recovers when it is back.

One cluster for the module (``conftest.py``).  Which server answered is nginx's
``X-Workforce-Server`` header, on every HTTP response a page makes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from core import audit
from tests.browser.conftest import settled

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
HEADER = "x-workforce-server"
NEW_DATE = date(2026, 3, 31)  # after the tiny warehouse's last extract (28 February 2026)


@dataclass
class Session:
    """One browser (a context of its own, so a route cookie of its own) and every server that
    answered it."""

    context: BrowserContext
    page: Page
    servers: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # "server status url", for messages

    @property
    def server(self) -> str:
        assert self.servers, "no response named its server yet"
        return self.servers[-1]


def open_session(browser: Browser, url: str) -> Session:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    session = Session(context, context.new_page())

    def seen(response) -> None:
        # The page and Streamlit's own endpoints; static files may come from the browser's
        # cache, still carrying the header of the server that first sent them.
        fetched = response.request.resource_type == "document" or "/_stcore/" in response.url
        if fetched and response.url.startswith(url) and (named := response.headers.get(HEADER)):
            # After a refused connection nginx names both: the last one answered.
            session.servers.append(named.split(",")[-1].strip())
            session.answers.append(f"{named} {response.status} {response.url}")

    session.page.on("response", seen)
    return session


@pytest.fixture
def sessions(browser: Browser, cluster) -> Iterator[list[Session]]:
    """Opens sessions for a test (``sessions.append(open_session(...))``), closed after it."""
    opened: list[Session] = []
    yield opened
    for session in opened:
        session.context.close()


def one_on_each_server(browser: Browser, cluster, opened: list[Session]) -> list[Session]:
    """Two sessions, one on each app server: new browsers until nginx has given out both
    (each new browser's cookie is random; 12 tries miss with a chance of 1 in 2,000)."""
    by_server: dict[str, Session] = {}
    for _ in range(12):
        session = open_session(browser, cluster.url)
        opened.append(session)
        view(session, cluster.url, "data_health")
        by_server.setdefault(session.server, session)
        if len(by_server) == len(cluster.apps):
            return [by_server[app.address] for app in cluster.apps]
    pytest.fail(f"nginx sent 12 new browsers to {sorted(by_server)} only")


def view(session: Session, url: str, path: str = "") -> None:
    """Open a page by its URL (a full load, a new Streamlit session) and check it drew."""
    session.page.goto(f"{url}/{path}")
    drawn(session.page)


def drawn(page: Page) -> None:
    """The page ran to its end with neither an exception nor an error message."""
    expect(page.locator("h1")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def latest_extract(page: Page):
    tile = page.get_by_test_id("wpTile").filter(has_text="Latest extract")
    return tile.locator(".wp-tile-value")


def test_each_browser_stays_on_its_server(browser: Browser, cluster, sessions) -> None:
    """Two browsers on the two servers, each kept there across full loads and the sidebar's
    links (which run over the session's websocket)."""
    first, second = one_on_each_server(browser, cluster, sessions)
    for session in (first, second):
        for path in ("", "workforce", "data_health"):
            view(session, cluster.url, path)
        sidebar = session.page.get_by_test_id("stSidebar")
        for link in ("Flows and turnover", "Overview"):
            sidebar.get_by_role("link", name=link).click()
            drawn(session.page)
        view(session, cluster.url, "cost")
    assert set(first.servers) == {cluster.apps[0].address}
    assert set(second.servers) == {cluster.apps[1].address}


def test_a_version_published_during_page_views_reaches_both_servers(
    browser: Browser, cluster, sessions
) -> None:
    """``workforce ingest`` publishes a new version while both servers serve pages: every view
    draws, and both then show the new extract date, without a restart."""
    from tests.ingest_factories import cluster_delivery

    on_each = one_on_each_server(browser, cluster, sessions)
    for session in on_each:
        expect(latest_extract(session.page)).to_have_text("28 Feb 2026")
    cluster_delivery(cluster.landing, "UNITY", NEW_DATE)
    done: list = []
    ingest = threading.Thread(target=lambda: done.append(cluster.ingest()))
    ingest.start()
    views = during = 0
    while ingest.is_alive() or views < 4:
        during += ingest.is_alive()
        for session in on_each:
            view(session, cluster.url, "data_health" if views % 2 else "")
        views += 1
    ingest.join()
    assert during >= 1, "the ingest was over before a page was opened"
    assert done[0].returncode == 0, done[0].stdout + done[0].stderr
    assert "published" in done[0].stdout
    for session in on_each:
        view(session, cluster.url, "data_health")
        expect(latest_extract(session.page)).to_have_text("31 Mar 2026")
    assert [s.server for s in on_each] == [app.address for app in cluster.apps]


def test_both_servers_entries_form_one_intact_chain(browser: Browser, cluster, sessions) -> None:
    """Views on both servers at once append to one log; it verifies whole with the key."""
    first, second = one_on_each_server(browser, cluster, sessions)
    before = audit.verify(cluster.audit_url, key=cluster.audit_key)
    assert before.intact, before.message
    for path in ("workforce", "flows", "cost", "programme"):
        for session in (first, second):  # both pages load at once: their appends interleave
            session.page.goto(f"{cluster.url}/{path}")
        for session in (first, second):
            drawn(session.page)
    after = audit.verify(cluster.audit_url, key=cluster.audit_key)
    assert after.intact, after.message
    assert after.entries >= before.entries + 8  # a view per page and server, at least
    assert {s.server for s in (first, second)} == {app.address for app in cluster.apps}


def open_extracts(page: Page, url: str) -> None:
    page.goto(f"{url}/extracts")
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=LOADED)
    drawn(page)


def downloads(cluster) -> int:
    return audit.read(cluster.audit_url, event="download").height


def download_csv(page: Page) -> bytes:
    with page.expect_download(timeout=LOADED) as got:
        page.get_by_role("button", name="Download CSV").click()
    return got.value.path().read_bytes()


def refused_without_a_file(page: Page) -> None:
    """The press makes no file: Streamlit's error under the button, no download."""
    arrived: list = []
    page.on("download", lambda download: arrived.append(download))
    page.get_by_role("button", name="Download CSV").click()
    error = page.get_by_test_id("stDownloadButtonError")
    expect(error).to_have_text("Failed to generate file for download", timeout=LOADED)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert arrived == []


def says_the_log_cannot_be_written(page: Page, cluster) -> None:
    """One line naming the log (its password masked) and PostgreSQL, and nothing drawn."""
    message = page.get_by_test_id("stAlertContentError")
    expect(message).to_contain_text(
        "The audit log cannot be written, so nothing is shown", timeout=LOADED
    )
    expect(message).to_contain_text("PostgreSQL cannot be reached")
    assert cluster.postgres.app_password not in message.inner_text()
    expect(page.get_by_role("button", name="Download CSV")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_postgresql_down_mid_session_refuses_downloads_until_it_is_back(
    browser: Browser, cluster, sessions
) -> None:
    session = open_session(browser, cluster.url)
    sessions.append(session)
    page = session.page
    open_extracts(page, cluster.url)
    before = downloads(cluster)
    cluster.postgres.stop()
    try:
        refused_without_a_file(page)  # the page drawn before: the press makes nothing
        page.reload()  # the next view cannot be recorded: it says so and shows nothing
        says_the_log_cannot_be_written(page, cluster)
    finally:
        cluster.postgres.start()
    open_extracts(page, cluster.url)  # back: the same browser, no restart of the app
    assert b"headcount" in download_csv(page)
    assert downloads(cluster) == before + 1


def test_an_app_server_started_while_postgresql_is_down_recovers(
    browser: Browser, cluster, sessions
) -> None:
    """Started with PostgreSQL down, a server serves no data and no file, saying why; when the
    database is back it serves both.  Opened on the server's own port: nginx would pick
    either."""
    app = cluster.apps[1]
    session = open_session(browser, cluster.url)
    sessions.append(session)
    cluster.postgres.stop()
    try:
        cluster.restart_app(1)
        session.page.goto(f"http://{app.address}/extracts")
        says_the_log_cannot_be_written(session.page, cluster)
    finally:
        cluster.postgres.start()
    open_extracts(session.page, f"http://{app.address}")
    assert b"headcount" in download_csv(session.page)


def test_a_killed_servers_user_is_served_by_the_other_after_a_reload(
    browser: Browser, cluster, sessions
) -> None:
    """The server holding a session is killed (SIGKILL, as a crash): the reload is answered by
    the other server, with the page drawn and no error page, and stays there."""
    on_each = one_on_each_server(browser, cluster, sessions)
    victim, survivor = on_each[0], cluster.apps[1].address
    view(victim, cluster.url, "workforce")
    cluster.apps[0].stop(kill=True)
    try:
        answered = len(victim.servers)
        victim.page.reload()
        drawn(victim.page)
        expect(victim.page.get_by_role("heading", name="Workforce")).to_be_visible()
        assert set(victim.servers[answered:]) == {survivor}, victim.answers[answered - 3 :]
        view(victim, cluster.url, "data_health")
        assert set(victim.servers[answered:]) == {survivor}
    finally:
        cluster.restart_app(0)
