"""Where the time goes: the steps of one analysis, then validation, a report and a view, in one process.

    python bench/steps.py ESTATE.ttl [--view risk-register] [--skip validate,report,query]

The analysis runs as ``kg_threat.pipeline.run`` runs it (the facts read on a side thread while
the target classes are evaluated); each of its steps is timed where the pipeline calls it. Then,
on the same analysis: the JSON of ``analyze --format json`` (written to a temporary file), the
SHACL validation, the HTML report, and a view (which first writes every finding into the store
as RDF, so it comes last). Prints a Markdown table: step, seconds, and where it ran, in the
order the steps ended.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

Timing = tuple[str, float, str]


def _timed(module: ModuleType, name: str, label: str, log: list[Timing]) -> None:
    """Record every call of ``module.name`` under ``label`` (and the thread it ran on)."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            thread = threading.current_thread()
            where = "main" if thread is threading.main_thread() else "side thread"
            log.append((label, time.perf_counter() - start, where))

    setattr(module, name, wrapper)


def measure(estate: Path, view: str, skip: set[str]) -> list[Timing]:
    log: list[Timing] = []

    def step(label: str, work: Callable[[], object]) -> object:
        start = time.perf_counter()
        result = work()
        log.append((label, time.perf_counter() - start, "main"))
        return result

    start = time.perf_counter()
    import importlib

    from kg_threat import assess, knowledge, load, pipeline, reason
    from kg_threat.cli import register

    importlib.import_module("kg_threat.cli.app")._tune_garbage_collector()  # as the command does
    register()
    log.append(("imports and command registration", time.perf_counter() - start, "main"))
    for module, name, label in (
        (load, "load_sources", "load: the estate"),
        (load, "load_ontology", "load: the bundled ontology"),
        (assess, "find_adversary", "reason: the attacker model"),
        (reason, "derive", "reason: derivation rules"),
        (reason, "ontology_index", "reason: ontology index"),
        (knowledge, "read_knowledge", "reason: catalog knowledge"),
        (assess, "read_system", "reason: the system's facts"),
        (reason, "memberships", "reason: target classes"),
        (reason, "applicable", "reason: applicable threats"),
        (assess, "assess", "assess: likelihood, impact, risk, status"),
    ):
        _timed(module, name, label, log)
    result: Any = step("analysis (the steps above, as run)", lambda: pipeline.run([str(estate)]))
    findings = len(result.analysis.findings)
    with tempfile.TemporaryDirectory() as tmp:
        from kg_threat.formats import writer_for

        def write_json() -> None:
            with open(Path(tmp) / "out.json", "w", encoding="utf-8") as out:
                writer_for("json")(result.analysis, out)

        step(f"analyze's JSON ({findings:,} findings)", write_json)
        if "validate" not in skip:
            from kg_threat.validate import validate

            step("validate (SHACL)", lambda: validate(result, today=dt.date.today()))
        if "report" not in skip:
            from kg_threat.report import write_report

            step("report (HTML)", lambda: write_report(result, Path(tmp) / "report.html"))
        if "query" not in skip:
            from kg_threat import query

            name, text = query.resolve(view)
            step("query: findings written as RDF", lambda: result.findings_written)
            step(f"query: the {name} view", lambda: query.run_view(result.store, text, source=name))
    return log


def table(log: list[Timing]) -> str:
    rows = ["| step | seconds | where |", "|---|---:|---|"]
    rows += [f"| {label} | {seconds:.3f} | {where} |" for label, seconds, where in log]
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("estate", type=Path)
    parser.add_argument("--view", default="risk-register", help="the view timed last")
    parser.add_argument("--skip", default="", help="comma-separated: validate, report, query")
    args = parser.parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    unknown = skip - {"validate", "report", "query"}
    if unknown:
        parser.error(f"cannot skip {sorted(unknown)[0]!r}: use validate, report or query")
    if not args.estate.is_file():
        parser.error(f"{args.estate}: no such file")
    print(table(measure(args.estate, args.view, skip)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
