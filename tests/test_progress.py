"""Progress bars: shown only on a terminal, not with --quiet, and only for long work."""

from __future__ import annotations

import io
import subprocess
import sys

from kg_threat import progress


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        super().isatty()  # raises ValueError once closed, like a real stream
        return True


def test_no_output_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress.task("Parsing system.ttl", total=10, stream=stream, delay=0) as advance:
        advance(4)
        advance(6)
    assert stream.getvalue() == ""


def test_no_output_when_quiet_even_on_a_terminal() -> None:
    stream = FakeTerminal()
    with progress.task("Parsing system.ttl", total=10, quiet=True, stream=stream,
                       delay=0) as advance:
        advance(10)
    assert stream.getvalue() == ""
    assert not progress.shows_progress(stream, quiet=True)


def test_no_output_for_work_shorter_than_the_delay() -> None:
    stream = FakeTerminal()
    with progress.task("Reasoning", stream=stream, delay=3600) as advance:
        advance(1)
    assert stream.getvalue() == ""


def test_bar_on_a_terminal_once_the_delay_has_passed() -> None:
    stream = FakeTerminal()
    with progress.task("Parsing system.ttl", total=10, stream=stream, delay=0) as advance:
        advance(10)
    out = stream.getvalue()
    assert "Parsing system.ttl" in out
    assert "100%" in out


def test_spinner_without_a_total() -> None:
    stream = FakeTerminal()
    with progress.task("Pushing to the store", stream=stream, delay=0) as advance:
        advance(1)
    assert "Pushing to the store" in stream.getvalue()


def test_closed_stream_is_not_a_terminal() -> None:
    stream = FakeTerminal()
    stream.close()
    assert not progress.shows_progress(stream)


def test_stderr_not_a_terminal_writes_nothing_and_never_imports_rich() -> None:
    code = (
        "import sys\n"
        "from kg_threat import progress\n"
        "with progress.task('Parsing', total=3, delay=0) as advance:\n"
        "    advance(3)\n"
        "print('rich' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout == "False\n"
    assert proc.stderr == ""
