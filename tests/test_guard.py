"""No implicit I/O: the query guard, and the audit-hook backstop (run in fresh processes)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
from loopback_server import counting_server

from kg_threat.errors import InputError
from kg_threat.guard import IoPolicy, check_query, host_allowed

HOSTILE = Path(__file__).parent / "data" / "hostile"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "# SERVICE <http://evil/> LOAD FROM USING\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://e/service> 'SERVICE <http://evil/> {}' }",
        'SELECT * WHERE { ?s ?p """FROM <x>\nLOAD <y>""" }',
        "PREFIX load: <http://e/> SELECT ?from ?using WHERE { ?from load:SERVICE ?using }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://e/#LOAD>) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        "SELECT * WHERE { ?s ?p 'x'@from }",
        "ASK { _:from <http://e/p> ?x }",
        (HOSTILE / "nested-parens.rq").read_text(),
    ],
)
def test_read_only_local_queries_pass(query: str) -> None:
    check_query(query)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
         "query:1: SERVICE <http://evil.example/sparql> refused: federated queries are off; "
         "allow a host with --allow-federation HOST"),
        ("select * where { service silent <http://evil.example/> { ?s ?p ?o } }",
         "query:1: SERVICE <http://evil.example/> refused"),
        ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
         "query:1: SERVICE refused: its endpoint is not a fixed IRI"),
        ("SELECT *\nFROM <file:///etc/passwd>\nWHERE { ?s ?p ?o }",
         "query:2: FROM refused: FROM and FROM NAMED make the engine read other graphs, files "
         "or URLs; kg-threat queries only the loaded graphs"),
        ("SELECT * FROM NAMED <http://e/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "query:1: FROM"),
        ("LOAD <http://evil.example/data.ttl>", "query:1: LOAD refused"),
        ("DELETE { ?s ?p ?o } USING <http://e/g> WHERE { ?s ?p ?o }", "query:1: DELETE refused"),
        ("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
         "query:1: INSERT refused: queries are read-only; an update cannot run here"),
        ("CLEAR ALL", "query:1: CLEAR refused"),
        ("DROP GRAPH <http://e/g>", "query:1: DROP refused"),
        ("CREATE GRAPH <http://e/g>", "query:1: CREATE refused"),
        ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "query:1: WITH refused"),
        ("ADD DEFAULT TO <http://e/g>", "query:1: ADD refused"),
        ("COPY <http://e/a> TO <http://e/g>", "query:1: COPY refused"),
        ("MOVE <http://e/a> TO <http://e/g>", "query:1: MOVE refused"),
        (r"SELECT * WHERE { \u0053ERVICE <http://evil.example/> { ?s ?p ?o } }",
         "query:1: SERVICE <http://evil.example/> refused"),
        ("SELECT * WHERE { ?s ?p 'open }", "query:1: unterminated string"),
    ],
)
def test_io_and_updates_are_refused(query: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_query(query)
    assert str(caught.value).startswith(message)


def test_the_source_names_the_query_file() -> None:
    text = (HOSTILE / "service-query.rq").read_text()
    with pytest.raises(InputError, match=r"^views/x\.rq:4: SERVICE <http://127\.0\.0\.1:9/sparql>"):
        check_query(text, source="views/x.rq")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://fed.example/sparql> { ?s ?p ?o } }",
        "PREFIX f: <https://fed.example/> SELECT * WHERE { SERVICE f:sparql { ?s ?p ?o } }",
        "BASE <http://fed.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    ],
)
def test_federation_to_an_allowed_host(query: str) -> None:
    check_query(query, allow_federation=("fed.example",))
    with pytest.raises(InputError, match="SERVICE <http"):
        check_query(query, allow_federation=("other.example",))


def test_federation_never_admits_other_io() -> None:
    with pytest.raises(InputError, match="LOAD refused"):
        check_query("LOAD <http://fed.example/x>", allow_federation=("fed.example",))


def test_update_paths() -> None:
    check_query("DROP SILENT GRAPH <http://e/g> ; INSERT DATA { <http://e/a> <http://e/b> 1 }",
                allow_update=True)
    for refused in ("LOAD <http://e/x>", "COPY <http://e/a> TO <http://e/b>",
                    "DELETE { ?s ?p ?o } USING <http://e/x> WHERE { ?s ?p ?o }"):
        with pytest.raises(InputError, match="refused"):
            check_query(refused, allow_update=True)


@pytest.mark.parametrize(
    ("url", "allowed", "expected"),
    [
        ("http://h.example/sparql", ["h.example"], True),
        ("https://H.example:8443/q", ["h.example:8443"], True),
        ("https://h.example/q", ["h.example:8443"], False),
        ("http://h.example.evil/q", ["h.example"], False),
        ("http://127.0.0.1:7000/q", ["http://127.0.0.1:7000/"], True),
        ("http://[::1]:7000/q", ["[::1]:7000"], True),
        ("file:///etc/passwd", ["localhost"], False),
    ],
)
def test_host_allowed(url: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(url, allowed) is expected


def test_a_refused_service_sends_nothing() -> None:
    """The guard runs before the engine: the loopback SPARQL endpoint sees zero requests."""
    with counting_server() as server:
        query = f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}"
        with pytest.raises(InputError, match="refused"):
            check_query(query)
        assert server.requests == []
        # And the engine would have called it: the guard is what stops it.
        check_query(query, allow_federation=(f"127.0.0.1:{server.port}",))
        with pytest.raises(RuntimeError, match="Unsupported Content-Type"):  # not SPARQL
            list(ox.Store().query(query))  # type: ignore[arg-type]
        assert len(server.requests) == 1


# --- the runtime guard ----------------------------------------------------------------------


def policy(tmp_path: Path) -> IoPolicy:
    return IoPolicy.for_process(["127.0.0.1:9999"], readable=[str(tmp_path / "in.ttl")],
                                writable=[str(tmp_path / "out.md")])


def test_policy_reads(tmp_path: Path) -> None:
    rules = policy(tmp_path)
    assert rules.refusal("open", (str(tmp_path / "in.ttl"), "r", 0)) is None
    assert rules.refusal("open", (sys.executable, "rb", 0)) is None
    assert rules.refusal("open", (ox.__file__, "rb", 0)) is None
    assert rules.refusal("open", ("/etc/passwd", "r", 0)) == (
        "reading /etc/passwd refused: kg-threat reads only the files you name"
    )
    assert rules.refusal("open", (str(tmp_path.parent / "x" / ".." / "y"), "r", 0)) is None


def test_policy_writes(tmp_path: Path) -> None:
    rules = policy(tmp_path)
    assert rules.refusal("open", (str(tmp_path / "out.md"), "w", 0)) is None
    home = str(Path.home() / ".bashrc")
    assert rules.refusal("open", (home, "a", 0)) == (
        f"writing {home} refused: kg-threat writes only the outputs you name"
    )
    assert rules.refusal("open", (home, None, 0o1 | 0o100)) is not None


def test_policy_network(tmp_path: Path) -> None:
    rules = policy(tmp_path)
    assert rules.refusal("socket.connect", (None, ("127.0.0.1", 9999))) is None
    assert rules.refusal("socket.getaddrinfo", ("127.0.0.1", 9999, 0, 0, 0)) is None
    refused = rules.refusal("socket.connect", (None, ("93.184.216.34", 80)))
    assert refused is not None
    assert refused.startswith("network access to 93.184.216.34 refused")
    assert rules.refusal("urllib.Request", ("http://example.org/x", None, {}, "GET")) == (
        "request to http://example.org/x refused: kg-threat only connects to the endpoint you "
        "configure (--endpoint, --allow-federation)"
    )
    assert rules.refusal("urllib.Request", ("file:///etc/passwd", None, {}, "GET")) is not None


def run_guarded(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter (the hook cannot be removed once installed)."""
    path = tmp_path / "guarded.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_the_audit_hook_stops_rdflib_json_ld_contexts(tmp_path: Path) -> None:
    """rdflib's JSON-LD parser would fetch the context; under the guard it makes no request."""
    with counting_server() as server:
        doc = tmp_path / "remote.jsonld"
        doc.write_text(f'{{"@context": "{server.url}/ctx", "@id": "http://e/a", "name": "x"}}')
        result = run_guarded(f"""
            import rdflib
            from kg_threat.guard import install_network_guard, IoRefused
            install_network_guard([], readable=[{str(doc)!r}])
            try:
                rdflib.Graph().parse({str(doc)!r}, format="json-ld")
                print("parsed")
            except Exception as exc:
                print("refused" if "refused" in str(exc) else repr(exc))
            try:
                open("/etc/passwd").read()
            except IoRefused as exc:
                print(exc)
        """, tmp_path)
        assert result.stdout.splitlines() == [
            "refused",
            "reading /etc/passwd refused: kg-threat reads only the files you name",
        ], result.stderr
        assert server.requests == []


def test_the_audit_hook_lets_the_endpoint_through(tmp_path: Path) -> None:
    with counting_server() as server:
        result = run_guarded(f"""
            import urllib.request
            from kg_threat.guard import install_network_guard
            install_network_guard(["127.0.0.1:{server.port}"])
            print(urllib.request.urlopen("{server.url}/sparql", timeout=30).status)
            try:
                urllib.request.urlopen("http://example.org/", timeout=30)
            except PermissionError as exc:
                print(exc)
        """, tmp_path)
        assert result.stdout.splitlines() == [
            "200",
            "request to http://example.org/ refused: kg-threat only connects to the endpoint "
            "you configure (--endpoint, --allow-federation)",
        ], result.stderr
        assert server.requests == ["/sparql"]


def test_the_pipeline_runs_under_the_guard(tmp_path: Path, example: Path) -> None:
    """Imports, the ontology, the rules: everything kg-threat needs stays readable."""
    result = run_guarded(f"""
        from kg_threat.guard import install_network_guard
        install_network_guard([], readable=[{str(example)!r}])
        from kg_threat import pipeline
        result = pipeline.run([{str(example)!r}])
        print(len(result.analysis.findings) > 0)
    """, tmp_path)
    assert result.stdout.strip() == "True", result.stderr
