"""Benchmark kg-threat against a bare pyoxigraph load and against pytm, on synthetic estates.

    python bench/harness.py [--sizes 1000,5000,10000,20000,50000] [--runs 3] [--only STAGE,...]
                            [--pytm-sizes 5000] [--seed 1] [--out docs/benchmarks-latest.md]

Every stage is a whole process (start-up included), timed for wall seconds and peak resident
memory; the table gives medians over the runs (peak: the largest). Runs are interleaved
(run 1 of every stage, then run 2...) so that drift of a shared machine hits all stages alike.
The bare load always runs: it is the baseline of the ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from measure import run_once
from targets import Result, Results, checks_table, floor_lines, table

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GENERATOR_SOURCES = ("estate.py", "build.py", "decisions.py", "write_turtle.py",
                     "write_pytm.py", "generate.py")
STAGES = ("load", "startup", "analyze", "floor", "validate", "query", "report", "pytm")
# validate exits 1 when it finds violations: that is a completed run.
ACCEPTED_CODES = {"validate": (0, 1)}
LOAD = ("import sys, pyoxigraph as ox; "
        "ox.Store().bulk_load(path=sys.argv[1], format=ox.RdfFormat.TURTLE)")


def kg_threat_command() -> list[str]:
    script = Path(sys.executable).with_name("kg-threat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg_threat"]


def estate_files(size: int, seed: int) -> tuple[Path, Path]:
    """The cached Turtle and pytm script for a size, regenerated when the generator changed."""
    RESULTS.mkdir(exist_ok=True)
    ttl = RESULTS / f"estate-{size}-seed{seed}.ttl"
    script = RESULTS / f"pytm-{size}-seed{seed}.py"
    newest = max((HERE / name).stat().st_mtime for name in GENERATOR_SOURCES)
    if not all(p.exists() and p.stat().st_mtime >= newest for p in (ttl, script)):
        print(f"generating {size} components (seed {seed})", file=sys.stderr)
        generate(size, seed, ttl, script)
    return ttl, script


def floor_cache(ttl: Path, work: Path) -> Path:
    """The reasoning's results for the ``floor`` stage, found once per harness run (untimed)."""
    cache = work / "floor.pickle"
    print(f"preparing the floor stage: {ttl.name}", file=sys.stderr)
    subprocess.run([sys.executable, str(HERE / "floor.py"), "prepare", str(ttl), str(cache)],
                   check=True, stdout=subprocess.DEVNULL)
    return cache


def stage_command(stage: str, ttl: Path, script: Path, work: Path) -> list[str] | None:
    kgt = kg_threat_command()
    commands = {
        "load": [sys.executable, "-c", LOAD, str(ttl)],
        "startup": [*kgt, "version"],
        "analyze": [*kgt, "analyze", str(ttl), "--format", "json"],
        "floor": [sys.executable, str(HERE / "floor.py"), "run", str(ttl), str(work / "floor.pickle")],
        "validate": [*kgt, "validate", str(ttl)],
        "query": [*kgt, "query", str(ttl), "risk-register"],
        "report": [*kgt, "report", str(ttl), "-o", str(work / "report.html")],
        "pytm": [sys.executable, str(script), "--json", str(work / "pytm.json")],
    }
    return commands.get(stage)


def failure(stage: str, code: int, stderr: str, timed_out: bool) -> str | None:
    """Why a run does not count, or None when it completed."""
    if timed_out:
        return "timed out"
    if code in ACCEPTED_CODES.get(stage, (0,)):
        return None
    if "No such command" in stderr:
        return "not implemented yet"
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    return f"failed (exit {code}): {last[:120]}"


def plan(sizes: Sequence[int], stages: Sequence[str], pytm_sizes: Sequence[int]
         ) -> list[tuple[int, str]]:
    return [(size, stage) for size in sizes for stage in stages
            if stage != "pytm" or size in pytm_sizes]


def run(sizes: Sequence[int], stages: Sequence[str], runs: int, seed: int,
        pytm_sizes: Sequence[int], timeout: float) -> Results:
    results: Results = {}
    given_up: dict[str, int] = {}  # stage -> size where it timed out: larger sizes are skipped
    have_pytm = importlib.util.find_spec("pytm") is not None
    for size in sizes:
        ttl, script = estate_files(size, seed)
        work = RESULTS / f"work-{size}"
        work.mkdir(exist_ok=True)
        todo = [stage for s, stage in plan([size], stages, pytm_sizes)]
        if "floor" in todo:
            floor_cache(ttl, work)
        for stage in todo:
            results[(size, stage)] = result = Result(size, stage)
            if stage == "pytm" and not have_pytm:
                result.status = "pytm not installed (pip install '.[bench]')"
            elif stage in given_up:
                result.status = f"skipped: timed out at {given_up[stage]:,}"
        for number in range(1, runs + 1):
            for stage in todo:
                result = results[(size, stage)]
                command = stage_command(stage, ttl, script, work)
                if result.status != "ok" or command is None:
                    continue
                sample = run_once(command, cwd=work, timeout=timeout)
                why = failure(stage, sample.code, sample.stderr, sample.timed_out)
                if why is not None:
                    result.status = f"run {number}: {why}" if result.samples else why
                    print(f"{size:>6} {stage:<9} run {number}/{runs}: {why}", file=sys.stderr)
                    if sample.timed_out:
                        given_up.setdefault(stage, size)
                    continue
                result.samples.append(sample)
                print(f"{size:>6} {stage:<9} run {number}/{runs}: {sample.seconds:7.2f} s "
                      f"{sample.peak_mb:6.0f} MB", file=sys.stderr)
    return results


def machine() -> str:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = ""
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.1f} GiB memory"
    libs = ", ".join(f"{n} {version(n)}" for n in
                     ("kg-threat", "pyoxigraph", "rdflib", "pyshacl", "pytm"))
    return (f"{os.cpu_count()} CPUs ({cpu}){mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {libs}")


def report(results: Results, argv: Sequence[str], load_avg: tuple[float, float]) -> str:
    command = "python bench/harness.py" + ("" if not argv else " " + shlex.join(argv))
    floor = floor_lines(results)
    floor_text = "" if not floor else "\n### Reasoning's budget\n\n" + "\n".join(floor) + "\n"
    return (f"Measured {date.today().isoformat()} with `{command}`.\n\n"
            f"Machine: {machine()}. Load average (1 min) {load_avg[0]:.1f} before the run, "
            f"{load_avg[1]:.1f} after.\n\n{table(results)}\n\n"
            f"### Targets\n\n{checks_table(results)}\n{floor_text}")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def _stages(text: str) -> list[str]:
    stages = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown stage {unknown[0]!r}; one of "
                                         f"{', '.join(STAGES)}")
    return stages


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[1000, 5000, 10000, 20000, 50000])
    parser.add_argument("--runs", type=int, default=3, help="runs per stage (median)")
    parser.add_argument("--only", type=_stages, default=list(STAGES),
                        help=f"comma-separated stages among {', '.join(STAGES)}")
    parser.add_argument("--pytm-sizes", type=_sizes, default=[5000],
                        help="sizes at which pytm runs (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds per run; a stage that times out is skipped at larger sizes")
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args(args_list)
    stages = [s for s in STAGES if s == "load" or s in args.only]
    before = os.getloadavg()[0]
    results = run(args.sizes, stages, max(1, args.runs), args.seed, args.pytm_sizes,
                  args.timeout)
    text = report(results, args_list, (before, os.getloadavg()[0]))
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
