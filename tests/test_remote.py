"""remote: reading a system from real SPARQL stores, and every way a store can fail us."""

from __future__ import annotations

import http.server
import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from stores.servers import DATA, ScriptedServer, SparqlServer, free_port, sparql_update

from kg_threat import remote
from kg_threat.errors import InputError, RemoteError
from kg_threat.remote import Auth, RemoteOptions, auth_from_env

pytest_plugins = ["stores.fixtures"]

Start = Callable[[Callable[[http.server.BaseHTTPRequestHandler], None]], ScriptedServer]
FAST = RemoteOptions(timeout=5, attempts=3, backoff=0.01)
NT = b"<http://e/s> <http://e/p> <http://e/o> .\n"
SYSTEM = list(ox.parse(path=str(DATA / "system.ttl"), format=ox.RdfFormat.TURTLE))


def answer(status: int, body: bytes = b"", ctype: str = "text/plain", **headers: str) -> Any:
    def script(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            h.send_header(k.replace("_", "-"), v)
        h.end_headers()
        h.wfile.write(body)

    return script


def _insert(server: SparqlServer, graph: str, extra: str = "") -> None:
    data = ox.serialize(SYSTEM, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    # INSERT … WHERE {}, not INSERT DATA: Virtuoso refuses blank nodes in INSERT DATA.
    text = f"INSERT {{ GRAPH <{graph}> {{ {data.decode()} {extra} }} }} WHERE {{}}"
    sparql_update(server, text)


# Reads from a real store --------------------------------------------------------------------

PUSHED_EXTRA = """
<https://w3id.org/kg-threat/finding/f1> a <https://w3id.org/kg-threat/ontology#Finding> ;
    <https://w3id.org/kg-threat/ontology#affects> <http://example.org/shop#api> ;
    <http://www.w3.org/ns/prov#wasGeneratedBy> <urn:kg-threat:prov:run:1> .
<urn:kg-threat:prov:run:1> a <http://www.w3.org/ns/prov#Activity> ;
    <http://www.w3.org/ns/prov#generated> <http://example.org/shop#api> .
"""


def _bnode_free(triples: list[ox.Triple]) -> set[str]:
    return {
        str(t)
        for t in triples
        if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
    }


def test_fetch_leaves_out_findings_and_provenance(
    sparql_server: SparqlServer, graph_iri: str
) -> None:
    _insert(sparql_server, graph_iri, PUSHED_EXTRA)
    body = remote.fetch_graph(sparql_server.query, graph_iri, options=FAST)
    got = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert len(got) == len(SYSTEM) == 26
    assert _bnode_free(got) == _bnode_free(SYSTEM)
    lines = body.decode().splitlines()
    assert lines == sorted(lines)  # deterministic order


def test_load_remote_fills_the_default_graph(sparql_server: SparqlServer, graph_iri: str) -> None:
    _insert(sparql_server, graph_iri, PUSHED_EXTRA)
    store = ox.Store()
    assert remote.load_remote(store, sparql_server.query, graph_iri, FAST) == 26
    assert len(store) == 26
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 26


def test_an_empty_or_missing_graph_reads_as_empty(
    sparql_server: SparqlServer, graph_iri: str
) -> None:
    assert remote.fetch_graph(sparql_server.query, graph_iri, options=FAST) == b""
    assert remote.count_triples(sparql_server.query, graph_iri, FAST) == 0


def test_load_remote_takes_the_pipeline_options(
    sparql_server: SparqlServer, graph_iri: str
) -> None:
    _insert(sparql_server, graph_iri)

    class PipelineOptions:
        timeout: float | None = 30.0

    store = ox.Store()
    assert remote.load_remote(store, sparql_server.query, graph_iri, PipelineOptions()) == 26


def test_a_bad_graph_iri_is_refused() -> None:
    with pytest.raises(InputError, match="--graph 'x y' is not a valid absolute IRI"):
        remote.fetch_graph("http://127.0.0.1:9/q", "x y")


# Failures, one line each ---------------------------------------------------------------------


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(RemoteError) as err:
        remote.fetch_graph(url, None, options=FAST)
    assert str(err.value) == f"{url}: unreachable (connection refused)"


def test_slow_server_times_out(scripted: Start) -> None:
    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(3)
        answer(200, NT, "application/n-triples")(h)

    server = scripted(slow)
    with pytest.raises(RemoteError) as err:
        remote.fetch_graph(server.url + "/q", None, timeout=0.3, options=FAST)
    assert err.value.message == f"{server.url}/q: no answer within 0.3 s (timed out)"
    assert len(server.seen.paths) == 1  # a timeout is not retried


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "the store requires credentials (HTTP 401)"),
        (403, "the store refused the credentials (HTTP 403)"),
        (404, "no SPARQL endpoint here (HTTP 404)"),
        (500, "the store failed (HTTP 500): boom"),
        (400, "the store rejected the request (HTTP 400): Parse error at line 1"),
    ],
)
def test_http_errors(scripted: Start, status: int, message: str) -> None:
    body = b"boom\n" if status == 500 else b"\n  Parse error at line 1\nmore"
    server = scripted(answer(status, body))
    auth = Auth(user="alice", password="s3cret")
    with pytest.raises(RemoteError) as err:
        remote.fetch_graph(server.url + "/q?key=k", "http://e/g", auth=auth, options=FAST)
    assert err.value.message == f"{server.url}/q: {message}"
    assert "\n" not in err.value.message and "s3cret" not in str(err.value)
    assert len(server.seen.paths) == 1  # 4xx and 500 are not retried


