"""The W3C Turtle test suite (../shared/conformance/rdf-turtle) through our loader.

Every negative syntax test is refused with an input error, every positive syntax test is
accepted, and every evaluation test gives a graph isomorphic to its expected N-Triples.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest

from kg_threat.errors import InputError
from kg_threat.load import load_sources

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "rdf-turtle"
RDFT = "http://www.w3.org/ns/rdftest#"
ENTRIES = """
PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
SELECT ?name ?type ?action ?result ?base WHERE {
  ?manifest mf:entries/rdf:rest*/rdf:first ?test ; mf:assumedTestBase ?base .
  ?test a ?type ; mf:name ?name ; mf:action ?action .
  OPTIONAL { ?test mf:result ?result }
}
"""


class Case(NamedTuple):
    name: str
    kind: str
    action: Path
    result: Path | None
    base: str


def _cases() -> list[Case]:
    manifest = SUITE / "manifest.ttl"
    if not manifest.is_file():
        return []
    store = ox.Store()
    store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())
    solutions = store.query(ENTRIES, prefixes={"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"})
    assert isinstance(solutions, ox.QuerySolutions)
    cases = []
    for row in solutions:
        action = SUITE / Path(str(row["action"].value)).name
        result = row["result"]
        cases.append(Case(
            name=str(row["name"].value),
            kind=str(row["type"].value).removeprefix(RDFT),
            action=action,
            result=None if result is None else SUITE / Path(str(result.value)).name,
            base=str(row["base"].value),
        ))
    return sorted(cases)


CASES = _cases()
needs_suite = pytest.mark.skipif(not CASES, reason="../shared/conformance/rdf-turtle is absent")


def of_kind(kind: str) -> list[Case]:
    return [c for c in CASES if c.kind == kind]


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def load(case: Case) -> list[ox.Quad]:
    store = ox.Store()
    load_sources([str(case.action)], store, base_iri=case.base + case.action.name)
    return list(store)


@needs_suite
def test_the_suite_is_complete() -> None:
    counts = {kind: len(of_kind(kind)) for kind in
              ("TestTurtleNegativeSyntax", "TestTurtlePositiveSyntax", "TestTurtleEval",
               "TestTurtleNegativeEval")}
    assert counts["TestTurtleNegativeSyntax"] == 94
    assert counts["TestTurtlePositiveSyntax"] == 74
    assert counts["TestTurtleEval"] == 145
    assert sum(counts.values()) == len(CASES)


@needs_suite
@pytest.mark.parametrize("case", of_kind("TestTurtleNegativeSyntax")
                         + of_kind("TestTurtleNegativeEval"), ids=lambda c: c.name)
def test_negative_syntax_is_refused(case: Case) -> None:
    with pytest.raises(InputError) as caught:
        load(case)
    assert str(caught.value).startswith(str(case.action) + ":")


@needs_suite
@pytest.mark.parametrize("case", of_kind("TestTurtlePositiveSyntax"), ids=lambda c: c.name)
def test_positive_syntax_is_accepted(case: Case) -> None:
    load(case)


@needs_suite
@pytest.mark.parametrize("case", of_kind("TestTurtleEval"), ids=lambda c: c.name)
def test_evaluation_matches_the_expected_triples(case: Case) -> None:
    """The parser gives exactly the expected triples; the store holds the same RDF terms.

    The store keeps literals of numeric types in canonical form ("01"^^xsd:integer is stored
    as "1"^^xsd:integer, the same value), so it is compared with the expected triples loaded
    into a store too.
    """
    assert case.result is not None
    expected = list(ox.parse(path=str(case.result), format=ox.RdfFormat.N_TRIPLES))
    parsed = list(ox.parse(path=str(case.action), format=ox.RdfFormat.TURTLE,
                           base_iri=case.base + case.action.name))
    assert canonical(parsed) == canonical(expected)
    reference = ox.Store()
    reference.extend(expected)
    assert canonical(load(case)) == canonical(list(reference))


SAMPLE = ("turtle-syntax-bad-uri-01", "turtle-syntax-bad-prefix-01", "turtle-syntax-bad-struct-02",
          "turtle-syntax-bad-esc-01", "turtle-syntax-bad-string-07", "turtle-syntax-bad-num-05")


@needs_suite
@pytest.mark.parametrize("name", SAMPLE)
def test_the_command_line_refuses_negative_tests(name: str, cli: Callable[..., object]) -> None:
    case = next(c for c in CASES if c.name == name and c.kind == "TestTurtleNegativeSyntax")
    run = cli("analyze", case.action, "--format", "json")
    assert run.code == 2  # type: ignore[attr-defined]
    assert run.stdout == ""  # type: ignore[attr-defined]
    stderr: str = run.stderr  # type: ignore[attr-defined]
    assert stderr.startswith(f"kg-threat: error: {case.action}:")
    assert "Traceback" not in stderr
