"""Saving a register version from this process: the CLI and the tests (issue 15).

The save itself is :func:`core.register.save.save`; by default it runs the ingest as
``workforce ingest`` in a process of its own, as the dashboard needs.  Here the ingest runs in
this process instead (:func:`load_here`), which only the nightly process's side may do: the
ingest is the pipeline's."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from core.register.save import LOCK as LOCK
from core.register.save import NotLoaded as NotLoaded
from core.register.save import RegisterInvalid as RegisterInvalid
from core.register.save import SaveConflict as SaveConflict
from core.register.save import change_entry as change_entry
from core.register.save import load_in_a_process_of_its_own as load_in_a_process_of_its_own
from core.register.save import save as save_with
from core.register.versions import Register
from core.settings import Settings
from pipeline.ingest.report import Reporter
from pipeline.ingest.run import run_ingest


def load_here(settings: Settings, today: date) -> None:
    """The ingest in this process (the CLI, tests): loads what is new in the landing zone."""
    with Reporter(io.StringIO()) as quiet:
        run_ingest(settings, quiet, today=today)


def save(
    settings: Settings,
    register: Register,
    *,
    load: Callable[[Settings, date], None] = load_here,
    **options: Any,
) -> Register:
    """:func:`core.register.save.save`, loading in this process unless told otherwise."""
    return save_with(settings, register, load=load, **options)
