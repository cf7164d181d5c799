"""Run one piece of Python work in a forked child process while this process goes on.

Threads do not help with work that holds the interpreter lock (pyshacl, building a report's
sections); a forked child does: it starts with a copy of this process's memory (the store,
the findings), needs nothing pickled to start, and sends back only its result. The report
validates the model this way while it gathers its sections, and validation checks one group
of shapes files this way while it checks the others.

The child is an optimisation only: where it cannot be used (not on Linux, other threads are
running, which a fork would copy in an unknown state, or the system refuses a new process)
or when it fails in any way (an error, a signal, a result that cannot be sent), the work runs
here instead, so its result and its errors are exactly those of a plain call.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")

_FAILED = "failed"


class Background(Generic[T]):
    """``work()``, computed in a forked child when possible; :meth:`result` waits for it.

    ``here``: the same work as done in this process, when it must differ from the child's
    (a child may change its copy of the memory, this process may not); default ``work``."""

    def __init__(self, work: Callable[[], T], here: Callable[[], T] | None = None) -> None:
        self._here = work if here is None else here
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        if not forkable():
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
            with contextlib.suppress(ValueError, OSError, AttributeError):
                stream.flush()
        process = context.Process(target=_child, args=(work, send), daemon=True,
                                  name="kg-threat-background")
        try:
            process.start()
        except OSError:  # no memory or no process left for a child: do the work here
            receive.close()
            return
        finally:
            send.close()
        self._process, self._receive = process, receive

    @property
    def forked(self) -> bool:
        """Whether the work runs in a child process."""
        return self._process is not None

    def result(self) -> T:
        """The work's result: the child's, or (without a child, or if it failed) computed here."""
        process, receive = self._process, self._receive
        if process is None or receive is None:
            return self._here()
        self._process = self._receive = None
        try:
            status, value = receive.recv()
        except (EOFError, OSError, pickle.UnpicklingError):  # the child died, or sent garbage
            status, value = _FAILED, None
        except BaseException:  # interrupted (Ctrl-C, a deadline's signal): do not wait for it
            process.kill()
            raise
        finally:
            receive.close()
            process.join()
        if status != "ok":
            return self._here()
        result: T = value
        return result

    def cancel(self) -> None:
        """Stop the child if it still runs (when its result is no longer wanted)."""
        process, receive = self._process, self._receive
        self._process = self._receive = None
        if process is not None and receive is not None:
            receive.close()
            process.kill()
            process.join()


def forkable() -> bool:
    """Whether a child can be forked safely: on Linux (macOS has ``fork`` but calls it unsafe
    with its system libraries), no other thread running, and this process not itself a child
    (multiprocessing lets a daemonic process have none)."""
    return (sys.platform == "linux" and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


def _child(work: Callable[[], object], send: Connection) -> None:
    """In the child: send ``("ok", result)``, or ``("failed", None)`` on any error, quietly
    (the parent then runs the work itself and reports its errors the usual way)."""
    try:
        message: tuple[str, object] = ("ok", work())
    except BaseException:  # the parent redoes the work and raises its error properly
        message = (_FAILED, None)
    try:
        send.send(message)
    except BaseException:  # e.g. a result that cannot be pickled: nothing was sent yet
        with contextlib.suppress(BaseException):  # else the parent sees EOF: the same
            send.send((_FAILED, None))
    finally:
        send.close()
