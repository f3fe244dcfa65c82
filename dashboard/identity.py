"""Who is looking: the signed-in user (OpenID Connect) or, without sign-in, the demo user.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the user signs in with ``st.login``
and their email comes from the identity provider.  Without one (a laptop, a demo, a test) it
comes from ``WORKFORCE_DEMO_USER`` and every page says so.  Either way the email is looked up
in the access policy (:mod:`core.access`); nothing here grants anything by itself.

The email is normalised once, here at the boundary (``core.access.normalise_email``: NFKC,
case-folded), and that one form is used for the policy and the audit log.  An email the
normalisation refuses (a look-alike such as the KELVIN SIGN, a control character) gets no
grant, nor does a signed-in email the identity provider has not verified (``email_verified``,
or for Microsoft Entra ID, which sends no such claim, its optional ``xms_edov``).
Text a user controls is escaped wherever it is drawn as Markdown (:func:`plain`).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from core.access import AccessPolicyError, Grant, grant_for, normalise_email
from core.settings import get_settings
from dashboard.safe_text import safe_markdown

ANONYMOUS = "anonymous"
CLAIMED_MAX = 254  # the longest email (RFC 5321); a longer claim is cut where it is shown


@dataclass(frozen=True)
class Caller:
    """The person behind this session.

    Attributes:
        email: their email, normalised; None when nobody is signed in or it was refused.
        demo: True when identity comes from ``WORKFORCE_DEMO_USER`` (no sign-in configured).
        grant: what the access policy grants them; None means nothing.
        problem: why nothing is granted when the policy itself is at fault (fail closed).
        refused: why the identity itself is not accepted (its email, or its verification).
        claimed: the refused email, escaped (``ascii``) so that it can be shown and logged.
    """

    email: str | None
    demo: bool
    grant: Grant | None
    problem: str | None = None
    refused: str | None = None
    claimed: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.email is not None or self.claimed is not None

    @property
    def name(self) -> str:
        return self.email or self.claimed or ANONYMOUS

    @property
    def role(self) -> str | None:
        return self.grant.role if self.grant else None


def sign_in_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (OpenID Connect)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def _claim(demo: bool) -> tuple[str | None, str | None]:
    """The email claimed for this run, and why it cannot be used (None when it can)."""
    if demo:
        return get_settings().demo_user or None, None
    if not st.user.get("is_logged_in", False):
        return None, None
    email = st.user.get("email")
    if not isinstance(email, str) or not email.strip():
        return "", "the identity provider sent no email address"
    verified = st.user.get("email_verified")
    if verified is None:  # Microsoft Entra ID sends none: its optional claim xms_edov ("email
        # domain owner verified") is its word that the address is the organisation's own
        verified = st.user.get("xms_edov")
    if verified is None:
        return email, (
            "the identity provider did not say whether the email is verified (no "
            "email_verified claim, nor Entra ID's xms_edov), so it cannot be used"
        )
    if verified is not True:
        return email, "the identity provider has not verified the email"
    return email, None


def _refused(raw: str, demo: bool, reason: str) -> Caller:
    """No grant, and the claimed email in a form safe to show and log: normalised when it can
    be, else with every character outside printable ASCII escaped (``\\u212a``)."""
    try:
        claimed = normalise_email(raw)
    except ValueError:
        claimed = ascii(raw.strip())[1:-1]
    return Caller(None, demo, None, refused=reason, claimed=claimed[:CLAIMED_MAX] or ANONYMOUS)


def caller() -> Caller:
    """The caller of this run, and their grant.  Access fails closed: no email, an email the
    normalisation refuses or the provider has not verified, an email not in the policy, or a
    policy that cannot be read all mean no grant."""
    demo = not sign_in_configured()
    raw, unusable = _claim(demo)
    if raw is None:
        return Caller(None, demo, None)
    if unusable:
        return _refused(raw, demo, unusable)
    try:
        email = normalise_email(raw)
    except ValueError as exc:
        return _refused(raw, demo, str(exc))
    try:
        grant = grant_for(email, get_settings().access)
    except AccessPolicyError as exc:
        return Caller(email, demo, None, str(exc))
    return Caller(email, demo, grant)


def plain(text: object, limit: int = 500) -> str:
    """Text a user or a file controls (an email, a policy's fault), to draw inside Markdown:
    on one line, its Markdown characters escaped, so it reads as the characters it is."""
    return safe_markdown(text, limit)


def describe(who: Caller) -> str:
    """One line of Markdown for the top of a page: who, as what, and whether this is demo
    mode."""
    role = (who.role or "no role").replace("_", " ")
    if who.demo:
        return (
            f"Demo mode: no sign-in is configured, so you are {plain(who.name)} ({role}) as set "
            "by WORKFORCE_DEMO_USER. Do not use demo mode with real data."
        )
    return f"Signed in as {plain(who.name)} ({role})."


DEMO_BADGE = ":orange-badge[:material/science: Demo mode]"


def banner(who: Caller) -> str:
    """:func:`describe` as markdown, behind a "Demo mode" badge in demo mode."""
    return f"{DEMO_BADGE} {describe(who)}" if who.demo else describe(who)
