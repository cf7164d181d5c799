"""Command ``validate``: the SHACL report on the model itself."""

from __future__ import annotations

from typing import Annotated

import typer

from kg_threat.cli.app import app
from kg_threat.cli.options import (
    SHACL_MODULES,
    Endpoint,
    Files,
    Graph,
    InputFormat,
    MaxInputSize,
    Output,
    Quiet,
    Reasoner,
    Timeout,
    run_system,
)

Format = Annotated[str, typer.Option("--format", "-f", help="text, json or ttl (a sh:ValidationReport).")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 on any result, warnings included.")]
OnDate = Annotated[
    str | None,
    typer.Option("--date", help="Judge review and evidence dates as of this day (YYYY-MM-DD; default today)."),
]


@app.command()
def validate(
    files: Files = None,
    fmt: Format = "text",
    strict: Strict = False,
    on_date: OnDate = None,
    output: Output = None,
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    quiet: Quiet = False,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """SHACL checks of the model: violations exit 1 (with --strict, warnings too)."""
    from datetime import date

    from kg_threat import output as out
    from kg_threat.errors import CheckFailed, InputError
    from kg_threat.validate import validate as run_checks
    from kg_threat.validate_output import summary, writer_for

    writer = writer_for(fmt)
    try:
        today = date.fromisoformat(on_date) if on_date is not None else date.today()
    except ValueError:
        raise InputError(f"--date {on_date!r} is not a date: use YYYY-MM-DD") from None
    result = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout, quiet=quiet,
                        max_input_size=max_input_size, input_format=input_format, writes=[output],
                        preload=SHACL_MODULES)
    report = run_checks(result, today=today, in_place=True)  # the store is not read again
    out.write(output, lambda s: writer(report, s))
    if report.failed(strict=strict):
        raise CheckFailed(summary(report) + (" (--strict: warnings fail too)" if strict else ""))
