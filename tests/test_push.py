"""push: replace one named graph of a real SPARQL store with system, inferences and findings."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from stores.servers import DATA, SparqlServer, free_port, graph_names, graph_triples, sparql_update

from kg_threat import push, remote
from kg_threat.errors import InputError, RemoteError
from kg_threat.terms import SKOLEM_PREFIX, staging_graph
from kg_threat.vocab import FINDINGS_GRAPH, INFERRED_GRAPH, KGT, PROV, RDF

pytest_plugins = ["stores.fixtures"]

SYSTEM = DATA / "system.ttl"
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
EX = "http://example.org/shop#"
FINDING = "https://w3id.org/kg-threat/finding/test-1"


@dataclass
class Filled:
    """A result as push sees it: a working store we fill ourselves."""

    store: ox.Store


def filled(path: Path = SYSTEM) -> Filled:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    inferred, findings = ox.NamedNode(INFERRED_GRAPH), ox.NamedNode(FINDINGS_GRAPH)
    a = ox.NamedNode(RDF + "type")
    api, finding = ox.NamedNode(EX + "api"), ox.NamedNode(FINDING)
    store.add(ox.Quad(api, a, ox.NamedNode(KGT + "Process"), inferred))
    store.add(ox.Quad(api, a, ox.NamedNode(KGT + "ModelServing"), inferred))  # also stated
    store.add(ox.Quad(finding, a, ox.NamedNode(KGT + "Finding"), findings))
    store.add(ox.Quad(finding, ox.NamedNode(KGT + "affects"), api, findings))
    return Filled(store)


def do_push(
    server: SparqlServer, graph: str, result: Filled | None = None, **kw: object
) -> push.PushReport:
    return push.push(
        result or filled(),
        server.query,
        graph,
        update_endpoint=server.update,
        when=WHEN,
        **kw,  # type: ignore[arg-type]
    )


def test_push_writes_system_inferences_findings_and_provenance(
    sparql_server: SparqlServer, graph_iri: str
) -> None:
    report = do_push(sparql_server, graph_iri)
    stored = graph_triples(sparql_server, graph_iri)
    assert report.triples == len(stored) == report.stored
    assert report.requests == 1
    expected = set(push.collect(filled().store, graph_iri, when=WHEN))
    assert stored == expected
    # 26 system triples + 1 inferred + 2 finding + provenance (7 run/agent + 1 wasGeneratedBy)
    assert len(stored) == 26 + 1 + 2 + 8
    by_predicate = {t.predicate.value: t for t in stored}
    ended = by_predicate[PROV + "endedAtTime"].object
    assert isinstance(ended, ox.Literal) and ended.value == "2025-01-02T03:04:05Z"
    assert (
        ox.Triple(
            ox.NamedNode(FINDING),
            ox.NamedNode(PROV + "wasGeneratedBy"),
            by_predicate[PROV + "endedAtTime"].subject,
        )
        in stored
    )
    assert not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in stored
    )
    assert sum(t.subject.value.startswith(SKOLEM_PREFIX) for t in stored) == 8


def test_hostile_literals_stay_single_literals(sparql_server: SparqlServer, graph_iri: str) -> None:
    do_push(sparql_server, graph_iri)
    comments = {
        t.object.value
        for t in graph_triples(sparql_server, graph_iri)
        if t.predicate.value.endswith("#comment")
    }
    source = {
        t.object.value
        for t in ox.parse(path=str(SYSTEM), format=ox.RdfFormat.TURTLE)
        if t.predicate.value.endswith("#comment")
    }
    assert comments == source and len(comments) == 3
    assert "urn:x" not in graph_names(sparql_server)
    assert not any(
        "evil.example" in t.subject.value for t in graph_triples(sparql_server, graph_iri)
    )


def test_hostile_terms_are_refused_before_anything_is_sent() -> None:
    for bad in ("http://example.org/g> { <a> <b> <c> } #", "http://example.org/a b", "relative"):
        with pytest.raises(InputError, match="not a valid absolute IRI"):
            push.push(filled(), "http://127.0.0.1:9/query", bad)
    with pytest.raises(ValueError):  # a hostile datatype cannot even be made into a term
        ox.Literal("1", datatype=ox.NamedNode("http://x/> . <http://e/s> <http://e/p> <http://e/o"))
    with pytest.raises(SyntaxError):  # nor read from a file
        list(
            ox.parse(
                b'<http://e/s> <http://e/p> "1"^^<http://x/a b> .', format=ox.RdfFormat.N_TRIPLES
            )
        )


def test_push_twice_gives_the_same_graph(sparql_server: SparqlServer, graph_iri: str) -> None:
    first = do_push(sparql_server, graph_iri)
    before = graph_triples(sparql_server, graph_iri)
    second = do_push(sparql_server, graph_iri, filled())  # fresh load: new blank node ids
    assert graph_triples(sparql_server, graph_iri) == before
    assert first.stored == second.stored == len(before)
    later = push.push(
        filled(), sparql_server.query, graph_iri, update_endpoint=sparql_server.update
    )
    assert later.stored == len(before)  # a later push: only the time differs


def test_other_graphs_are_untouched(sparql_server: SparqlServer, graph_iri: str) -> None:
    other = graph_iri + "/other"
    sparql_update(
        sparql_server, f"INSERT DATA {{ GRAPH <{other}> {{ <urn:a> <urn:b> 'kept' . }} }}"
    )
    names = graph_names(sparql_server)
    do_push(sparql_server, graph_iri)
    do_push(sparql_server, graph_iri, chunk_triples=5)
    assert graph_names(sparql_server) == names | {graph_iri}
    assert graph_triples(sparql_server, other) == {
        ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("kept"))
    }


def test_chunked_push_equals_single_push(sparql_server: SparqlServer, graph_iri: str) -> None:
    seen: list[tuple[int, int]] = []
    report = do_push(
        sparql_server,
        graph_iri,
        chunk_triples=5,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.requests == 8 + 1  # 37 triples in 8 chunks, then MOVE
    assert graph_triples(sparql_server, graph_iri) == set(
        push.collect(filled().store, graph_iri, when=WHEN)
    )
    assert [d for d, _ in seen] == [5, 10, 15, 20, 25, 30, 35, 37, 37]
    assert staging_graph(graph_iri).value not in graph_names(sparql_server)


def test_server_killed_mid_push_leaves_the_graph_unchanged(
    fresh_oxigraph: SparqlServer, graph_iri: str, tmp_path: Path
) -> None:
    do_push(fresh_oxigraph, graph_iri)
    before = graph_triples(fresh_oxigraph, graph_iri)
    bigger = tmp_path / "bigger.ttl"
    bigger.write_text(
        SYSTEM.read_text(encoding="utf-8")
        + "\n".join(f"<http://example.org/shop#c{i}> a <{KGT}Process> ." for i in range(100)),
        encoding="utf-8",
    )

    def crash(done: int, total: int) -> None:
        if done == 20:
            fresh_oxigraph.kill()

    with pytest.raises(
        RemoteError, match=f"after 20 of 137 triples, graph {graph_iri} is unchanged"
    ):
        do_push(fresh_oxigraph, graph_iri, filled(bigger), chunk_triples=10, progress=crash)
    fresh_oxigraph.run()  # restart on the same data
    assert graph_triples(fresh_oxigraph, graph_iri) == before
    do_push(fresh_oxigraph, graph_iri, filled(bigger), chunk_triples=10)
    assert len(graph_triples(fresh_oxigraph, graph_iri)) == 137
    assert staging_graph(graph_iri).value not in graph_names(fresh_oxigraph)


def test_server_killed_before_a_first_push_leaves_no_graph(
    fresh_oxigraph: SparqlServer, graph_iri: str
) -> None:
    def crash(done: int, total: int) -> None:
        fresh_oxigraph.kill()

    with pytest.raises(RemoteError, match="unchanged"):
        do_push(fresh_oxigraph, graph_iri, chunk_triples=10, progress=crash)
    fresh_oxigraph.run()
    assert graph_iri not in graph_names(fresh_oxigraph)


def test_pipeline_result_pushes_and_reads_back_to_the_same_findings(
    sparql_server: SparqlServer, graph_iri: str, example: Path
) -> None:
    pipeline = pytest.importorskip("kg_threat.pipeline")
    local = pipeline.run([str(example)])
    report = push.push(local, sparql_server.query, graph_iri, update_endpoint=sparql_server.update)
    assert report.stored == report.triples
    stored = graph_triples(sparql_server, graph_iri)
    findings = {t.subject for t in stored if t.object == ox.NamedNode(KGT + "Finding")}
    assert {f.iri for f in local.analysis.findings} == {f.value for f in findings}
    again = pipeline.run([], pipeline.Options(endpoint=sparql_server.query, graph=graph_iri))
    assert again.analysis.findings == local.analysis.findings
    assert again.analysis.system == local.analysis.system


def test_source_date_epoch_fixes_the_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    times = {
        t.object.value
        for t in push.collect(filled().store, "http://example.org/g")
        if t.predicate.value == PROV + "endedAtTime"
    }
    assert times == {"2023-11-14T22:13:20Z"}


# The command line --------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_THREAT_")}
    env.update(extra)
    return env


def test_cli_push(
    cli: Callable[..., Any], sparql_server: SparqlServer, graph_iri: str, example: Path
) -> None:
    pytest.importorskip("kg_threat.pipeline")
    run = cli(
        "push",
        example,
        "--endpoint",
        sparql_server.query,
        "--update-endpoint",
        sparql_server.update,
        "--graph",
        graph_iri,
        env=_env(),
    )
    assert run.code == 0, run.stderr
    count = remote.count_triples(sparql_server.query, graph_iri)
    assert run.stdout == f"pushed {count} triples to graph <{graph_iri}> in 1 update request\n"


def test_cli_unreachable_endpoint_is_one_line_exit_2(
    cli: Callable[..., Any], example: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    run = cli("push", example, "--endpoint", url, "--graph", "http://example.org/g", env=_env())
    assert run.code == 2
    assert run.stderr == f"kg-threat: error: {url}: unreachable (connection refused)\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--endpoint", "http://u:secret@127.0.0.1:9/q", "--graph", "http://e/g"],
            {},
            "--endpoint: credentials are not accepted in URLs",
        ),
        (
            ["--endpoint", "ftp://127.0.0.1/q", "--graph", "http://e/g"],
            {},
            "--endpoint: expected an http:// or https:// URL, got 'ftp://127.0.0.1/q'",
        ),
        (
            ["--endpoint", "http://127.0.0.1:9/q", "--graph", "urn:a b"],
            {},
            "--graph 'urn:a b' is not a valid absolute IRI: Invalid IRI code point ' '",
        ),
        (
            ["--endpoint", "http://127.0.0.1:9/q", "--graph", "http://e/g"],
            {"KG_THREAT_USER": "u"},
            "KG_THREAT_USER and KG_THREAT_PASSWORD must be set together",
        ),
        (
            ["--endpoint", "http://127.0.0.1:9/q", "--graph", "http://e/g"],
            {"KG_THREAT_TOKEN": "t", "KG_THREAT_USER": "u", "KG_THREAT_PASSWORD": "p"},
            "set either KG_THREAT_TOKEN or KG_THREAT_USER/KG_THREAT_PASSWORD, not both",
        ),
        (
            ["--graph", "http://e/g"],
            {},
            "push needs --endpoint URL and --graph IRI",
        ),
    ],
)
def test_cli_bad_arguments(
    cli: Callable[..., Any], example: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    run = cli("push", example, *args, env=_env(**env))
    assert run.code == 2
    assert run.stderr.splitlines()[0] == "kg-threat: error: " + message
    assert "secret" not in run.stderr
