"""Commands ``report`` (threat-model document) and ``diagram`` (data-flow diagram)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg_threat.cli.app import app
from kg_threat.cli.options import (
    SHACL_MODULES,
    Endpoint,
    Files,
    Graph,
    InputFormat,
    MaxInputSize,
    Quiet,
    Reasoner,
    Timeout,
    run_system,
)

if TYPE_CHECKING:
    import datetime as dt

ReportOut = Annotated[
    Path,
    typer.Option("--output", "-o",
                 help="The document: OUT.html, or OUT.md (with OUT.svg beside it)."),
]
DiagramOut = Annotated[
    Path,
    typer.Option("--output", "-o", help="The diagram: OUT.svg, OUT.dot or OUT.mmd (Mermaid)."),
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", help="Date of the report, YYYY-MM-DD "
                 "(default: the model's kgt:reviewedOn, else today)."),
]
Validate = Annotated[
    bool,
    typer.Option("--validate/--no-validate",
                 help="List what SHACL validation finds missing in the model (default: on)."),
]
Detail = Annotated[
    str,
    typer.Option("--detail", help="full: every component; zones: one node per trust boundary; "
                 "auto: every component up to 300, else zones."),
]


def _date(text: str | None) -> dt.date | None:
    import datetime as dt

    from kg_threat.errors import InputError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--date: expected a date as YYYY-MM-DD, got {text!r}") from None


def _done(paths: list[Path], quiet: bool) -> None:
    if not quiet:
        typer.echo("kg-threat: wrote " + ", ".join(str(p) for p in paths), err=True)


@app.command()
def report(
    output: ReportOut,
    files: Files = None,
    date: DateOption = None,
    check: Validate = True,
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    quiet: Quiet = False,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """A threat-model document (HTML or Markdown, by extension) with a data-flow diagram."""
    from kg_threat.report import check_output, write_report

    day = _date(date)
    check_output(output, "report")
    result = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout, quiet=quiet,
                        max_input_size=max_input_size, input_format=input_format,
                        writes=[output, output.with_suffix(".svg")], preload=SHACL_MODULES if check else ())
    _done(write_report(result, output, date=day, check_model=check), quiet)


@app.command()
def diagram(
    output: DiagramOut,
    files: Files = None,
    detail: Detail = "auto",
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    quiet: Quiet = False,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """The data-flow diagram alone: trust boundaries, flows, nodes coloured by risk."""
    from kg_threat.errors import InputError
    from kg_threat.report import check_output, write_diagram

    levels = {"auto": None, "full": True, "zones": False}
    if detail not in levels:
        raise InputError(f"--detail: expected auto, full or zones, got {detail!r}")
    check_output(output, "diagram")
    result = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout, quiet=quiet,
                        max_input_size=max_input_size, input_format=input_format, writes=[output])
    _done([write_diagram(result, output, detailed=levels[detail])], quiet)
