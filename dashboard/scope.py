"""Whose numbers a page may show: the single place a caller's scope comes from.

Every page and every data function asks :func:`current_clusters` which clusters the caller may
see, and the data layer limits each query to them (``shared/contract/access.md``: enforced
where data is queried, not by hiding widgets).  Roles and the access file come in a later
issue; until then every caller sees all five clusters.
"""

from __future__ import annotations

from queries.runner import CLUSTERS


def current_clusters() -> tuple[str, ...]:
    """The clusters the current caller may see, in the contract's order (for now: all five)."""
    return CLUSTERS
