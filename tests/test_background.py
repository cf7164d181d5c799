"""Work in a forked child (kg_threat/background.py): the same result as a plain call, the
same errors, and no child where one would be unsafe."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from kg_threat.background import Background, forkable


@pytest.fixture(autouse=True)
def single_thread() -> Iterator[None]:
    """These tests expect to be the only thread, as the commands are when they fork."""
    assert threading.active_count() == 1, [t.name for t in threading.enumerate()]
    yield


def test_the_result_comes_from_a_child_process() -> None:
    parent = os.getpid()
    job = Background(os.getpid)
    assert forkable() and job.forked
    assert job.result() not in (parent, None)


def test_a_child_changes_only_its_own_memory() -> None:
    seen: list[str] = ["here"]

    def change() -> list[str]:
        seen.append("child")
        return seen

    job = Background(change, here=lambda: ["not", "called"])
    assert job.result() == ["here", "child"]
    assert seen == ["here"]


def test_a_failing_child_leaves_the_work_to_this_process(capfd: pytest.CaptureFixture[str]) -> None:
    calls: list[int] = []

    def fails() -> int:
        calls.append(os.getpid())
        raise ValueError("the work's own error")

    job = Background(fails)
    with pytest.raises(ValueError, match="the work's own error"):
        job.result()
    assert calls == [os.getpid()]  # the child's call is not seen here; this one raised
    assert capfd.readouterr().err == ""  # the child failed quietly: no second traceback


def test_a_result_that_cannot_be_sent_is_computed_here() -> None:
    def unpicklable() -> object:
        return lambda: "in the child"

    job = Background(unpicklable, here=lambda: "here")
    assert job.forked
    assert job.result() == "here"


def test_a_child_killed_by_a_signal_leaves_the_work_to_this_process() -> None:
    def dies() -> str:
        os.kill(os.getpid(), 9)
        return "never"

    assert Background(dies, here=lambda: "here").result() == "here"


def test_cancel_stops_a_running_child() -> None:
    job = Background(lambda: time.sleep(60))
    start = time.monotonic()
    job.cancel()
    assert time.monotonic() - start < 30
    assert not job.forked
    job.cancel()  # again: nothing to do


def test_no_child_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not forkable()
        job = Background(os.getpid)
        assert not job.forked
        assert job.result() == os.getpid()
    finally:
        stop.set()
        other.join()


def test_a_child_does_its_own_background_work_itself() -> None:
    """multiprocessing lets no daemonic child fork again: work started in a child runs there."""

    def outer() -> tuple[bool, bool, int]:
        inner = Background(os.getpid)
        return forkable(), inner.forked, inner.result() - os.getpid()

    job = Background(outer)
    assert job.forked
    assert job.result() == (False, False, 0)


class Interrupted(Exception):
    pass


def test_an_interrupted_wait_stops_the_child() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    job = Background(lambda: time.sleep(60))
    process = job._process
    assert process is not None
    start = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(Interrupted):
            job.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - start < 30
    assert not process.is_alive()


def test_a_child_the_system_refuses_leaves_the_work_to_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.process

    def refuse(self: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    job = Background(os.getpid)
    assert not job.forked
    assert job.result() == os.getpid()
