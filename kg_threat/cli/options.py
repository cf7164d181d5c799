"""Options shared by the commands that read a system (typer parameter declarations), and the
one place that turns them into pipeline options and installs the I/O guard."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kg_threat.errors import LimitExceeded
    from kg_threat.pipeline import Options, Result

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
MaxInputSize = Annotated[
    str | None, typer.Option("--max-input-size", help="Refuse inputs larger than this in total (e.g. 512MiB).")
]
InputFormat = Annotated[
    str | None,
    typer.Option("--input-format", help="Syntax of every input (turtle, ntriples, nquads, trig, rdfxml, jsonld)."),
]


def _overrun(exc: LimitExceeded) -> None:
    """A native step outlived its deadline: say so and stop the process at once (exit 2)."""
    import os
    import sys

    print(f"kg-threat: error: {exc}", file=sys.stderr)
    sys.stderr.flush()
    os._exit(2)


def pipeline_options(
    *, reasoner: str = "rules", endpoint: str | None = None, graph: str | None = None,
    timeout: float | None = None, quiet: bool = False, max_input_size: str | None = None,
    input_format: str | None = None,
) -> Options:
    """Build :class:`kg_threat.pipeline.Options` from command-line values, checking them."""
    from dataclasses import replace

    from kg_threat.errors import InputError
    from kg_threat.limits import Limits, parse_size
    from kg_threat.load import parse_format
    from kg_threat.pipeline import Options

    if reasoner not in ("rules", "dl"):
        raise InputError(f"unknown reasoner {reasoner!r}: use rules or dl")
    limits = Limits(on_overrun=_overrun)
    if timeout is not None:
        limits = replace(limits, timeout=timeout)
    if max_input_size is not None:
        limits = replace(limits, max_input_size=parse_size(max_input_size))
    if input_format is not None:
        parse_format(input_format)  # fails early on an unknown name
    return Options(
        reasoner="dl" if reasoner == "dl" else "rules",
        endpoint=endpoint, graph=graph, quiet=quiet, limits=limits, input_format=input_format,
    )


def sources(files: list[str] | None, endpoint: str | None) -> list[str]:
    """The input files; at least one unless the system comes from an endpoint."""
    from kg_threat.errors import InputError

    files = files or []
    if not files and not endpoint:
        raise InputError("no input: name one or more RDF files, - for stdin, or --endpoint URL")
    return files


def guard_io(
    *, reads: Sequence[str | Path] = (), writes: Sequence[Path | None] = (),
    hosts: Sequence[str | None] = (),
) -> None:
    """From here on, the process reads only the named files and the package's own data, writes
    only the named outputs, and connects only to the named hosts (the configured endpoint)."""
    from kg_threat.guard import install_network_guard
    from kg_threat.output import partial_path

    writable: list[str] = []
    for path in writes:
        if path is not None:
            writable += [str(path), str(partial_path(path))]
    install_network_guard(
        [h for h in hosts if h], readable=[str(r) for r in reads], writable=writable,
    )


# What validation imports (pyshacl, and the rdflib parser of the shapes), for ``preload``.
SHACL_MODULES = ("pyshacl", "rdflib.plugins.parsers.notation3")


def run_system(
    files: list[str] | None, *, reasoner: str = "rules", endpoint: str | None = None,
    graph: str | None = None, timeout: float | None = None, quiet: bool = False,
    max_input_size: str | None = None, input_format: str | None = None,
    reads: Sequence[str | Path] = (), writes: Sequence[Path | None] = (), hosts: Sequence[str | None] = (),
    preload: Sequence[str] = (),
) -> Result:
    """What every command that reads a system does first: check the options, confine the
    process to the named inputs, outputs and endpoint, then load, reason and assess.

    ``preload``: modules the command needs next (pyshacl: 0.3 s), imported on a side thread
    while the analysis runs mostly outside the interpreter lock; joined before returning, so
    the caller finds no other thread running."""
    import threading

    from kg_threat import pipeline

    options = pipeline_options(
        reasoner=reasoner, endpoint=endpoint, graph=graph, timeout=timeout, quiet=quiet,
        max_input_size=max_input_size, input_format=input_format,
    )
    inputs = sources(files, endpoint)
    guard_io(reads=[*inputs, *reads], writes=writes, hosts=[endpoint, *hosts])
    loader = threading.Thread(target=_import_quietly, args=(preload,), name="kg-threat-preload",
                              daemon=True) if preload else None
    if loader is not None:
        loader.start()
    try:
        return pipeline.run(inputs, options)
    finally:
        if loader is not None:
            loader.join()


def _import_quietly(names: Sequence[str]) -> None:
    """Import ``names``; a failure is left for the real import to report."""
    import importlib

    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
