"""Findings as RDF (kg_threat/findings_rdf.py): the Turtle chunks a store loads hold exactly the
quads of every finding, whatever the chunk size, and say how many triples they hold."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_threat import pipeline
from kg_threat.findings_rdf import findings_quads, findings_turtle

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fraud-scoring.ttl"


@pytest.fixture(scope="module")
def result() -> pipeline.Result:
    return pipeline.run([str(EXAMPLE)])


@pytest.mark.parametrize("batch", [1, 7, 10_000])
def test_turtle_chunks_hold_the_quads_of_every_finding(result: pipeline.Result, batch: int) -> None:
    findings = result.analysis.findings
    graph = ox.NamedNode("urn:test:findings")
    store = ox.Store()
    chunks = list(findings_turtle(findings, batch=batch))
    assert len(chunks) == -(-len(findings) // batch)
    for data, triples in chunks:
        before = len(store)
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=graph)
        assert len(store) - before == triples
    expected = set(findings_quads(tuple(findings), graph))
    assert set(store) == expected
    # controls in place, missing controls and several rules all occur in the example
    predicates = {q.predicate.value.rsplit("#", 1)[1] for q in expected}
    assert {"controlInPlace", "missingControl", "appliesByRule"} <= predicates


def test_no_findings_no_chunks() -> None:
    assert list(findings_turtle([])) == []
