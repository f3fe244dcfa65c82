"""Sign-in against a real OpenID Connect provider, end to end, in Chromium (issue 16).

The app is served with an ``[auth]`` section (a secrets file of the test's own, given by
``STREAMLIT_SECRETS_FILES``, so the repository's ``.streamlit/`` is untouched) pointing at
``oidc-provider`` (npm, OpenID-certified) on the loopback, started from ``tests/oidc/``.  Each
test signs in the way a person does: the app's "Sign in", the provider's login form and consent
page, back to the app by its ``/oauth2callback``; then checks what the access policy grants that
email (the role's pages, or the refusal), and signs out through the provider's logout page.
The AppTest suites cover the identity rules one by one (``tests/test_app_access.py``,
``tests/test_app_security.py``); this covers the wiring between them that only a browser and a
provider exercise: Authlib's code flow with PKCE, the ID token's claims, the signed cookie,
``st.user`` and ``st.logout``.  It needs Authlib's HTTP client, httpx, installed with the app.

Needs Node (18.12 or later) and ``npm ci --prefix tests/oidc``; skipped without them, unless
``WORKFORCE_REQUIRE_BROWSER=1`` (as in CI), when it fails instead and names the command.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import REPO, _free_port, serve, settled, stop
from tests.pages import policy_text
from tests.services import unavailable

pytestmark = pytest.mark.browser

PROVIDER = REPO / "tests" / "oidc"
LOADED = 30_000  # ms
READY_SECONDS = 20
CLIENT_ID = "workforce-picture"
CLIENT_SECRET = secrets.token_hex(16)
ANALYST = "analyst@example.gov.uk"
LEADER = "leader@example.gov.uk"
STRANGER = "stranger@example.org"  # the provider signs them in; the policy does not list them
# Listed as an analyst, but signed in without an email_verified claim, as Microsoft Entra ID
# signs people in (tests/oidc/provider.mjs).
NO_CLAIM = "no.verified.claim@example.gov.uk"
# Listed as a leader, signed in as Entra ID does with its optional xms_edov claim set.
ENTRA = "entra.user@example.gov.uk"
# Nothing but the app and the provider: the provider's pages import a web font, which would
# otherwise wait on a network the test does not have.
ELSEWHERE = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")


@dataclass(frozen=True)
class SignInApp:
    url: str  # the app, at http://127.0.0.1:<port>
    issuer: str  # the provider, at http://localhost:<port>
    audit: Path


def _missing(node: str | None) -> str | None:
    """What the provider lacks to run here, or None."""
    if node is None:
        return "node is not installed (Node 18.12 or later)"
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc/node_modules is missing: run npm ci --prefix tests/oidc"
    return None


def _need_provider() -> str:
    """The path of ``node``; skips (or fails, when CI requires the browser tests) without it
    or without the provider's packages."""
    node = shutil.which("node")
    missing = _missing(node)
    if missing is None and node is not None:
        return node
    unavailable(str(missing), "WORKFORCE_REQUIRE_BROWSER")


def _secrets(port: int) -> str:
    """The ``[auth]`` section of ``.streamlit/secrets.example.toml``, each of its settings given
    this provider's value (so the example names every setting sign-in needs, and no other).
    Streamlit fills ``{port}`` in ``redirect_uri`` with the port it serves on."""
    example = tomllib.loads((REPO / ".streamlit" / "secrets.example.toml").read_text())["auth"]
    values = {
        "redirect_uri": "http://127.0.0.1:{port}/oauth2callback",
        "cookie_secret": secrets.token_hex(32),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "server_metadata_url": f"http://localhost:{port}/.well-known/openid-configuration",
    }
    assert set(example) == set(values), f"secrets.example.toml's [auth] has {sorted(example)}"
    return "[auth]\n" + "".join(f'{key} = "{value}"\n' for key, value in values.items())


