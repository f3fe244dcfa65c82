"""Figures built once per input, so that a rerun (an in-app visit, a filter put back, a table
opened) does not build them again (issue 14).

Building a figure through Plotly's ``update_layout`` and its property validators cost 0.3-0.5 s
a run on Workforce, Cost and Programme, paid again on every visit although the numbers had not
changed.  :func:`figure` calls a builder of :mod:`dashboard.charts` (one module per kind) through
``st.cache_resource``, keyed by the builder and every argument (the data frame hashed by
Streamlit, by its contents).  The chart modules stay free of Streamlit, so they are tested
alone.

Why ``cache_resource`` and not ``cache_data``: ``cache_data`` hands back an unpickled copy,
and unpickling a Figure runs its validators again, the very cost to save.  The figure is shared
between runs and sessions, read only (``st.plotly_chart`` copies it with ``to_dict``): nobody
may change a figure :func:`figure` returns.

Scope: a figure is a function of its arguments alone, and the rows a caller may see are in
those arguments (the frame their scoped query returned, :mod:`dashboard.data`), so a figure is
only ever handed back to a caller who passed the same rows: nothing crosses from one grant to
another that the grant did not already give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard.data import CACHE_TTL


@st.cache_resource(ttl=CACHE_TTL, max_entries=512, show_spinner=False)
def _built(
    name: str, _builder: Callable[..., go.Figure], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> go.Figure:
    # Keyed by the builder's name (``_builder``, underscored, is not hashed: a function is not).
    return _builder(*args, **kwargs)


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """``builder(*args, **kwargs)``, built once per builder and arguments, then shared read
    only.  A set among the arguments is passed sorted, as a tuple, so that its hash does not
    hang on the order it was filled in."""
    return _built(
        f"{builder.__module__}.{builder.__qualname__}",
        builder,
        tuple(_steady(a) for a in args),
        {k: _steady(v) for k, v in kwargs.items()},
    )


def _steady(value: Any) -> Any:
    return tuple(sorted(value)) if isinstance(value, set | frozenset) else value
