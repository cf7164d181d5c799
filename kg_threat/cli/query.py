"""Command ``query``: run a bundled risk view or a ``.rq`` file over the inferred graph."""

from __future__ import annotations

from typing import Annotated

import typer

from kg_threat.cli.app import app
from kg_threat.cli.options import (
    Endpoint,
    Graph,
    InputFormat,
    MaxInputSize,
    Output,
    Reasoner,
    Timeout,
    run_system,
)


@app.command()
def query(
    args: Annotated[list[str] | None, typer.Argument(help="FILE… then the view name or a .rq file.")] = None,
    list_views: Annotated[bool, typer.Option("--list", help="List the bundled views.")] = False,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="table, csv or json.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="Bind NAME=VALUE (an IRI or a literal).")] = None,
    max_rows: Annotated[int | None, typer.Option("--max-rows", help="Fail when a query returns more rows.")] = None,
    allow_federation: Annotated[
        list[str] | None, typer.Option("--allow-federation", help="Let SERVICE reach this host.")
    ] = None,
    output: Output = None,
    reasoner: Reasoner = "rules",
    endpoint: Endpoint = None,
    graph: Graph = None,
    timeout: Timeout = None,
    max_input_size: MaxInputSize = None,
    input_format: InputFormat = None,
) -> None:
    """Run a risk view by name (see --list) or a .rq file, over the inferred graph."""
    import sys

    from kg_threat import output as out
    from kg_threat import query as q
    from kg_threat.errors import InputError

    if list_views:
        for view in q.views():
            typer.echo(f"{view.name:28} {view.summary}")
        return
    args = list(args or [])
    if not args:
        raise InputError("query needs FILE… and a view name or .rq file (kg-threat query --list)")
    files, wanted = args[:-1], args[-1]
    if not files and not endpoint:
        raise InputError("no input: name one or more RDF files before the query, or --endpoint URL")
    bindings = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--param {item!r}: use NAME=VALUE")
        bindings[name] = value
    federation = tuple(allow_federation or ())
    name, text = q.resolve(wanted, allow_federation=federation)
    chosen = fmt or ("table" if sys.stdout.isatty() else "csv")
    if chosen not in ("table", "csv", "json"):
        raise InputError(f"unknown format {chosen!r}: use table, csv or json")
    result = run_system(files, reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout,
                        max_input_size=max_input_size, input_format=input_format, writes=[output],
                        hosts=federation)
    result.findings_written  # noqa: B018 (materialise the findings graph the views read)
    columns, rows = q.run_view(result.store, text, source=name, bindings=bindings, max_rows=max_rows)
    from kg_threat.query_output import write_rows

    out.write(output, lambda s: write_rows(columns, rows, chosen, s, title=name))
