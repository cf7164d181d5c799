"""Commands of the `push` group (registered on the shared typer app)."""

from __future__ import annotations

from typing import Annotated

import typer

from kg_threat.cli.app import app
from kg_threat.cli.options import Files, Quiet, Reasoner

PushEndpoint = Annotated[
    str, typer.Option("--endpoint", help="SPARQL 1.1 query endpoint of the store.")
]
PushGraph = Annotated[
    str, typer.Option("--graph", help="The named graph to replace (an absolute IRI).")
]
UpdateEndpoint = Annotated[
    str | None,
    typer.Option("--update-endpoint", help="Update endpoint, where it differs from --endpoint."),
]
NetTimeout = Annotated[
    float | None,
    typer.Option("--timeout", min=0.1, help="Seconds to wait for the store (default 60)."),
]
ChunkSize = Annotated[
    int,
    typer.Option("--chunk-size", min=1, help="Triples per update request of a large push."),
]


@app.command()
def push(
    files: Files = None,
    endpoint: PushEndpoint = "",
    graph: PushGraph = "",
    update_endpoint: UpdateEndpoint = None,
    timeout: NetTimeout = None,
    chunk_size: ChunkSize = 20_000,
    reasoner: Reasoner = "rules",
    quiet: Quiet = False,
) -> None:
    """Analyse FILE… and write system, inferences and findings into a remote named graph,
    replacing it. Credentials: KG_THREAT_USER/KG_THREAT_PASSWORD or KG_THREAT_TOKEN."""
    import contextlib
    import os
    import sys

    from kg_threat import pipeline, progress, remote
    from kg_threat import push as pushing
    from kg_threat.cli.options import guard_io, pipeline_options, sources
    from kg_threat.errors import InputError
    from kg_threat.terms import endpoint_url, iri

    if not endpoint or not graph:
        raise InputError("push needs --endpoint URL and --graph IRI")
    inputs = sources(files, None)
    endpoint_url(endpoint)
    if update_endpoint is not None:
        endpoint_url(update_endpoint, "--update-endpoint")
    iri(graph, "--graph")
    guard_io(reads=inputs, hosts=[endpoint, update_endpoint])
    options = remote.RemoteOptions(auth=remote.auth_from_env(os.environ)).given(timeout)
    remote.count_triples(endpoint, graph, options)  # fail fast: reachable, and we may read
    opts = pipeline_options(reasoner=reasoner, quiet=quiet)
    assert isinstance(opts, pipeline.Options)
    result = pipeline.run(inputs, opts)

    with contextlib.ExitStack() as stack:
        bar: list[progress.Advance] = []
        shown = [0]

        def advance(done: int, total: int) -> None:
            if not bar:
                bar.append(stack.enter_context(
                    progress.task(f"Pushing to {graph}", total=total, quiet=quiet)
                ))
            bar[0](done - shown[0])
            shown[0] = done

        report = pushing.push(
            result, endpoint, graph, update_endpoint=update_endpoint, options=options,
            progress=advance, chunk_triples=chunk_size,
        )
    typer.echo(
        f"pushed {report.triples} triples to graph <{report.graph}> "
        f"in {report.requests} update request{'s' if report.requests != 1 else ''}"
    )
    if report.stored is not None and report.stored != report.triples:
        print(
            f"kg-threat: warning: the store reports {report.stored} triples in the graph "
            f"(it may normalise literals)",
            file=sys.stderr,
        )
