"""Commands ``analyze``, ``explain`` and ``diff``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg_threat.cli.app import app
from kg_threat.cli.options import (
    Endpoint,
    Files,
    Graph,
    InputFormat,
    MaxInputSize,
    Output,
    Quiet,
    Reasoner,
    Timeout,
    guard_io,
    pipeline_options,
    run_system,
)

if TYPE_CHECKING:
    from kg_threat.model import Analysis

Format = Annotated[
    str | None,
    typer.Option("--format", "-f", help="table (default on a terminal), json, csv, md, ttl, sarif."),
]
FailOn = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 when an unmitigated finding has this risk or more (low|medium|high|critical).",
    ),
]

InStore = Annotated[
    bool,
    typer.Option("--in-store", help="Run the applicability rules inside the store (needs --endpoint and --graph)."),
]
UpdateEndpoint = Annotated[
    str | None,
    typer.Option("--update-endpoint", help="With --in-store: the store's update endpoint (default: --endpoint)."),
]
FindingsGraph = Annotated[
    str | None,
    typer.Option("--findings-graph", help="With --in-store: the named graph to write the findings into."),
]


def _default_format(fmt: str | None) -> str:
    import sys

    from kg_threat.errors import InputError
    from kg_threat.formats import FORMATS

    chosen = fmt or ("table" if sys.stdout.isatty() else "json")
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}: use one of {', '.join(FORMATS)}")
    return chosen


@app.command()
def analyze(
    files: Files = None,
    fmt: Format = None,
    output: Output = None,
    fail_on: FailOn = None,
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    quiet: Quiet = False,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
    in_store: InStore = False,
    update_endpoint: UpdateEndpoint = None,
    findings_graph: FindingsGraph = None,
) -> None:
    """Load, reason, assess: the findings (threat × component) with risk and status."""
    from kg_threat import output as out
    from kg_threat.checks import enforce_fail_on, parse_fail_on
    from kg_threat.formats import writer_for

    chosen = _default_format(fmt)
    threshold = parse_fail_on(fail_on)
    if in_store:
        analysis = _analyze_in_store(endpoint, update_endpoint, graph, findings_graph, output, timeout, files,
                                     quiet)
    else:
        analysis = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout,
                              quiet=quiet, max_input_size=max_input_size, input_format=input_format,
                              writes=[output]).analysis
    if chosen == "ttl":
        from kg_threat.findings_rdf import write_turtle

        out.write(output, lambda s: write_turtle(analysis, s))
    else:
        writer = writer_for(chosen)
        out.write(output, lambda s: writer(analysis, s))
    enforce_fail_on(analysis, threshold)


def _analyze_in_store(
    endpoint: str | None, update_endpoint: str | None, graph: str | None, findings_graph: str | None,
    output: Path | None, timeout: float | None, files: list[str] | None, quiet: bool,
) -> Analysis:
    import os
    import sys

    from kg_threat.errors import InputError
    from kg_threat.instore import analyze_in_store, describe
    from kg_threat.sparql_http import RemoteOptions, auth_from_env

    if not endpoint or not graph or files:
        raise InputError("--in-store needs --endpoint URL and --graph IRI (and no files)")
    guard_io(writes=[output], hosts=[endpoint, update_endpoint])
    options = RemoteOptions(auth=auth_from_env(os.environ)).given(timeout)
    result = analyze_in_store(endpoint, graph, update_endpoint=update_endpoint, findings_graph=findings_graph,
                              options=options)
    if not quiet:
        print(f"kg-threat: {describe(result)}", file=sys.stderr)
    assert result.analysis is not None
    return result.analysis


@app.command()
def explain(
    files: Files = None,
    threat: Annotated[str, typer.Option("--threat", help="Threat id (AML.T0024, ModelStealing, LLM01) or IRI.")] = "",
    component: Annotated[str, typer.Option("--component", help="IRI of the component.")] = "",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """Why a threat applies to a component: the facts and rules that led to it."""
    from kg_threat.errors import InputError
    from kg_threat.explain import explain as build
    from kg_threat.explain import write_json, write_text

    if not threat or not component:
        raise InputError("explain needs --threat ID and --component IRI")
    if fmt not in ("text", "json"):
        raise InputError(f"unknown format {fmt!r}: use text or json")
    result = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout,
                        max_input_size=max_input_size, input_format=input_format)
    explanation = build(result, threat, component)
    import sys

    (write_json if fmt == "json" else write_text)(explanation, sys.stdout)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier version of the system.")],
    new: Annotated[str, typer.Argument(help="The later version of the system.")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table or json.")] = None,
    output: Output = None,
    reasoner: Reasoner = "rules",
    timeout: Timeout = None,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """Findings added, removed and changed in risk or status between two versions."""
    import sys

    from kg_threat import output as out
    from kg_threat import pipeline
    from kg_threat.diff import diff_analyses, write_json, write_table
    from kg_threat.errors import InputError

    chosen = fmt or ("table" if sys.stdout.isatty() else "json")
    if chosen not in ("table", "json"):
        raise InputError(f"unknown format {chosen!r}: use table or json")
    options = pipeline_options(reasoner=reasoner, timeout=timeout, max_input_size=max_input_size,
                               input_format=input_format)
    guard_io(reads=[old, new], writes=[output])
    before = pipeline.run([old], options).analysis
    after = pipeline.run([new], options).analysis
    changes = diff_analyses(before, after)
    writer = write_json if chosen == "json" else write_table
    out.write(output, lambda s: writer(changes, s))
