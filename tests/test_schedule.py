"""Steps side by side (kg_threat/schedule.py): needs first, same results on any number of threads."""

from __future__ import annotations

import threading
import time

import pytest

from kg_threat.schedule import Task, run_tasks


def _tasks(log: list[str]) -> list[Task[str, str]]:
    lock = threading.Lock()

    def step(name: str, pause: float) -> Task[str, str]:
        def run() -> str:
            time.sleep(pause)  # the first step is the slowest: what needs it must still wait
            with lock:
                log.append(name)
            return name.upper()
        return Task(name, frozenset(needs[name]), run)

    needs = {"a": [], "b": [], "c": ["a"], "d": ["b", "c"]}
    return [step("a", 0.05), step("b", 0.0), step("c", 0.0), step("d", 0.0)]


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_a_task_starts_after_the_tasks_it_needs(workers: int) -> None:
    log: list[str] = []
    assert run_tasks(_tasks(log), workers) == {"a": "A", "b": "B", "c": "C", "d": "D"}
    assert log.index("a") < log.index("c") < log.index("d") and log.index("b") < log.index("d")
    if workers == 1:
        assert log == ["a", "b", "c", "d"]  # one thread: the given order


def test_a_need_that_never_runs_is_an_error() -> None:
    tasks = [Task("a", frozenset({"missing"}), lambda: 1)]
    with pytest.raises(ValueError, match="never run"):
        run_tasks(tasks, 2)


def test_an_error_in_a_task_reaches_the_caller() -> None:
    def fail() -> int:
        raise RuntimeError("rule failed")

    with pytest.raises(RuntimeError, match="rule failed"):
        run_tasks([Task("a", frozenset(), fail), Task("b", frozenset({"a"}), lambda: 2)], 2)
