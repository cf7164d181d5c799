"""Summaries of the samples: the Markdown table and the target checks of the performance issue."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from measure import Sample

BASELINE = "load"


@dataclass
class Result:
    """Every run of one stage at one size; ``status`` is ``ok`` or why it did not run."""

    size: int
    stage: str
    samples: list[Sample] = field(default_factory=list)
    status: str = "ok"

    @property
    def ok(self) -> bool:
        """At least one run completed (a later run may still have failed: see ``status``)."""
        return bool(self.samples)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


Results = dict[tuple[int, str], Result]


def _ok(results: Results, size: int, stage: str) -> Result | None:
    found = results.get((size, stage))
    return found if found is not None and found.ok else None


def ratio_to_load(results: Results, result: Result) -> float | None:
    base = _ok(results, result.size, BASELINE)
    if base is None or not result.ok or base.seconds <= 0:
        return None
    return result.seconds / base.seconds


def table(results: Results) -> str:
    """The Markdown table, one row per size and stage, in the order they ran."""
    rows = ["| components | stage | median s | x bare load | peak MB | runs | status |",
            "|---:|---|---:|---:|---:|---:|---|"]
    for result in results.values():
        ratio = ratio_to_load(results, result)
        if result.ok:
            cells = [f"{result.seconds:.2f}", f"{ratio:.2f}" if ratio is not None else "",
                     f"{result.peak_mb:.0f}"]
        else:
            cells = ["", "", ""]
        rows.append(f"| {result.size:,} | {result.stage} | {' | '.join(cells)} | "
                    f"{len(result.samples)} | {result.status} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class Check:
    target: str
    verdict: str  # PASS, FAIL, or "n/a" when a number is missing
    measured: str


Measure = Callable[[Results], tuple[float, str] | None]


def _quotient(top: tuple[int, str], bottom: tuple[int, str], digits: int = 2) -> Measure:
    """The time of run ``top`` (size, stage) over the time of run ``bottom``."""

    def measure(results: Results) -> tuple[float, str] | None:
        a, b = _ok(results, *top), _ok(results, *bottom)
        if a is None or b is None:
            return None
        value = a.seconds / b.seconds
        return value, f"{a.seconds:.2f} s / {b.seconds:.2f} s = {value:.{digits}f}x"

    return measure


def _ratio(stage: str, size: int) -> Measure:
    return _quotient((size, stage), (size, BASELINE))


def _growth(stage: str, small: int, large: int) -> Measure:
    return _quotient((large, stage), (small, stage))


def _speedup(slow: str, fast: str, size: int) -> Measure:
    return _quotient((size, slow), (size, fast), digits=1)


def _peak(stage: str, size: int) -> Measure:
    def measure(results: Results) -> tuple[float, str] | None:
        found = _ok(results, size, stage)
        return None if found is None else (found.peak_mb, f"{found.peak_mb:.0f} MB")
    return measure


def _seconds(stage: str, size: int) -> Measure:
    def measure(results: Results) -> tuple[float, str] | None:
        found = _ok(results, size, stage)
        return None if found is None else (found.seconds, f"{found.seconds:.2f} s")
    return measure


# (target, measure, passes)
TARGETS: tuple[tuple[str, Measure, Callable[[float], bool]], ...] = (
    ("analyze ≤ 3x bare load at 10k", _ratio("analyze", 10_000), lambda v: v <= 3.0),
    ("analyze ≥ 30x faster than pytm at 5k", _speedup("pytm", "analyze", 5_000),
     lambda v: v >= 30.0),
    ("analyze 20k / 10k ≤ 2.1", _growth("analyze", 10_000, 20_000), lambda v: v <= 2.1),
    ("analyze peak memory ≤ 500 MB at 10k", _peak("analyze", 10_000), lambda v: v <= 500.0),
    ("validate ≤ 10x bare load at 10k", _ratio("validate", 10_000), lambda v: v <= 10.0),
    ("report at 10k in seconds (≤ 10 s)", _seconds("report", 10_000), lambda v: v <= 10.0),
    ("report 20k / 10k ≤ 2.1", _growth("report", 10_000, 20_000), lambda v: v <= 2.1),
)


def checks(results: Results) -> list[Check]:
    found: list[Check] = []
    for target, measure, passes in TARGETS:
        got = measure(results)
        if got is None:
            found.append(Check(target, "n/a", "not measured (size not run, or the stage failed)"))
        else:
            found.append(Check(target, "PASS" if passes(got[0]) else "FAIL", got[1]))
    return found


def floor_lines(results: Results) -> list[str]:
    """What the ``floor`` stage (``analyze`` without its reasoning) says of the 3x target and of
    the pytm target, at the sizes where both were measured."""
    lines: list[str] = []
    for size in sorted({size for size, stage in results if stage == "floor"}):
        floor, base = _ok(results, size, "floor"), _ok(results, size, BASELINE)
        analyze, pytm = _ok(results, size, "analyze"), _ok(results, size, "pytm")
        if floor is None or base is None:
            continue
        text = (f"- {size:,} components: without reasoning, `analyze` would take {floor.seconds:.2f} s, "
                f"{floor.seconds / base.seconds:.2f}x the bare load; a 3x budget leaves "
                f"{3 * base.seconds - floor.seconds:.2f} s for reasoning")
        if analyze is not None:
            text += f" (it takes {analyze.seconds - floor.seconds:.2f} s now)"
        if pytm is not None:
            text += f"; pytm / floor = {pytm.seconds / floor.seconds:.1f}x"
        lines.append(text + ".")
    return lines


def checks_table(results: Results) -> str:
    rows = ["| target | verdict | measured |", "|---|---|---|"]
    rows += [f"| {c.target} | {c.verdict} | {c.measured} |" for c in checks(results)]
    return "\n".join(rows)
