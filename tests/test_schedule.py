"""Steps side by side (kg_threat/schedule.py): needs first, same results on any number of threads."""

from __future__ import annotations

import threading
import time

import pytest

from kg_threat.schedule import Task, chain_lengths, run_tasks


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


def test_chain_lengths_count_the_longest_chain_of_waiting_tasks() -> None:
    def task(key: str, *needs: str) -> Task[str, None]:
        return Task(key, frozenset(needs), lambda: None)

    tasks = [task("a"), task("b"), task("x"), task("y", "x"), task("z", "y", "a")]
    assert chain_lengths(tasks) == {"a": 2, "b": 1, "x": 3, "y": 2, "z": 1}


def test_a_free_thread_takes_the_task_that_starts_the_longest_chain() -> None:
    started: list[str] = []
    lock = threading.Lock()

    def step(name: str, *needs: str) -> Task[str, str]:
        def run() -> str:
            with lock:
                started.append(name)
            time.sleep(0.01)
            return name
        return Task(name, frozenset(needs), run)

    tasks = [step("a"), step("b"), step("c"), step("x"), step("y", "x"), step("z", "y")]
    assert run_tasks(tasks, 2) == {k: k for k in "abcxyz"}
    # two threads: only two tasks are handed out at first, x (a chain of three) and a
    assert sorted(started[:2]) == ["a", "x"]
    assert started.index("x") < started.index("y") < started.index("z")
