"""Run steps side by side, each once the steps it needs are done.

The derivation rules and the target-class steps are mostly native work in pyoxigraph, which
runs queries and parses answers without holding the interpreter lock, so independent steps
use every core. The results do not depend on the number of threads: a step starts only after
every step it needs has finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass(frozen=True)
class Task(Generic[K, T]):
    """A step: its name, the names of the steps it reads the results of, and its work."""

    key: K
    needs: frozenset[K]
    run: Callable[[], T]


def default_workers() -> int:
    """One thread per CPU, at most four."""
    return min(4, os.cpu_count() or 1)


def run_tasks(tasks: Sequence[Task[K, T]], workers: int, prefix: str = "kg-threat") -> dict[K, T]:
    """Run every task once its needs are done; each task's result by key. ``tasks`` must be
    in an order where needs come first (with one worker they run in that order)."""
    done: dict[K, T] = {}
    if workers <= 1:
        for task in tasks:
            done[task.key] = task.run()
        return done
    pending = list(tasks)
    running: dict[Future[T], Task[K, T]] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=prefix)
    try:
        while pending or running:
            for task in [t for t in pending if t.needs <= done.keys()]:
                pending.remove(task)
                running[pool.submit(task.run)] = task
            if not running:
                raise ValueError(f"steps wait for steps that never run: {[t.key for t in pending]}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                done[running.pop(future).key] = future.result()
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
    return done