def _start_provider(node: str, port: int, app_url: str, log: Path) -> subprocess.Popen:
    """``node provider.mjs <port>`` with the app's client; returns once it says it is ready."""
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{app_url}/oauth2callback",
    }
    with log.open("w") as out:
        provider = subprocess.Popen(
            [node, "provider.mjs", str(port)],
            cwd=PROVIDER,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + READY_SECONDS
    while "oidc-provider ready on" not in log.read_text():
        if provider.poll() is not None or time.monotonic() > deadline:
            provider.kill()
            pytest.fail(f"oidc-provider did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return provider


@pytest.fixture(scope="module")
def sign_in_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInApp]:
    """The app over the tiny warehouse, signing in at the provider; the policy lists the
    analyst (UNITY), the leader (all clusters) and one more analyst whom the provider signs in
    without an ``email_verified`` claim; nobody else."""
    node = _need_provider()
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-oidc")
    settings = build(root)
    port = _free_port()
    (root / "secrets.toml").write_text(_secrets(port))
    (root / "signed-in.toml").write_text(
        "\n".join(
            (
                policy_text(ANALYST, "analyst", ("UNITY",)),
                policy_text(LEADER, "leader"),
                policy_text(NO_CLAIM, "analyst"),
                policy_text(ENTRA, "leader"),
            )
        )
    )
    env = {
        "STREAMLIT_SECRETS_FILES": str(root / "secrets.toml"),
        "WORKFORCE_ACCESS": str(root / "signed-in.toml"),
    }
    # WORKFORCE_DEMO_USER stays set (to an admin): with sign-in configured it must count for
    # nothing.
    with serve(root, settings.warehouse, settings.reference, extra_env=env) as url:
        provider = _start_provider(node, port, url, root / "provider.log")
        try:
            yield SignInApp(url, f"http://localhost:{port}", root / "audit.sqlite")
        finally:
            stop(provider)


@pytest.fixture
def visitor(page: Page) -> Page:
    """A fresh browser (no cookie of either side) that reaches nothing but the loopback."""
    page.context.route(ELSEWHERE, lambda route: route.abort())
    return page


def _sign_in_page(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    expect(page.get_by_text("Demo mode")).to_have_count(0)


def _sign_in(page: Page, app: SignInApp, login: str) -> None:
    """From the app's sign-in page, through the provider's login form and consent, back to the
    app."""
    page.goto(app.url)
    _sign_in_page(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app.issuer}/interaction/**", timeout=LOADED)
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password: the development form takes any")
    page.get_by_role("button", name="Sign-in").click()
    # A first sign-in to this client asks the person to consent to the email and profile.
    page.get_by_role("button", name="Continue").click(timeout=LOADED)
    page.wait_for_url(f"{app.url}/**", timeout=LOADED)
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _sign_out(page: Page, app: SignInApp) -> None:
    """The app's "Sign out", then the provider's own sign-out page, and back to sign-in."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{app.issuer}/session/end**", timeout=LOADED)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{app.url}/**", timeout=LOADED)
    _sign_in_page(page)


def _audited(app: SignInApp, email: str, event: str) -> list[dict]:
    from core import audit

    return audit.read(app.audit, user=email, event=event).to_dicts()


def test_an_analyst_signs_in_sees_the_analysts_pages_and_signs_out(
    visitor: Page, sign_in_app: SignInApp
) -> None:
    page = visitor
    page.goto(sign_in_app.url)
    _sign_in_page(page)  # not the demo admin, though WORKFORCE_DEMO_USER names one
    expect(page.locator(".st-key-navigation").get_by_role("link", name="Overview")).to_have_count(0)

    _sign_in(page, sign_in_app, ANALYST)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text(f"{ANALYST} · analyst · UNITY")).to_be_visible()
    navigation = page.locator(".st-key-navigation")
    expect(navigation.get_by_role("link", name="Extracts")).to_be_visible()
    expect(navigation.get_by_role("link", name="Audit log")).to_have_count(0)
    navigation.get_by_role("link", name="Extracts").click()
    expect(page.get_by_role("heading", name="Extracts", level=1)).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    text = page.locator("body").inner_text()
    assert "UNITY" in text and "SYNERGY" not in text  # the analyst's cluster alone
    views = {entry["page"] for entry in _audited(sign_in_app, ANALYST, "view")}
    assert {"overview", "extracts"} <= views
    assert {e["role"] for e in _audited(sign_in_app, ANALYST, "view")} == {"analyst"}

    _sign_out(page, sign_in_app)
    page.goto(sign_in_app.url)  # the cookie is gone: still signed out
    _sign_in_page(page)
    page.goto(f"{sign_in_app.url}/extracts")
    _sign_in_page(page)


def test_a_leader_signs_in_to_the_leaders_pages(visitor: Page, sign_in_app: SignInApp) -> None:
    page = visitor
    _sign_in(page, sign_in_app, LEADER)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text(f"{LEADER} · leader · all clusters")).to_be_visible()
    navigation = page.locator(".st-key-navigation")
    expect(navigation.get_by_role("link", name="Workforce", exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Extracts")).to_have_count(0)
    page.goto(f"{sign_in_app.url}/extracts")  # a direct link is refused, and audited
    expect(page.get_by_text("This page is not open to your role (leader).")).to_be_visible(
        timeout=LOADED
    )
    denied = _audited(sign_in_app, LEADER, "denied")
    assert [(e["page"], e["role"]) for e in denied] == [("extracts", "leader")]


def test_someone_the_policy_does_not_list_is_refused(visitor: Page, sign_in_app: SignInApp) -> None:
    page = visitor
    _sign_in(page, sign_in_app, STRANGER)
    expect(
        page.get_by_text(
            f"{STRANGER} has no access to Workforce Picture. Ask the service's administrator "
            "to add you to the access policy."
        )
    ).to_be_visible()
    navigation = page.locator(".st-key-navigation")
    expect(navigation.get_by_role("link")).to_have_count(1)  # the accessibility statement
    expect(navigation.get_by_role("link", name="Accessibility statement")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    assert [e["page"] for e in _audited(sign_in_app, STRANGER, "denied")] == ["app"]
    _sign_out(page, sign_in_app)  # the refusal's own "Sign out", so another account can be tried


def test_a_listed_user_without_an_email_verified_claim_is_refused(
    visitor: Page, sign_in_app: SignInApp
) -> None:
    """A sign-in through Microsoft Entra ID without its optional ``xms_edov`` claim: Entra
    sends no ``email_verified``, and the app grants nothing to an email it cannot tell is
    verified, even a listed one (.streamlit/secrets.example.toml says to add the claim)."""
    page = visitor
    _sign_in(page, sign_in_app, NO_CLAIM)
    expect(
        page.get_by_text(
            f"{NO_CLAIM} cannot be used to sign in: the identity provider did not say whether "
            "the email is verified (no email_verified claim, nor Entra ID's xms_edov), so it"
            " cannot be used."
        )
    ).to_be_visible()
    expect(page.locator(".st-key-navigation").get_by_role("link")).to_have_count(1)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert [e["page"] for e in _audited(sign_in_app, NO_CLAIM, "denied")] == ["app"]


def test_an_entra_style_sign_in_with_xms_edov_is_let_in(
    visitor: Page, sign_in_app: SignInApp
) -> None:
    """Signed in as Entra ID signs people in with the optional claim xms_edov: no
    ``email_verified``, the domain owner verified instead; the leader's pages open."""
    page = visitor
    _sign_in(page, sign_in_app, ENTRA)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text(f"{ENTRA} · leader · all clusters")).to_be_visible()
    expect(page.get_by_text("cannot be used to sign in")).to_have_count(0)
    assert "overview" in {e["page"] for e in _audited(sign_in_app, ENTRA, "view")}
    _sign_out(page, sign_in_app)
