"""analyze --in-store: the applicability rules run as SPARQL Update inside a real store."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery, prepareUpdate
from stores.servers import SparqlServer, graph_names, graph_triples, sparql_update

from kg_threat import instore, instore_sparql, pipeline, reason
from kg_threat.errors import InputError
from kg_threat.instore_sparql import RuleTranslationError
from kg_threat.model import Applicability
from kg_threat.rules import plan
from kg_threat.vocab import KGT, ONTOLOGY_GRAPH, RDF

pytest_plugins = ["stores.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
OTHER = "http://example.org/test/other"
ADVERSARY = ox.NamedNode("http://example.org/shop#adversary")


def upload(server: SparqlServer, path: Path, graph: str) -> int:
    """Put the triples of a Turtle file into ``graph`` as a plain client would (in requests of
    2,000 triples: Virtuoso's SPARQL compiler refuses much larger ones)."""
    triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    for start in range(0, len(triples), 2_000):
        body = (ox.serialize(triples[start:start + 2_000], format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        sparql_update(server, f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
    return len(set(triples))


def applicability(result: pipeline.Result) -> list[Applicability]:
    """The (threat, component, rule) triples of a local run, before risk factors."""
    found = result.applicability
    return list(found.pairs() if hasattr(found, "pairs") else found)


def local_pairs(path: Path) -> set[tuple[str, str]]:
    return {(a.threat, a.component) for a in applicability(pipeline.run([str(path)], pipeline.Options()))}


def run(server: SparqlServer, graph: str, **kw: Any) -> instore.InStoreResult:
    # Virtuoso's SPARQL compiler runs out of memory on 20,000-triple updates: smaller chunks.
    chunk = 2_000 if server.kind == "virtuoso" else 20_000
    return instore.analyze_in_store(server.query, graph, update_endpoint=server.update, chunk_triples=chunk, **kw)


def snapshot(server: SparqlServer) -> dict[str, set[ox.Triple]]:
    return {g: graph_triples(server, g) for g in graph_names(server)}


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate") / "estate.ttl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--components", "1000", "--out", str(out)],
        check=True, capture_output=True,
    )
    return out


# -- against the real store ----------------------------------------------------------------


def test_example_same_pairs_as_local(sparql_server: SparqlServer, example: Path, graph_iri: str) -> None:
    upload(sparql_server, example, graph_iri)
    result = run(sparql_server, graph_iri)
    expected = local_pairs(example)
    assert expected
    assert result.pairs() == expected
    local = pipeline.run([str(example)]).analysis
    assert result.adversary == local.adversary
    # assessed as locally: levels, risk, status, controls (the sources are the file, or the graph)
    assert result.analysis == dataclasses.replace(local, sources=())


def test_findings_graph_holds_stable_findings(sparql_server: SparqlServer, example: Path, graph_iri: str) -> None:
    upload(sparql_server, example, graph_iri)
    result = run(sparql_server, graph_iri, findings_graph=graph_iri + "/findings")
    assert result.graphs.findings.value == graph_iri + "/findings"
    stored = graph_triples(sparql_server, graph_iri + "/findings")
    a = ox.NamedNode(RDF + "type")
    findings = {t.subject for t in stored if t.predicate == a and t.object == ox.NamedNode(KGT + "Finding")}
    assert len(findings) == len(result.findings)
    local = pipeline.run([str(example)])
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for app in applicability(local):
        by_pair[(app.threat, app.component)].add(app.rule)
    for f in result.findings:
        digest = hashlib.sha256(f"{f.threat}\n{f.component}".encode()).hexdigest()
        assert f.iri == f"urn:kg-threat:finding:{digest}"
        assert set(f.rules) == by_pair[(f.threat, f.component)]
        node = ox.NamedNode(f.iri)
        assert ox.Triple(node, ox.NamedNode(KGT + "aboutThreat"), ox.NamedNode(f.threat)) in stored
        assert ox.Triple(node, ox.NamedNode(KGT + "affects"), ox.NamedNode(f.component)) in stored
    assert {f.id for f in result.findings} >= {"AML.T0024"}


def test_system_and_other_graphs_untouched_and_rerun_is_stable(
    sparql_server: SparqlServer, example: Path, graph_iri: str
) -> None:
    upload(sparql_server, example, graph_iri)
    sparql_update(sparql_server, f"INSERT DATA {{ GRAPH <{OTHER}> {{ <urn:x> <urn:p> \"keep\" }} }}")
    system_before = graph_triples(sparql_server, graph_iri)
    first = run(sparql_server, graph_iri)
    after_first = snapshot(sparql_server)
    second = run(sparql_server, graph_iri)
    assert not second.ontology_uploaded  # the same ontology is there already
    assert snapshot(sparql_server) == after_first
    assert first.findings == second.findings
    assert graph_triples(sparql_server, graph_iri) == system_before
    assert graph_triples(sparql_server, OTHER) == {
        ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("keep"))
    }
    names = graph_names(sparql_server)
    g = first.graphs
    assert {g.inferred.value, g.findings.value, ONTOLOGY_GRAPH} <= names
    assert g.scratch.value not in names  # dropped at the end


def test_generated_estate_same_pairs_as_local(
    sparql_server: SparqlServer, estate: Path, graph_iri: str
) -> None:
    if sparql_server.kind == "virtuoso":
        pytest.xfail("Virtuoso's transitive paths exceed its fixed 1 GB transitive temp memory at 1,000 "
                     "components (openlink/virtuoso-opensource#397); the example runs")
    count = upload(sparql_server, estate, graph_iri)
    result = run(sparql_server, graph_iri)
    expected = local_pairs(estate)
    assert len(expected) > 1000
    assert result.pairs() == expected
    assert result.analysis is not None
    assert result.analysis.findings == pipeline.run([str(estate)]).analysis.findings
    assert len(graph_triples(sparql_server, graph_iri)) == count


def test_pushed_graph_gives_the_same_pairs(sparql_server: SparqlServer, example: Path, graph_iri: str) -> None:
    from kg_threat import push

    push.push(pipeline.run([str(example)]), sparql_server.query, graph_iri, update_endpoint=sparql_server.update)
    assert run(sparql_server, graph_iri).pairs() == local_pairs(example)


def test_cli_prints_the_assessed_findings_as_analyze_does(
    sparql_server: SparqlServer, example: Path, graph_iri: str, cli: Callable[..., Any]
) -> None:
    upload(sparql_server, example, graph_iri)
    args = ("--endpoint", sparql_server.query, "--update-endpoint", sparql_server.update, "--graph", graph_iri,
            "--in-store")
    local = cli("analyze", example, "--format", "json")
    done = cli("analyze", *args, "--format", "json")
    assert done.code == 0, done.stderr
    assert done.stdout == local.stdout  # the same bytes as a local analysis of the file
    assert f"in-store analysis of {graph_iri}: " in done.stderr
    assert "findings written to urn:kg-threat:findings:" in done.stderr
    gate = cli("analyze", *args, "--format", "csv", "--fail-on", "critical", "--quiet")
    assert gate.code == 1
    assert gate.stdout == cli("analyze", example, "--format", "csv").stdout
    assert "in-store analysis of" not in gate.stderr  # --quiet
    assert "unmitigated finding(s) at critical risk or more" in gate.stderr


# -- errors and the translation (no store needed) ------------------------------------------


def test_cli_needs_a_graph_and_a_known_format(cli: Callable[..., Any]) -> None:
    done = cli("analyze", "--endpoint", "http://127.0.0.1:9/query", "--in-store")
    assert done.code == 2
    assert "--in-store needs --endpoint URL and --graph IRI" in done.stderr
    done = cli("analyze", "--endpoint", "http://127.0.0.1:9/query", "--graph", "http://ex/g", "--in-store",
               "--format", "xml")
    assert done.code == 2
    assert "unknown format 'xml'" in done.stderr


@pytest.mark.parametrize("bad", ["http://ex/a b", "http://ex/a>} ; DROP ALL ; <x", "relative"])
def test_hostile_graph_iris_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="not a valid absolute IRI"):
        instore.Graphs.for_system(bad)
    with pytest.raises(InputError, match="not a valid absolute IRI"):
        instore.Graphs.for_system("http://ex/g", bad)


def test_findings_graph_must_not_be_the_system_graph() -> None:
    with pytest.raises(InputError, match="must differ"):
        instore.Graphs.for_system("http://ex/g", "http://ex/g")
    with pytest.raises(InputError, match="must differ"):
        instore.Graphs.for_system("http://ex/g", ONTOLOGY_GRAPH)


def prologue(parts: instore_sparql.QueryParts) -> str:
    return "".join(f"PREFIX {name} {value}\n" for name, value in parts.prefixes)


def _pattern(algebra: Any) -> Any:
    while algebra.name in ("SelectQuery", "ConstructQuery", "Project", "Distinct", "Reduced"):
        algebra = algebra.p
    return algebra


def _step_queries() -> list[tuple[str, str]]:
    ontology = ox.Store()
    from kg_threat import load

    load.load_ontology(ontology)
    index = reason.ontology_index(ontology)
    return [(s.query, s.cls) for s in plan(index, reason.target_classes(index))]


@pytest.mark.parametrize(
    "text", [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "rules").glob("*.rq"))]
    + [(ROOT / "queries" / "instore" / "findings.rq").read_text(encoding="utf-8")],
)
def test_rule_where_is_the_parsed_where(text: str) -> None:
    """The copied WHERE group has the very algebra rdflib gives the rule's own WHERE."""
    parts = instore_sparql.split(text)
    again = prepareQuery(prologue(parts) + f"SELECT * WHERE {parts.where}")
    assert _pattern(again.algebra) == _pattern(prepareQuery(text).algebra)
    g = ox.NamedNode("urn:g")
    update = str(instore_sparql.rule_update(text, g, [g], [g], {"adversary": ADVERSARY}))
    prepareUpdate(update)  # valid SPARQL 1.1 Update
    ox.Store().update(update)
    if "$adversary" in parts.where:
        assert f"VALUES (?adversary) {{ ({ADVERSARY}) }}" in update