def test_unavailable_is_retried_for_queries_only(scripted: Start) -> None:
    server = scripted(answer(503, b"busy"))
    with pytest.raises(RemoteError, match=r"the store failed \(HTTP 503\): busy"):
        remote.fetch_graph(server.url + "/q", None, options=FAST)
    assert len(server.seen.paths) == 3
    with pytest.raises(RemoteError, match=r"HTTP 503"):
        remote.update(server.url + "/u", "CLEAR GRAPH <http://e/g>", FAST)
    assert len(server.seen.paths) == 4  # the update was sent once


def test_a_retry_can_succeed(scripted: Start) -> None:
    calls: list[int] = []

    def flaky(h: http.server.BaseHTTPRequestHandler) -> None:
        calls.append(1)
        (answer(502) if len(calls) == 1 else answer(200, NT, "application/n-triples"))(h)

    server = scripted(flaky)
    assert remote.fetch_graph(server.url + "/q", None, options=FAST) == NT


@pytest.mark.parametrize(
    ("body", "ctype", "message"),
    [
        (b"<html>hello</html>", "text/html", "answered with text/html, not RDF"),
        (b"<s> <p> <o> .", "application/n-triples", "malformed N-Triples answer"),
        (
            b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .",
            "application/n-quads",
            "answered with application/n-quads, not RDF",
        ),
    ],
)
def test_non_sparql_answers(scripted: Start, body: bytes, ctype: str, message: str) -> None:
    server = scripted(answer(200, body, ctype))
    with pytest.raises(RemoteError, match=message):
        remote.fetch_graph(server.url + "/q", None, options=FAST)


def test_truncated_results_are_an_error(scripted: Start) -> None:
    server = scripted(answer(200, NT, "text/turtle", X_SPARQL_MaxRows="10000"))
    with pytest.raises(RemoteError, match="truncated"):
        remote.fetch_graph(server.url + "/q", None, options=FAST)


def test_response_size_limit(scripted: Start) -> None:
    server = scripted(answer(200, NT * 100, "application/n-triples"))
    small = RemoteOptions(max_response_bytes=1000, attempts=1)
    with pytest.raises(InputError, match="response larger than 1000 bytes"):
        remote.fetch_graph(server.url + "/q", None, options=small)


# Credentials ---------------------------------------------------------------------------------


def _redirect_to(target: str) -> Any:
    def script(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(307)
        h.send_header("Location", target + h.path)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return script


@pytest.mark.parametrize(
    ("auth", "header"),
    [
        (Auth(user="alice", password="s3cret"), "Basic YWxpY2U6czNjcmV0"),
        (Auth(token="tok"), "Bearer tok"),
    ],
)
def test_no_credentials_on_a_redirect_to_another_origin(
    scripted: Start, auth: Auth, header: str
) -> None:
    other = scripted(answer(200, NT, "application/n-triples"))
    first = scripted(_redirect_to(other.url))
    assert remote.fetch_graph(first.url + "/q", None, auth=auth, options=FAST) == NT
    assert first.seen.headers[0]["authorization"] == header
    assert len(other.seen.headers) == 1
    assert "authorization" not in other.seen.headers[0]


def test_credentials_kept_on_a_same_origin_redirect(scripted: Start) -> None:
    def script(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path.startswith("/old"):
            h.send_response(307)
            h.send_header("Location", h.path.replace("/old", "/new", 1))
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            answer(200, NT, "application/n-triples")(h)

    server = scripted(script)
    remote.fetch_graph(server.url + "/old", None, auth=Auth(token="tok"), options=FAST)
    assert [h.get("authorization") for h in server.seen.headers] == ["Bearer tok", "Bearer tok"]
    assert server.seen.paths[1].startswith("/new")


def test_credentials_come_from_the_environment_only() -> None:
    assert auth_from_env({}) is None
    assert auth_from_env({"KG_THREAT_TOKEN": "t"}) == Auth(token="t")
    assert auth_from_env({"KG_THREAT_USER": "u", "KG_THREAT_PASSWORD": "p"}) == Auth("u", "p")
    assert "p" not in repr(Auth("u", "p")).replace("basic", "")
    with pytest.raises(InputError, match="must be set together"):
        auth_from_env({"KG_THREAT_PASSWORD": "p"})
    with pytest.raises(InputError, match="credentials are not accepted in URLs"):
        remote.fetch_graph("http://u:p@127.0.0.1:9/q", None)


def test_the_query_names_the_graph_by_protocol_parameter(scripted: Start) -> None:
    server = scripted(answer(200, NT, "application/n-triples"))
    remote.fetch_graph(server.url + "/q", "http://example.org/g#1", options=FAST)
    assert "default-graph-uri=http%3A//example.org/g%231" in server.seen.paths[0]
    assert server.seen.headers[0]["accept"].startswith("application/n-triples")
