"""Time one whole process: wall seconds and peak resident memory.

Linux counts in a child's ``ru_maxrss`` the resident size of the image it replaced at
``exec``: a child forked from a large process (the harness, after generating an estate)
reports at least the parent's size. So the command runs under GNU ``time`` (a small process)
when it is installed, which reports the peak of its own child; otherwise ``os.wait4``'s
figure is used, an upper bound.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass(frozen=True)
class Sample:
    """One run of a command."""

    seconds: float
    peak_mb: float
    code: int
    stderr: str
    timed_out: bool = False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _peak_from_gnu_time(path: Path) -> float | None:
    """The last line of ``time -f %M`` output: KiB (earlier lines may say a signal ended it)."""
    lines = path.read_text(encoding="utf-8", errors="replace").split()
    return int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None


def run_once(argv: Sequence[str], *, cwd: Path | None = None, timeout: float = 600.0) -> Sample:
    """Run ``argv`` with standard output discarded; kill its process group after ``timeout``."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        command = list(argv)
        if GNU_TIME is not None:
            command = [GNU_TIME, "-f", "%M", "-o", str(peak_file), *command]
        with open(Path(tmp) / "stderr", "w+b") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err,
                                    stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
            killer = threading.Timer(timeout, _kill_group, (proc,))
            killer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                killer.cancel()
            seconds = time.perf_counter() - start
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        peak = _peak_from_gnu_time(peak_file) if peak_file.exists() else None
    timed_out = seconds >= timeout and code != 0
    # ru_maxrss is in KiB on Linux.
    return Sample(seconds, usage.ru_maxrss / 1024 if peak is None else peak, code, text,
                  timed_out)
