"""Planning a run: what each delivery needs, judged without opening the warehouse read-write.

A delivery is incomplete (no manifest yet), unchanged (its manifest's file entries are the ones
loaded for its date), refused again (the same bytes as a refusal on record, under the same
register), or to be processed.  Four refusals rest on more than the bytes, so the same bytes are
judged again when that changes: a date after today, once the date has come; an empty
employees file, once the operator names it with ``--allow-empty``; one under half the
cluster's snapshot before it (:mod:`.shrink`), once named with ``--allow-shrink`` (the same
override) or once that snapshot is no longer the one it was measured against (a restatement or
a late delivery, published or loaded earlier in this run); and a native delivery refused for
want of the person_key secret, once it is set.  (A native delivery's bytes include its mapping
file's: a changed mapping is new bytes.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from core import warehouse as wh
from pipeline.ingest.checked import empty_reason, future_prefix, future_reason
from pipeline.ingest.discover import Delivery
from pipeline.ingest.log import LoadedState, read_state
from pipeline.ingest.native import WORKERS, no_secret_reason
from pipeline.ingest.schema import SCHEMA_VERSION, schema_version
from pipeline.ingest.shrink import measured_against, previous_in

INCOMPLETE, UNCHANGED, REFUSED_AGAIN, PROCESS = "incomplete", "unchanged", "refused again", "load"
DeliveryKey = tuple[str, date]  # (feed, extract date)


@dataclass
class Plan:
    delivery: Delivery
    action: str
    reason: str | None = None  # REFUSED_AGAIN: the reason, as given last time
    fingerprint: str | None = None
    bytes_fingerprint: str | None = None


def plan(
    delivery: Delivery,
    state: LoadedState,
    register_sha: str,
    today: date,
    allow_empty: Collection[DeliveryKey] = (),
    has_secret: bool = False,
) -> Plan:
    key = (delivery.feed, delivery.extract_date)
    if not delivery.complete:
        return Plan(delivery, INCOMPLETE)
    fingerprint = delivery.manifest_fingerprint()
    if fingerprint is not None and state.loaded.get(key) == fingerprint:
        return Plan(delivery, UNCHANGED, fingerprint=fingerprint)
    try:
        on_disk = delivery.bytes_fingerprint()
    except OSError:  # unreadable: verification says so, as a refusal
        return Plan(delivery, PROCESS, None, fingerprint, None)
    refusal = state.last_refusal.get(key)
    # Same bytes, same register (the rules' only outside input): the same verdict, unless what
    # else it rested on has changed (:func:`_still_refused`).
    if refusal and refusal[0] == on_disk and state.register_sha256 == register_sha:
        allowed = key in allow_empty
        again = _still_refused(delivery, refusal[1] or "", state, today, allowed, has_secret)
        if again is not None:
            return Plan(delivery, REFUSED_AGAIN, again, fingerprint, on_disk)
    return Plan(delivery, PROCESS, None, fingerprint, on_disk)


def _still_refused(
    delivery: Delivery,
    reason: str,
    state: LoadedState,
    today: date,
    allowed: bool,
    has_secret: bool,
) -> str | None:
    """The refusal on record of the same bytes, to be given again; None when it rested on
    the date, the secret, the override or the previous snapshot, and that has changed."""
    if reason.startswith(future_prefix(delivery)):
        return future_reason(delivery, today)  # with today's date in it, or None once it has come
    if reason == no_secret_reason(delivery):
        return None if has_secret else reason
    if (against := measured_against(reason, delivery)) is not None:
        lifted = allowed or against != previous_in(state.headcounts, delivery)
        return None if lifted else reason
    if allowed and reason in (empty_reason(delivery), empty_reason(delivery, WORKERS)):
        return None
    return reason


def rejudge_behind_loads(plans: list[Plan]) -> None:
    """Judge a shrink refusal again when this run loads an earlier date of its cluster: the
    snapshot it was measured against may change (deliveries load oldest first)."""
    earliest: dict[str, date] = {}
    for p in plans:
        if p.action == PROCESS:
            day = earliest.get(p.delivery.feed, p.delivery.extract_date)
            earliest[p.delivery.feed] = min(day, p.delivery.extract_date)
    for p in plans:
        d = p.delivery
        if p.action != REFUSED_AGAIN or d.extract_date <= earliest.get(d.feed, d.extract_date):
            continue
        if measured_against(p.reason or "", d) is not None:
            p.action, p.reason = PROCESS, None


@dataclass(frozen=True)
class Published:
    """What the current version holds; whether there is one; whether it is worth compacting;
    whether its schema is older (or newer) than this program's."""

    state: LoadedState
    exists: bool = False
    loose: bool = False
    outdated: bool = False


def published(warehouse: Path) -> Published:
    current = wh.current_path(warehouse)
    if current is None:
        return Published(read_state(None))
    with contextlib.closing(duckdb.connect(str(current), read_only=True)) as con:
        outdated = schema_version(con) != SCHEMA_VERSION
        return Published(read_state(con), True, wh.is_loose(con), outdated)
