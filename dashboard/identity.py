"""Who is looking: the signed-in user (OpenID Connect) or, without sign-in, the demo user.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the user signs in with ``st.login``
and their email comes from the identity provider.  Without one (a laptop, a demo, a test) it
comes from ``WORKFORCE_DEMO_USER`` and every page says so.  Either way the email is looked up
in the access policy (:mod:`pipeline.access`); nothing here grants anything by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from pipeline.access import AccessPolicyError, Grant, grant_for
from pipeline.settings import get_settings

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    """The person behind this session.

    Attributes:
        email: their email, or None when nobody is signed in.
        demo: True when identity comes from ``WORKFORCE_DEMO_USER`` (no sign-in configured).
        grant: what the access policy grants them; None means nothing.
        problem: why nothing is granted when the policy itself is at fault (fail closed).
    """

    email: str | None
    demo: bool
    grant: Grant | None
    problem: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.email is not None

    @property
    def name(self) -> str:
        return self.email or ANONYMOUS

    @property
    def role(self) -> str | None:
        return self.grant.role if self.grant else None


def sign_in_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (OpenID Connect)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def caller() -> Caller:
    """The caller of this run, and their grant.  Access fails closed: no email, an email not
    in the policy, or a policy that cannot be read all mean no grant."""
    settings = get_settings()
    demo = not sign_in_configured()
    if demo:
        email = settings.demo_user or None
    else:
        email = st.user.get("email") if st.user.get("is_logged_in", False) else None
    try:
        grant = grant_for(email, settings.access)
    except AccessPolicyError as exc:
        return Caller(email, demo, None, str(exc))
    return Caller(email, demo, grant)


def describe(who: Caller) -> str:
    """One line for the top of a page: who, as what, and whether this is demo mode."""
    role = (who.role or "no role").replace("_", " ")
    if who.demo:
        return (
            f"Demo mode: no sign-in is configured, so you are {who.name} ({role}) as set by "
            "WORKFORCE_DEMO_USER. Do not use demo mode with real data."
        )
    return f"Signed in as {who.name} ({role})."


DEMO_BADGE = ":orange-badge[:material/science: Demo mode]"


def banner(who: Caller) -> str:
    """:func:`describe` as markdown, behind a "Demo mode" badge in demo mode."""
    return f"{DEMO_BADGE} {describe(who)}" if who.demo else describe(who)
