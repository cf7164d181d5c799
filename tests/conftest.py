"""Fixtures shared by every test module."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "fraud-scoring.ttl"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def example() -> Path:
    return EXAMPLE


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


@pytest.fixture
def cli() -> Callable[..., Run]:
    """Run ``kg-threat ARGS…`` in a fresh process, as a user would."""

    def run(*args: str | Path, stdin: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "kg_threat", *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=600,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run
