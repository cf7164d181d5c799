"""Bounds: sizes, rows, and wall-clock deadlines, each with its own message."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kg_threat.errors import InputError, LimitExceeded
from kg_threat.limits import Limits, deadline, format_size, limit_rows, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [("1000", 1000), ("64K", 65536), ("512M", 512 * 2**20), ("512MiB", 512 * 2**20),
     ("2g", 2 * 2**30), ("1.5k", 1536), (" 10 MB ", 10 * 2**20)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1", "12Q"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(InputError, match="not a size"):
        parse_size(text)


def test_format_size() -> None:
    assert format_size(12) == "12 bytes"
    assert format_size(512 * 2**20) == "512 MiB"
    assert format_size(1536) == "1.5 KiB"


def test_row_limit() -> None:
    assert list(limit_rows(range(3), 3)) == [0, 1, 2]
    assert list(limit_rows(range(5), None)) == [0, 1, 2, 3, 4]
    with pytest.raises(LimitExceeded) as caught:
        list(Limits(max_rows=2).rows(iter(range(10))))
    assert str(caught.value) == (
        "row limit reached: the query returned more than 2 rows\n"
        "  hint: raise the limit with --max-rows, or add LIMIT to the query"
    )


def spin_until_stopped(stop: threading.Event) -> None:
    while not stop.is_set():
        pass


def test_a_deadline_stops_python_code() -> None:
    with pytest.raises(LimitExceeded) as caught, deadline(0.2, step="reasoning"):
        spin_until_stopped(threading.Event())
    assert str(caught.value) == (
        "time limit reached: reasoning took longer than 0.2 s\n"
        "  hint: raise the limit with --timeout"
    )


def test_a_finished_block_leaves_no_alarm_behind() -> None:
    with deadline(30, step="loading") as limit:
        assert limit.remaining() is not None
        limit.check()
    with deadline(None, step="loading") as unlimited:
        assert unlimited.remaining() is None
        assert not unlimited.expired


def test_the_earlier_of_nested_deadlines_wins() -> None:
    with pytest.raises(LimitExceeded, match=r"^time limit reached: outer "), \
            deadline(0.2, step="outer"), deadline(60, step="inner"):
        spin_until_stopped(threading.Event())
    with pytest.raises(LimitExceeded, match=r"^time limit reached: inner "), \
            deadline(60, step="outer"), deadline(0.2, step="inner"):
        spin_until_stopped(threading.Event())


def test_the_outer_deadline_still_holds_after_an_inner_one() -> None:
    with pytest.raises(LimitExceeded, match="outer"), deadline(0.3, step="outer"):
        with deadline(60, step="inner"):
            pass
        spin_until_stopped(threading.Event())


def test_the_watchdog_reports_a_block_that_cannot_be_interrupted() -> None:
    """Off the main thread there is no alarm: the watchdog calls on_overrun instead."""
    reported: list[str] = []
    stop = threading.Event()

    def overrun(error: LimitExceeded) -> None:
        reported.append(str(error))
        stop.set()

    def worker() -> None:
        with deadline(0.1, step="query", on_overrun=overrun, grace=0.1) as limit:
            stop.wait(120)
            assert limit.expired

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(180)
    assert reported == ["time limit reached: query took longer than 0.1 s\n"
                        "  hint: raise the limit with --timeout"]


def test_cooperative_check_off_the_main_thread() -> None:
    errors: list[LimitExceeded] = []

    def worker() -> None:
        try:
            with deadline(0.05, step="assessment") as limit:
                while True:
                    limit.check()
        except LimitExceeded as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(180)
    assert [e.message for e in errors] == ["time limit reached: assessment took longer than 0.05 s"]


def test_a_non_positive_timeout_is_refused() -> None:
    with pytest.raises(InputError, match="must be positive"), deadline(0, step="x"):
        pass


def test_loading_runs_under_the_step_deadline(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from kg_threat.load import load_sources

    path = tmp_path / "big.nt"
    path.write_text("".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i}> .\n"
                            for i in range(200_000)))
    with pytest.raises(LimitExceeded, match="time limit reached: loading took longer"):
        load_sources([str(path), str(path)], ox.Store(), limits=Limits(timeout=0.001))
