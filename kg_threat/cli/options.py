"""Options shared by the commands that read a system (typer parameter declarations)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kg_threat.pipeline import Options

Files = Annotated[
    list[str] | None,
    typer.Argument(help="RDF files describing the system (.ttl .nt .nq .trig .rdf .jsonld); - for stdin."),
]
Endpoint = Annotated[
    str | None,
    typer.Option("--endpoint", help="Read the system from this SPARQL 1.1 query endpoint instead of files."),
]
Graph = Annotated[str | None, typer.Option("--graph", help="The named graph holding the system.")]
Timeout = Annotated[
    float | None, typer.Option("--timeout", help="Wall-clock limit per step, in seconds.", min=0.1)
]
Reasoner = Annotated[
    str,
    typer.Option(
        "--reasoner",
        help="rules: compiled SPARQL rules (fast). dl: HermiT classifies components (needs Java).",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]


def pipeline_options(
    *, reasoner: str = "rules", endpoint: str | None = None, graph: str | None = None,
    timeout: float | None = None, quiet: bool = False,
) -> Options:
    """Build :class:`kg_threat.pipeline.Options` from command-line values, checking them."""
    from kg_threat.errors import InputError
    from kg_threat.pipeline import Options

    if reasoner not in ("rules", "dl"):
        raise InputError(f"unknown reasoner {reasoner!r}: use rules or dl")
    return Options(
        reasoner="dl" if reasoner == "dl" else "rules",
        endpoint=endpoint, graph=graph, timeout=timeout, quiet=quiet,
    )


def sources(files: list[str] | None, endpoint: str | None) -> list[str]:
    """The input files; at least one unless the system comes from an endpoint."""
    from kg_threat.errors import InputError

    files = files or []
    if not files and not endpoint:
        raise InputError("no input: name one or more RDF files, - for stdin, or --endpoint URL")
    return files
