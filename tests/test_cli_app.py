"""The command line's entry point (kg_threat/cli/app.py): how it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def test_ctrl_c_ends_with_a_message_and_exit_code_130() -> None:
    """Interrupted while it waits for its input on standard input, the command says so and
    exits 130, without a traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg_threat", "analyze", "-", "--input-format", "turtle"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        time.sleep(2.0)  # start-up done; reading standard input, which never ends
        os.kill(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.decode().strip() == "kg-threat: interrupted"
    assert out == b""
