"""The harness's ``floor`` stage and the in-process steps of ``bench/steps.py``. ``analyze``
without its reasoning must write what ``analyze`` writes, or the share of time it leaves to
reasoning means nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from measure import Sample  # noqa: E402
from targets import Result, Results, floor_lines  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, *args], capture_output=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "estate.ttl"
    assert run(str(BENCH / "generate.py"), "--components", "120", "--seed", "3",
               "--out", str(path)).returncode == 0
    return path


def test_floor_writes_the_bytes_of_analyze(estate: Path, tmp_path: Path) -> None:
    cache = tmp_path / "floor.pickle"
    assert run(str(BENCH / "floor.py"), "prepare", str(estate), str(cache)).returncode == 0
    floor = run(str(BENCH / "floor.py"), "run", str(estate), str(cache))
    analyze = run("-m", "kg_threat", "analyze", str(estate), "--format", "json")
    assert floor.returncode == analyze.returncode == 0, floor.stderr + analyze.stderr
    assert b'"findings": [\n    {"threat": ' in analyze.stdout
    assert floor.stdout == analyze.stdout


def test_floor_refuses_a_wrong_call() -> None:
    done = run(str(BENCH / "floor.py"), "analyse", "x.ttl")
    assert done.returncode == 2
    assert done.stderr == b"usage: floor.py prepare|run ESTATE.ttl CACHE\n"


def _result(size: int, stage: str, seconds: float) -> Result:
    return Result(size, stage, [Sample(seconds, 100.0, 0, "")])


def test_floor_lines_give_the_budget_left_to_reasoning() -> None:
    results: Results = {
        (5000, "load"): _result(5000, "load", 0.5),
        (5000, "analyze"): _result(5000, "analyze", 3.0),
        (5000, "floor"): _result(5000, "floor", 1.25),
        (5000, "pytm"): _result(5000, "pytm", 25.0),
        (1000, "load"): _result(1000, "load", 0.1),
    }
    assert floor_lines(results) == [
        "- 5,000 components: without reasoning, `analyze` would take 1.25 s, 2.50x the bare load; "
        "a 3x budget leaves 0.25 s for reasoning (it takes 1.75 s now); pytm / floor = 20.0x."
    ]
    assert floor_lines({(1000, "load"): _result(1000, "load", 0.1)}) == []


def test_steps_times_every_step_of_the_analysis_and_the_commands_after_it(estate: Path) -> None:
    done = run(str(BENCH / "steps.py"), str(estate), "--view", "stride-matrix")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[:2] == ["| step | seconds | where |", "|---|---:|---|"]
    steps = [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]]
    assert steps[:6] == [
        "imports and command registration", "load: the estate", "load: the bundled ontology",
        "reason: the attacker model", "reason: derivation rules", "reason: ontology index",
    ]
    # listed as they end: the side thread's reads and the target classes run at the same time
    assert sorted(steps[6:9]) == [
        "reason: catalog knowledge", "reason: target classes", "reason: the system's facts",
    ]
    assert steps[9:] == [
        "reason: applicable threats", "assess: likelihood, impact, risk, status",
        "analysis (the steps above, as run)", steps[12], "validate (SHACL)", "report (HTML)",
        "query: findings written as RDF", "query: the stride-matrix view",
    ]
    assert steps[12].startswith("analyze's JSON (") and steps[12].endswith(" findings)")
    wheres = {line.rsplit(" | ", 1)[1].rstrip(" |") for line in lines[2:]}
    assert wheres == {"main", "side thread"}


def test_steps_refuses_an_unknown_step_to_skip(estate: Path) -> None:
    done = run(str(BENCH / "steps.py"), str(estate), "--skip", "report,views")
    assert done.returncode == 2
    assert done.stderr.decode().endswith("error: cannot skip 'views': use validate, report or query\n")
