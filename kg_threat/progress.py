"""Progress bars on standard error for long work (loads, reasoning, pushes).

    with progress.task("Parsing system.ttl", total=n_bytes, quiet=quiet) as advance:
        for chunk in chunks:
            ...
            advance(len(chunk))

A bar appears only when the stream (standard error by default) is a terminal, ``quiet`` is
false, and the work is still running after ``delay`` seconds, so short work never flickers.
Otherwise ``advance`` does nothing and rich is never imported. The bar is transient: it is
erased when the work ends, leaving the terminal as it was.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Final

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

Advance = Callable[[int], None]

DEFAULT_DELAY: Final = 1.0


def _ignore(amount: int = 1) -> None:
    """The ``advance`` of work that shows no bar."""


def shows_progress(stream: IO[str] | None = None, *, quiet: bool = False) -> bool:
    """Whether a bar may be shown on ``stream`` (standard error by default)."""
    if quiet:
        return False
    target = sys.stderr if stream is None else stream
    isatty = getattr(target, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


class _DelayedBar:
    """A rich bar that starts once ``delay`` seconds have passed (timer or first late advance)."""

    def __init__(self, description: str, total: int | None, stream: IO[str],
                 delay: float) -> None:
        self._description = description
        self._total = total
        self._stream = stream
        self._delay = delay
        self._started_at = time.monotonic()
        self._completed = 0
        self._lock = threading.Lock()
        self._closed = False
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._progress is not None:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            columns = [SpinnerColumn(), TextColumn("{task.description}")]
            if self._total is not None:
                columns += [BarColumn(), TaskProgressColumn()]
            columns.append(TimeElapsedColumn())
            progress = Progress(*columns, console=Console(file=self._stream),
                                transient=True)
            self._task = progress.add_task(self._description, total=self._total,
                                           completed=self._completed)
            progress.start()
            self._progress = progress

    def advance(self, amount: int = 1) -> None:
        late = False
        with self._lock:
            self._completed += amount
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, completed=self._completed)
            elif time.monotonic() - self._started_at >= self._delay:
                late = True
        if late:
            self._show()

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._progress is not None:
                self._progress.stop()


@contextmanager
def task(description: str, total: int | None = None, *, quiet: bool = False,
         stream: IO[str] | None = None, delay: float = DEFAULT_DELAY) -> Iterator[Advance]:
    """Report progress of one piece of work; yields ``advance(amount)``.

    ``total`` is in the unit of ``advance`` (bytes, triples, requests); ``None`` shows a
    spinner and the elapsed time only. The bar goes to ``stream`` (standard error by default).
    """
    target = sys.stderr if stream is None else stream
    if not shows_progress(target, quiet=quiet):
        yield _ignore
        return
    bar = _DelayedBar(description, total, target, delay)
    try:
        yield bar.advance
    finally:
        bar.close()
