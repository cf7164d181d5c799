"""The reason step's evaluation of target classes (kg_threat/reason.py, kg_threat/rules.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_threat import assess, pipeline, reason
from kg_threat.rules import acyclic, plan
from kg_threat.vocab import INFERRED_GRAPH, ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "tests" / "data" / "engine"
EX = "https://example.org/engine#"

DATA = f"""
@prefix : <{EX}> .
:a :linksTo _:relay .
_:relay a :Hub .
:c :linksTo :bridge .
:bridge a :Bridge .
:d :linksTo :nothing .
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_a_blank_node_member_is_read_back_by_later_steps(workers: int) -> None:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ENGINE / "blank-intermediate.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    found = reason.memberships(store, reason.ontology_index(store), workers=workers)
    assert found.by_component == {
        EX + "a": frozenset({EX + "Reaches"}),  # through the blank relay, read from scratch
        EX + "c": frozenset({EX + "Reaches"}),
        EX + "bridge": frozenset({EX + "Relay"}),
    }
    assert not list(store.quads_for_pattern(None, None, None, ox.NamedNode(reason.SCRATCH_GRAPH)))


def test_steps_need_only_earlier_steps() -> None:
    store = pipeline.load_store([str(ROOT / "examples" / "fraud-scoring.ttl")], pipeline.Options())
    index = reason.ontology_index(store)
    steps = plan(index, reason.target_classes(index))
    assert acyclic(steps)
    assert any(step.needs for step in steps)
    needed = set().union(*(step.needs for step in steps))
    assert needed <= {step.cls for step in steps if step.referenced}


def test_memberships_do_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    estate = tmp_path / "estate.ttl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--components", "600",
                    "--seed", "3", "--out", str(estate)], check=True, timeout=300)
    found = []
    for workers in (1, 2, 4):
        store = pipeline.load_store([str(estate)], pipeline.Options())
        reason.derive(store, None)
        found.append(reason.memberships(store, reason.ontology_index(store), workers=workers))
    assert found[0].by_component and found[0] == found[1] == found[2]
    assert list(found[0].by_component) == list(found[2].by_component)  # same order too


def test_queries_over_visible_graphs_miss_graphs_written_later() -> None:
    """The assessment's facts are read beside the scratch graph being written: over the
    graphs that existed before, in the default graph and in GRAPH clauses alike."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "b")))
    store.add(ox.Quad(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "d"),
                      ox.NamedNode("urn:g:old")))
    visible = reason.visible_graphs(store)
    store.add(ox.Quad(ox.NamedNode(EX + "e"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "f"),
                      ox.NamedNode(reason.SCRATCH_GRAPH)))
    query = f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    in_graphs = f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} ORDER BY ?s"
    assert [r["s"].value for r in reason.select_in(store, query, visible)] == [EX + "a", EX + "c"]
    assert [r["s"].value for r in reason.select_in(store, in_graphs, visible)] == [EX + "c"]
    assert len(reason.select_in(store, query, None)) == 3


def _closure(needs: dict[str, frozenset[str]], name: str) -> set[str]:
    found: set[str] = set()
    todo = list(needs[name])
    while todo:
        n = todo.pop()
        if n not in found:
            found.add(n)
            todo += needs[n]
    return found


@pytest.mark.parametrize("declared", [True, False])
def test_every_rule_needs_the_earlier_rules_whose_results_it_reads(declared: bool) -> None:
    """Read from the rule texts: a later rule that mentions a property an earlier rule writes
    (``a`` for rdf:type; a variable predicate writes or reads everything) must need it, directly
    or through another rule, so rules run side by side never change what a rule sees."""
    import re

    paths = reason.rule_files(declared)
    texts = {reason.rule_name(p): p.read_text(encoding="utf-8") for p in paths}
    needs = {name: reason.rule_needs(text) for name, text in texts.items()}
    names = list(texts)
    for name, wanted in needs.items():
        assert wanted <= set(names[:names.index(name)]), f"{name} needs a rule that does not run before it"

    def body(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith(("#", "PREFIX")))

    def written(text: str) -> set[str]:
        template = re.search(r"CONSTRUCT\s*\{(.*?)\}", body(text), re.S)
        assert template is not None
        _subject, predicate, _ = template.group(1).split(None, 2)
        return {"?"} if predicate.startswith("?") else {predicate}

    def read(text: str) -> set[str]:
        where = body(text).split("WHERE", 1)[1]
        found = set(re.findall(r"kgt:\w+", where)) | ({"a"} if re.search(r"\sa\s", where) else set())
        if re.search(r"\?\w+\s+\?\w+\s+\?\w+\s*\.", where):
            found.add("*")
        return found

    for later in names:
        reads = read(texts[later])
        for earlier in names[:names.index(later)]:
            writes = written(texts[earlier])
            if writes & reads or "?" in writes or "*" in reads:
                assert earlier in _closure(needs, later), f"{later} reads what {earlier} writes"


def test_rule_needs_header() -> None:
    assert reason.rule_needs("# Rule.\n# Needs: none\nCONSTRUCT {}") == frozenset()
    assert reason.rule_needs("# Needs: 01-a 02-b\nPREFIX x: <urn:x>") == {"01-a", "02-b"}
    with pytest.raises(ValueError, match="Needs"):
        reason.rule_needs("# Rule.\nCONSTRUCT {}\n# Needs: 01-a")


def test_derived_facts_do_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    estate = tmp_path / "estate.ttl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--components", "400",
                    "--seed", "5", "--out", str(estate)], check=True, timeout=300)
    for source in (estate, ROOT / "examples" / "fraud-scoring.ttl", ENGINE / "blank-intermediate.ttl"):
        inferred = []
        for workers in (1, 2, 4):
            store = pipeline.load_store([str(source)], pipeline.Options())
            count = reason.derive(store, assess.find_adversary(store).iri, workers=workers)
            graph = ox.Dataset(store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
            graph.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)  # blank nodes: new labels per load
            inferred.append((count, sorted(map(str, graph))))
        assert inferred[0][0] > 0 and inferred[0] == inferred[1] == inferred[2], source.name
