"""Saving a register edit and seeing it (issue 15's target: at most 3 s at scale 1.0).

On a copy of a loaded landing zone and warehouse (the scale-1.0 demo in ``make bench``), the
strategy office's editor (``dashboard/register_editor.py``) runs under AppTest as the page
would: a milestone's delivery confidence is changed and saved (written as a PROGRAMME
delivery, loaded by the real ingest, audited), and the editor drawn again with the register now
in force.  Timed from the press to the redrawn editor, three times (each save a new version).
(That a register-only load does not rebuild the marts is a test: tests/test_register.py.)

Run alone: ``python -m benchmarks.register_bench LANDING WAREHOUSE``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EDITOR = "bench.strategy@workforce.local"
TARGET_S = 3.0


def _script() -> None:
    from dashboard import identity, register_editor

    register_editor.draw(identity.caller())


def submit(at):
    return next(b for b in at.button if b.label == "Save the change")


def bench(landing: Path, warehouse: Path, saves: int = 3) -> dict[str, object]:
    scratch = Path(tempfile.mkdtemp(prefix="register-bench-"))
    try:
        shutil.copytree(landing, scratch / "landing", copy_function=os.link)
        shutil.copytree(warehouse, scratch / "warehouse")
        policy = scratch / "access.toml"
        policy.write_text(
            f'[[user]]\nemail = "{EDITOR}"\nrole = "strategy_office"\nclusters = ["*"]\n'
        )
        os.environ.update(
            WORKFORCE_LANDING=str(scratch / "landing"),
            WORKFORCE_WAREHOUSE=str(scratch / "warehouse"),
            WORKFORCE_REFERENCE=str(REPO / "data" / "reference"),
            WORKFORCE_ACCESS=str(policy),
            WORKFORCE_DEMO_USER=EDITOR,
            WORKFORCE_AUDIT=str(scratch / "audit.sqlite"),
        )
        from streamlit.testing.v1 import AppTest

        from core.settings import get_settings

        get_settings.cache_clear()
        at = AppTest.from_function(_script, default_timeout=300)
        at.run()
        times = []
        for n in range(saves):
            rating = ("red", "green", "amber")[n % 3]
            at.selectbox(key="register.update.rating").set_value(rating)
            at.text_area(key="register.update.reason").set_value(f"benchmark save {n + 1}")
            began = time.perf_counter()
            submit(at).click().run()
            times.append(time.perf_counter() - began)
            if not at.success:
                raise RuntimeError(f"save {n + 1} failed: {[e.value for e in at.error]}")
        return {"times": times, "median": statistics.median(times)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def section(result: dict, scale: str = "scale-1.0") -> list[str]:
    times = ", ".join(f"{t:.2f} s" for t in result["times"])
    median = result["median"]
    return [
        "## Saving a register edit (issue 15)",
        "",
        f"On a copy of the {scale} landing zone and warehouse, the register editor under AppTest"
        " as the strategy office: a milestone re-rated and saved (a PROGRAMME delivery written,"
        " loaded by the ingest, each field audited), then the editor drawn again with the"
        " register in force (`benchmarks/register_bench.py`).",
        "",
        "| saves | each | median | target | met |",
        "|---:|---|---:|---|---|",
        f"| {len(result['times'])} | {times} | {median:.2f} s | <= {TARGET_S:.0f} s | "
        f"{'yes' if median <= TARGET_S else '**no**'} |",
    ]


if __name__ == "__main__":
    print("\n".join(section(bench(Path(sys.argv[1]), Path(sys.argv[2])))))
