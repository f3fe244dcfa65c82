"""The line-management hierarchy of one night's staff: who reports to whom in each organisation.

The shape comes first, from the organisation's size alone.  An organisation of n people with a
target span s gets the fewest layers a tree with spans of s can hold n people in,
L = ceil(log_s(n(s - 1) + 1)) (so layers grow with the log of size: with s = 6, 7 people make
2 layers, 10 make 3, 1,000 make 5, 90,000 make 8), and the layers grow by a common ratio from a
single top.  People
fill the layers in order of seniority (grade, then a stable random rank), so managers are drawn
from the higher grades and nobody reports to someone of a lower grade.  Layer k needs
ceil(size of layer k+1 / s) managers, its most senior people; the rest of the layer manage no
one, as senior specialists do.  Spans therefore average about s in every organisation.

Who reports to which manager is chosen afresh each night but stably, by consistent hashing: each
manager owns a few arcs of a ring and a report goes to the owner of the arc its own key falls
in.  When someone joins or leaves only the reports on the arcs next to them change manager, so
the hierarchy changes night to night about as much as a real one does, and the spans of one
layer vary around s (a few managers have 1 or 2 reports, a few have 10 or more).  Leavers are
not in the night's file, so nobody can report to one; there is one top per organisation, every
manager is in the report's own organisation and one layer up, so there is no cycle.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipeline.demo import calibration as cal
from pipeline.demo.organisations import Register
from pipeline.demo.population import GRADE_LEVELS

VIRTUAL_NODES = 4  # arcs of the ring a manager owns: spans vary about as much as real ones
_REPORT_SALT = np.int64(0x5DEECE66D)  # a report's ring key differs from its own manager arcs


def splitmix64(values: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash, so that ring positions look uniform."""
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))) >> np.uint64(1)  # keep it a positive int64


def target_spans(register: Register) -> np.ndarray:
    """Each organisation's target span: wider where the grade mix is junior (operational
    delivery), narrower where it is senior (policy), about TARGET_SPAN across the service."""
    level = register.grade_probs @ GRADE_LEVELS  # the mean line-management level of the mix
    national = (level * register.headcount_2023).sum() / register.headcount_2023.sum()
    spans = cal.TARGET_SPAN * np.exp(-cal.SPAN_LEVEL_ELASTICITY * (level - national))
    return np.clip(spans, *cal.SPAN_RANGE)


def layer_count(n: np.ndarray, span: np.ndarray) -> np.ndarray:
    """The fewest layers a tree of spans ``span`` holds ``n`` people in (1 for one person)."""
    depth = np.log(n * (span - 1) + 1) / np.log(span)
    return np.maximum(np.ceil(depth - 1e-9), 1).astype(np.int64)


def layer_bounds(n: np.ndarray, span: np.ndarray) -> np.ndarray:
    """(organisations, most layers): how many people sit in layers 1..k of each organisation.

    Layer sizes grow by the ratio r that fills the organisation's L layers exactly,
    1 + r + ... + r^(L-1) = n (found by bisection, r between 1 and the span); columns past an
    organisation's last layer hold n.
    """
    layers = layer_count(n, span)
    top = int(layers.max())
    lo, hi = np.ones(len(n)), np.maximum(span, 1.0) + 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        filled = _geometric_sum(mid[:, None], np.arange(1, top + 1)[None, :])
        too_many = filled[np.arange(len(n)), layers - 1] > n
        lo, hi = np.where(too_many, lo, mid), np.where(too_many, mid, hi)
    k = np.arange(1, top + 1)[None, :]
    bounds = np.floor(_geometric_sum(lo[:, None], k) + 0.5).astype(np.int64)
    bounds = np.maximum.accumulate(np.maximum(bounds, k), axis=1)  # each layer holds someone
    return np.where(k >= layers[:, None], n[:, None], np.minimum(bounds, n[:, None]))


def _geometric_sum(ratio: np.ndarray, k: np.ndarray) -> np.ndarray:
    """1 + r + ... + r^(k-1), which is k when r is 1."""
    flat = np.isclose(ratio, 1.0)
    safe = np.where(flat, 2.0, ratio)
    return np.where(flat, k * 1.0, (safe**k - 1) / (safe - 1))


def assign_managers(frame: pl.DataFrame, spans: np.ndarray) -> pl.Series:
    """manager_employee_id for each row of (org, level, rank_u, ring, employee_id).

    ``spans`` holds each organisation's target span, indexed by ``org``.
    """
    org = frame["org"].to_numpy()
    order = np.lexsort((frame["rank_u"].to_numpy(), -frame["level"].to_numpy(), org))
    sorted_org = org[order]
    size = np.bincount(org, minlength=len(spans))
    position = np.arange(len(org)) - (np.cumsum(size) - size)[sorted_org]  # 0 = the head
    bounds = layer_bounds(size, spans)
    layer = (position[:, None] >= bounds[sorted_org]).sum(axis=1)  # 0 = the top layer
    first = np.column_stack([np.zeros(len(size), np.int64), bounds])  # first position of each
    layer_size = np.diff(first, axis=1)
    below = np.column_stack([layer_size[:, 1:], np.zeros(len(size), np.int64)])
    managers = np.minimum(layer_size, np.ceil(below / spans[:, None]).astype(np.int64))
    is_manager = position - first[sorted_org, layer] < managers[sorted_org, layer]

    key = sorted_org * (bounds.shape[1] + 1) + layer  # (organisation, layer)
    ring = frame["ring"].to_numpy()[order]
    employee = frame["employee_id"].gather(order)
    chosen = np.flatnonzero(is_manager)
    nodes = pl.DataFrame(
        {
            "key": key[chosen].repeat(VIRTUAL_NODES),
            "pos": splitmix64(
                ring[chosen].repeat(VIRTUAL_NODES) + np.tile(np.arange(VIRTUAL_NODES), len(chosen))
            ),
            "manager": employee.gather(chosen.repeat(VIRTUAL_NODES)),
        }
    ).sort("pos", "key")
    wrap = nodes.group_by("key").agg(wrap=pl.col("manager").first())  # lowest arc wraps round
    reports = np.flatnonzero(layer > 0)
    reports = pl.DataFrame(
        {
            "row": order[reports],
            "key": key[reports] - 1,  # the managers one layer up
            "pos": splitmix64(ring[reports] ^ _REPORT_SALT),
        }
    ).sort("pos", "key")
    matched = (
        reports.join_asof(nodes, on="pos", by="key", strategy="forward", check_sortedness=False)
        .join(wrap, on="key", how="left")
        .select("row", manager=pl.coalesce("manager", "wrap"))
    )
    return (
        frame.select(pl.int_range(pl.len()).alias("row"))
        .join(matched, on="row", how="left", maintain_order="left")["manager"]
        .alias("manager_employee_id")
    )
