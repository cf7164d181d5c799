"""Time one whole process: wall seconds and peak resident memory (``os.wait4``'s rusage)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One run of a command."""

    seconds: float
    peak_mb: float
    code: int
    stderr: str
    timed_out: bool = False


def run_once(argv: Sequence[str], *, cwd: Path | None = None, timeout: float = 900.0) -> Sample:
    """Run ``argv`` with stdout discarded; peak RSS is that of the child and what it waited for."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=err,
                                stdin=subprocess.DEVNULL, cwd=cwd)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    timed_out = code < 0 and seconds >= timeout
    # ru_maxrss is in KiB on Linux.
    return Sample(seconds, usage.ru_maxrss / 1024, code, text, timed_out)