def test_step_where_is_the_parsed_where() -> None:
    steps = _step_queries()
    assert len(steps) > 10
    g = ox.NamedNode("urn:g")
    for query, cls in steps:
        parts = instore_sparql.split(query)
        again = prepareQuery(prologue(parts) + f"SELECT * WHERE {parts.where}")
        assert _pattern(again.algebra) == _pattern(prepareQuery(query).algebra)
        update = str(instore_sparql.step_update(query, cls, g, [g], [g]))
        assert f"INSERT {{ GRAPH <urn:g> {{ ?member <{RDF}type> <{cls}> . }} }}" in update
        ox.Store().update(update)


def test_split_ignores_braces_in_strings_iris_and_comments() -> None:
    text = (
        "PREFIX ex: <http://ex/#frag>  # a comment with { and WHERE\n"
        'CONSTRUCT { ?s ex:p "}" } WHERE { ?s ex:q "{ \\" }" . ?s ex:r ?where }'
    )
    parts = instore_sparql.split(text)
    assert parts.prefixes == (("ex:", "<http://ex/#frag>"),)
    assert parts.where == '{ ?s ex:q "{ \\" }" . ?s ex:r ?where }'
    assert parts.variables == frozenset({"s", "where"})


@pytest.mark.parametrize("text", [
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "CONSTRUCT { ?s ?p ?o } FROM <urn:g> WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "SELECT ?s ?o WHERE { ?s ?p ?o }",
])
def test_unsupported_queries_are_refused(text: str) -> None:
    with pytest.raises(RuleTranslationError):
        if text.startswith("SELECT"):
            instore_sparql.step_update(text, "urn:c", ox.NamedNode("urn:g"), [], [])
        else:
            instore_sparql.rule_update(text, ox.NamedNode("urn:g"), [], [])
