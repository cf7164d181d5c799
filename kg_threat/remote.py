"""Reads from a remote SPARQL 1.1 store: fetch the system graph, count a graph's triples.

The graph to read is named with the protocol's ``default-graph-uri`` parameter, so the query
text itself is fixed (``queries/remote/*.rq``) and no IRI is ever written into it. Fetching
leaves out what ``kg-threat push`` added to a graph (findings and the provenance of the run),
so analysing a graph we pushed gives the same findings as analysing the original files; the
inferred triples pushed alongside stay, and since the rules are monotone they derive nothing
new.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Final, Protocol

import pyoxigraph as ox
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

from kg_threat import __version__
from kg_threat.errors import RemoteError
from kg_threat.resources import data_dir
from kg_threat.sparql_http import Auth, RemoteOptions, Response, auth_from_env, send
from kg_threat.terms import endpoint_url, iri, redact

__all__ = [
    "Auth",
    "RemoteOptions",
    "auth_from_env",
    "count_triples",
    "fetch_graph",
    "load_remote",
    "update",
]

RDF_ACCEPT: Final = (
    "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, text/plain;q=0.1"
)
RESULTS_ACCEPT: Final = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_AGENT: Final = f"kg-threat/{__version__}"
_HEAD: Final = 512


def remote_query(name: str) -> str:
    """The text of the bundled remote query ``queries/remote/<name>.rq``."""
    return (data_dir("queries") / "remote" / f"{name}.rq").read_text(encoding="utf-8")


def _wrapper(endpoint: str, auth: Auth | None, accept: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(endpoint, agent=_AGENT)
    wrapper.setOnlyConneg(True)  # content negotiation only: no format=/output= parameters
    wrapper.addCustomHttpHeader("Accept", accept)
    if auth is not None and auth.token:
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {auth.token}")
    elif auth is not None:
        wrapper.setCredentials(auth.user, auth.password)  # Basic (SPARQLWrapper's default)
    return wrapper


def _query_request(
    endpoint: str, query: str, graph: str | None, auth: Auth | None, accept: str
) -> urllib.request.Request:
    wrapper = _wrapper(endpoint, auth, accept)
    wrapper.setMethod(GET)
    # The format only steers SPARQLWrapper's defaults: the Accept header is ours.
    wrapper.setReturnFormat(JSON if accept == RESULTS_ACCEPT else TURTLE)
    wrapper.setQuery(query)
    if graph is not None:
        wrapper.addDefaultGraph(graph)
    request: urllib.request.Request = wrapper._createRequest()
    return request


def update(endpoint: str, text: str, options: RemoteOptions) -> None:
    """Send one SPARQL update request (``application/sparql-update``), once: never retried."""
    wrapper = _wrapper(endpoint_url(endpoint, "--update-endpoint"), options.auth, RESULTS_ACCEPT)
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY)
    # SPARQLWrapper runs regular expressions over the whole text to find its kind (2.6 s for
    # a 2.6 MB update): let it classify the head only, then attach the whole body ourselves.
    wrapper.setQuery(text[:_HEAD])
    if not wrapper.isSparqlUpdateRequest():
        raise RemoteError("internal: not an update request")  # pragma: no cover
    request = wrapper._createRequest()
    request.data = text.encode("utf-8")
    send(request, options, idempotent=False)


def _graph_param(graph: str | None) -> str | None:
    return None if graph is None else iri(graph, "--graph").value


def _rdf_format(endpoint: str, response: Response) -> ox.RdfFormat:
    if response.media_type == "text/plain":  # N-Triples under its old media type (Virtuoso)
        return ox.RdfFormat.N_TRIPLES
    fmt = ox.RdfFormat.from_media_type(response.media_type)
    if fmt is None or fmt.supports_datasets:
        raise RemoteError(
            f"{redact(endpoint)}: answered with {response.media_type}, not RDF",
            hint="is this the SPARQL query endpoint of the store?",
        )
    return fmt


def _check_complete(endpoint: str, response: Response) -> None:
    # Virtuoso cuts results at ResultSetMaxRows and says so only in this header.
    if response.headers.get("X-SPARQL-MaxRows"):
        raise RemoteError(
            f"{redact(endpoint)}: the store truncated the result "
            f"(X-SPARQL-MaxRows: {response.headers.get('X-SPARQL-MaxRows')})",
            hint="raise ResultSetMaxRows in virtuoso.ini [SPARQL]",
        )


def _fetch_triples(endpoint: str, graph: str | None, options: RemoteOptions) -> list[ox.Triple]:
    endpoint = endpoint_url(endpoint)
    request = _query_request(
        endpoint, remote_query("fetch-system"), _graph_param(graph), options.auth, RDF_ACCEPT
    )
    response = send(request, options, idempotent=True)
    fmt = _rdf_format(endpoint, response)
    _check_complete(endpoint, response)
    try:
        return [q.triple for q in ox.parse(response.body, format=fmt)]
    except SyntaxError as exc:
        raise RemoteError(f"{redact(endpoint)}: malformed {fmt.name} answer: {exc.msg}") from None


def fetch_graph(
    endpoint: str,
    graph: str | None,
    *,
    timeout: float | None = None,
    auth: Auth | None = None,
    options: RemoteOptions | None = None,
) -> bytes:
    """The system held in ``graph`` (``None``: the store's default graph) as sorted N-Triples.

    Findings and run provenance that ``push`` wrote there are left out.
    """
    opts = (options or RemoteOptions()).given(timeout, auth)
    triples = sorted(set(_fetch_triples(endpoint, graph, opts)), key=str)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


class Timed(Protocol):
    """Any options object with a timeout (``kg_threat.pipeline.Options``)."""

    @property
    def timeout(self) -> float | None: ...


def load_remote(
    store: ox.Store, endpoint: str, graph: str | None, options: RemoteOptions | Timed | None = None
) -> int:
    """Fetch the system held in ``graph`` into the default graph of ``store``; return its size.

    With :class:`RemoteOptions` they are used as they are; with any other options object
    (the pipeline's), its ``timeout`` is the read timeout and credentials come from the
    environment.
    """
    if not isinstance(options, RemoteOptions):
        timeout = None if options is None else options.timeout
        options = RemoteOptions(auth=auth_from_env(os.environ)).given(timeout)
    triples = _fetch_triples(endpoint, graph, options)
    default = ox.DefaultGraph()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in triples)
    return len(triples)


def count_triples(
    endpoint: str, graph: str | None, options: RemoteOptions | None = None
) -> int:
    """How many triples ``graph`` (``None``: the default graph) holds in the store."""
    endpoint = endpoint_url(endpoint)
    options = options or RemoteOptions()
    request = _query_request(
        endpoint, remote_query("count"), _graph_param(graph), options.auth, RESULTS_ACCEPT
    )
    response = send(request, options, idempotent=True)
    fmt = ox.QueryResultsFormat.from_media_type(response.media_type)
    if fmt is None:
        raise RemoteError(
            f"{redact(endpoint)}: answered with {response.media_type}, not SPARQL results"
        )
    try:
        solutions = ox.parse_query_results(response.body, format=fmt)
        if not isinstance(solutions, ox.QuerySolutions):
            raise RemoteError(f"{redact(endpoint)}: expected solutions, got a boolean")
        for solution in solutions:
            value = solution["n"]
            if isinstance(value, ox.Literal):
                return int(value.value)
    except (SyntaxError, ValueError, json.JSONDecodeError) as exc:
        raise RemoteError(f"{redact(endpoint)}: malformed SPARQL results: {exc}") from None
    raise RemoteError(f"{redact(endpoint)}: the count query returned no number")
