"""Bounds on the work one run may do: input size, nesting depth, wall-clock time, result rows.

Every bound fails with :class:`~kg_threat.errors.LimitExceeded` (exit 2) and a message that
names the limit and the option that raises it, so the four cases are told apart.

The wall-clock limit is enforced in two layers by :func:`deadline`:

* a ``SIGALRM`` timer (main thread, POSIX) raises ``LimitExceeded`` as soon as Python code runs
  again: parser iterators, rdflib, pure-Python loops;
* native calls that hold no Python frame for long (a pyoxigraph query evaluation, a bulk load)
  cannot be interrupted that way; for them an optional watchdog thread calls ``on_overrun``
  once ``grace`` seconds have passed beyond the deadline. The command-line shell passes a
  callback that reports the error and ends the process with exit code 2.

Long loops may also call :meth:`Deadline.check`, and subprocesses (the Java reasoner) may use
:meth:`Deadline.remaining` as their own timeout.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

from kg_threat.errors import InputError, LimitExceeded

MIB = 1024 * 1024
DEFAULT_MAX_INPUT_SIZE = 512 * MIB
DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_DEPTH = 256
DEFAULT_GRACE = 2.0

OverrunHandler = Callable[[LimitExceeded], None]
_T = TypeVar("_T")


@dataclass(frozen=True)
class Limits:
    """The bounds of one run. ``None`` disables a bound."""

    max_input_size: int | None = DEFAULT_MAX_INPUT_SIZE
    """Total bytes of all input documents of one run (``--max-input-size``)."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Wall-clock seconds allowed to each step (``--timeout``)."""
    max_rows: int | None = DEFAULT_MAX_ROWS
    """Rows a query may return (``--max-rows``)."""
    max_depth: int = DEFAULT_MAX_DEPTH
    """Nesting depth of JSON-LD objects and RDF/XML elements (their parsers are superlinear)."""
    on_overrun: OverrunHandler | None = None
    """Called from a watchdog thread when a native call outlives its deadline by ``grace``."""
    grace: float = DEFAULT_GRACE

    def step(self, name: str) -> AbstractContextManager[Deadline]:
        """A deadline for one pipeline step with this run's timeout: ``with limits.step("x"):``."""
        return deadline(self.timeout, step=name, on_overrun=self.on_overrun, grace=self.grace)

    def rows(self, rows: Iterable[_T]) -> Iterator[_T]:
        """Yield ``rows``, failing once more than ``max_rows`` come."""
        return limit_rows(rows, self.max_rows)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}


def parse_size(text: str) -> int:
    """Parse a byte count: ``1000``, ``64K``, ``512M``, ``512MiB``, ``2G`` (powers of 1024)."""
    match = _SIZE.match(text)
    if match is None:
        raise InputError(f"not a size: {text!r} (use a number of bytes, or e.g. 64K, 512M, 2G)")
    number, unit, _ = match.groups()
    return int(float(number) * _UNITS[unit.lower()])


def format_size(size: int) -> str:
    """A byte count for messages: ``512 MiB``, ``1.5 KiB``, ``12 bytes``."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def size_exceeded(source: str, size: int, limit: int) -> LimitExceeded:
    """The error for an input over the size limit."""
    return LimitExceeded(
        f"input too large: {source} brings the input to {format_size(size)}, over the limit of "
        f"{format_size(limit)}",
        hint="raise the limit with --max-input-size",
    )


def depth_exceeded(source: str, depth: int, what: str) -> LimitExceeded:
    """The error for a document nested deeper than the limit."""
    return LimitExceeded(
        f"{source}: {what} nested more than {depth} levels deep; refused (its parser would "
        "take too long or run out of stack)",
    )


def time_exceeded(step: str, seconds: float) -> LimitExceeded:
    """The error for a step that ran out of time."""
    return LimitExceeded(
        f"time limit reached: {step} took longer than {seconds:g} s",
        hint="raise the limit with --timeout",
    )


def rows_exceeded(limit: int) -> LimitExceeded:
    """The error for a query result over the row limit."""
    return LimitExceeded(
        f"row limit reached: the query returned more than {limit} rows",
        hint="raise the limit with --max-rows, or add LIMIT to the query",
    )


def limit_rows(rows: Iterable[_T], limit: int | None) -> Iterator[_T]:
    """Yield ``rows``, raising :class:`LimitExceeded` on the row after the ``limit``-th."""
    for count, row in enumerate(rows, start=1):
        if limit is not None and count > limit:
            raise rows_exceeded(limit)
        yield row


class Deadline:
    """A point in wall-clock time by which a step must end."""

    def __init__(self, seconds: float | None, step: str) -> None:
        self.seconds = seconds
        self.step = step
        self._end = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left (at least 0), or ``None`` when there is no limit."""
        if self._end is None:
            return None
        return max(0.0, self._end - time.monotonic())

    @property
    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def error(self) -> LimitExceeded:
        return time_exceeded(self.step, self.seconds or 0.0)

    def check(self) -> None:
        """Raise :class:`LimitExceeded` when the deadline has passed."""
        if self.expired:
            raise self.error()


@contextmanager
def _deadline(
    seconds: float | None,
    step: str,
    on_overrun: OverrunHandler | None,
    grace: float,
) -> Iterator[Deadline]:
    if seconds is not None and seconds <= 0:
        raise InputError(f"the time limit must be positive, not {seconds:g}")
    current = Deadline(seconds, step)
    if seconds is None:
        yield current
        return
    finished = threading.Event()
    watchdog: threading.Thread | None = None
    if on_overrun is not None:
        handler = on_overrun

        def watch() -> None:
            if not finished.wait(seconds + grace):
                handler(current.error())

        watchdog = threading.Thread(target=watch, name=f"deadline:{step}", daemon=True)
        watchdog.start()
    with _alarm(current):
        try:
            yield current
        finally:
            finished.set()
    if watchdog is not None:
        watchdog.join()


@contextmanager
def _alarm(current: Deadline) -> Iterator[None]:
    """Arm SIGALRM for ``current`` (main thread only); nested deadlines keep the earlier end."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or current.seconds is None:
        yield
        return
    started = time.monotonic()
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    ours = not outer_left or current.seconds < outer_left

    def fire(signum: int, frame: FrameType | None) -> None:
        if ours:
            raise current.error()
        if callable(outer_handler):
            outer_handler(signum, frame)

    signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, current.seconds if ours else outer_left)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def deadline(
    seconds: float | None,
    *,
    step: str,
    on_overrun: OverrunHandler | None = None,
    grace: float = DEFAULT_GRACE,
) -> AbstractContextManager[Deadline]:
    """Limit the wall-clock time of a block: ``with deadline(60, step="reasoning") as d: …``.

    Raises :class:`LimitExceeded` ("time limit reached: reasoning took longer than 60 s") when
    the time runs out while Python code runs. ``seconds=None`` means no limit. ``on_overrun``
    (if given) is called from a watchdog thread if the block is still running ``grace``
    seconds after the deadline, e.g. stuck in a native call that cannot be interrupted.
    """
    return _deadline(seconds, step, on_overrun, grace)
