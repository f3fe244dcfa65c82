"""Whose numbers a page may show: the single place a caller's scope comes from.

Every page and every data function asks :func:`current_clusters` which clusters the caller may
see, and the data layer limits each query to them (``shared/contract/access.md``: enforced
where data is queried, not by hiding widgets).  The scope is the caller's grant in the access
policy (:mod:`dashboard.identity`); without a grant it is empty, and an empty scope returns no
rows from any query.
"""

from __future__ import annotations

from dashboard.identity import caller


def current_clusters() -> tuple[str, ...]:
    """The clusters the current caller may see, in the contract's order; () without a grant."""
    grant = caller().grant
    return grant.clusters if grant else ()


def record_level_clusters() -> tuple[str, ...]:
    """The clusters whose record-level rows the caller may download; () for most callers."""
    grant = caller().grant
    return grant.record_level_clusters if grant else ()


def disclosure_control() -> bool:
    """Whether the caller's breakdowns and extracts go under disclosure control (every role
    but admin; also anyone without a grant, who sees nothing anyway)."""
    grant = caller().grant
    return grant is None or grant.disclosure_control
