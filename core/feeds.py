"""The feeds of the extract contract (extracts.md): the five clusters, in the contract's order,
and the strategy office's programme register.  Defined here once, without pydantic, so that a
query (``queries.runner``) can name the clusters without loading the contract's models."""

from __future__ import annotations

CLUSTERS: tuple[str, ...] = ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY", "UNITY")
PROGRAMME = "PROGRAMME"
FEEDS: tuple[str, ...] = (*CLUSTERS, PROGRAMME)
