"""Run a command as a child process and measure its wall time and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

_PROBE = """
import json, resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - began, "returncode": done.returncode,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stderr": done.stderr[-2000:], "stdout": done.stdout[-2000:]}))
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


def measure(command: list[str]) -> Run:
    """Wall time and peak resident memory of ``command`` (its own process tree, measured apart)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *command], capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout)
    run = Run(
        seconds=data["seconds"],
        peak_mib=data["peak_kib"] / 1024,
        returncode=data["returncode"],
        stdout=data["stdout"],
        stderr=data["stderr"],
    )
    if run.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {run.returncode}: {run.stderr}")
    return run
