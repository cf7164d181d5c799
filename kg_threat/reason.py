"""Reason step: derive facts, then decide which catalog threats apply to which components.

1. The derivation rules (``queries/rules/*.rq``, SPARQL CONSTRUCT, run in file-name order)
   add the type closure, boundary crossings, the adversary's entry points, reachability and
   model-artifact exposure to the inferred graph.
2. The target classes that threats apply to (and that risk factors test) are compiled from
   their OWL definitions into one SPARQL query (:mod:`kg_threat.rules`); its answers, joined
   with the threats' ``kgt:appliesTo`` links, are the applicable (threat, component) pairs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg_threat.model import Applicability
from kg_threat.resources import data_dir, rules_dir
from kg_threat.rules import TripleIndex, plan
from kg_threat.vocab import INFERRED_GRAPH, KGT, ONTOLOGY_GRAPH, RDF

SCRATCH_GRAPH = "urn:kg-threat:graph:scratch"

_INFERRED = ox.NamedNode(INFERRED_GRAPH)
_APPLIES_TO = KGT + "appliesTo"
_WHEN_COMPONENT_IN = KGT + "whenComponentIn"


def engine_query(name: str) -> str:
    """The text of a bundled engine query (``queries/engine/NAME.rq``)."""
    return (data_dir("queries") / "engine" / f"{name}.rq").read_text(encoding="utf-8")


def select(store: ox.Store, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[ox.QuerySolution]:
    """Run a SELECT over the union of all graphs, with parameters bound, never formatted in."""
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in bindings.items()
    }
    result = store.query(query, use_default_graph_as_union=True, substitutions=subs or None)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def rule_files(adversary_declared: bool) -> list[Path]:
    """The derivation rules in force: ``*.declared.rq`` or ``*.assumed.rq`` variants, by name."""
    skip = ".assumed.rq" if adversary_declared else ".declared.rq"
    return [p for p in sorted(rules_dir().glob("*.rq")) if not p.name.endswith(skip)]


def derive(store: ox.Store, adversary: str | None) -> int:
    """Run the derivation rules, adding their results to the inferred graph; count the triples."""
    added = 0
    bindings: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = (
        {ox.Variable("adversary"): ox.NamedNode(adversary)} if adversary else None
    )
    for path in rule_files(adversary is not None):
        query = path.read_text(encoding="utf-8")
        # by convention only the *.declared.rq variants take the $adversary parameter
        subs = bindings if path.name.endswith(".declared.rq") else None
        triples = store.query(query, use_default_graph_as_union=True, substitutions=subs)
        assert isinstance(triples, ox.QueryTriples)
        added += _add_inferred(store, triples, query, subs)
    return added


def _add_inferred(
    store: ox.Store,
    triples: ox.QueryTriples,
    query: str,
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None,
) -> int:
    """Write a rule's triples to the inferred graph. They go through N-Triples, serialised
    and parsed natively, with no Python object per triple (measured at 10,000 components:
    1.75 s -> 1.42 s for all rules). A parser gives blank nodes new labels, so a result
    with a blank node is written term by term instead (the query runs again)."""
    text = triples.serialize(format=ox.RdfFormat.N_TRIPLES)
    assert text is not None
    if b"_:" not in text:  # "_:" inside a literal only costs the slower route
        store.load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=_INFERRED)
        return text.count(b"\n")
    again = store.query(query, use_default_graph_as_union=True, substitutions=subs)
    assert isinstance(again, ox.QueryTriples)
    quads = [ox.Quad(t.subject, t.predicate, t.object, _INFERRED) for t in again]
    store.extend(quads)
    return len(quads)


@dataclass(frozen=True)
class Memberships:
    """Which target classes each component belongs to."""

    by_component: dict[str, frozenset[str]]

    def classes_of(self, component: str) -> frozenset[str]:
        return self.by_component.get(component, frozenset())


def target_classes(index: TripleIndex) -> set[ox.NamedNode]:
    """Every class a threat applies to or a risk factor tests."""
    found: set[ox.NamedNode] = set()
    for props in index.by_subject.values():
        for predicate in (_APPLIES_TO, _WHEN_COMPONENT_IN):
            for value in props.get(predicate, []):
                if isinstance(value, ox.NamedNode):
                    found.add(value)
    return found


def ontology_index(store: ox.Store) -> TripleIndex:
    """Index the ontology graph and the user's own schema axioms for the compiler."""
    return TripleIndex.from_quads(store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH)))


def memberships(store: ox.Store, index: TripleIndex) -> Memberships:
    """Evaluate every target class over the system, step by step (see :mod:`kg_threat.rules`).

    Intermediate memberships are written as ``rdf:type`` triples to a scratch graph that the
    later steps read; the scratch graph is dropped at the end.
    """
    wanted = {c.value for c in target_classes(index)}
    found: dict[str, set[str]] = defaultdict(set)
    scratch = ox.NamedNode(SCRATCH_GRAPH)
    rdf_type = ox.NamedNode(RDF + "type")
    for step in plan(index, target_classes(index)):
        result = store.query(step.query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        members = [row[0] for row in result]
        if step.referenced:
            cls = ox.NamedNode(step.cls)
            store.extend(
                ox.Quad(m, rdf_type, cls, scratch) for m in members if isinstance(m, ox.NamedNode | ox.BlankNode)
            )
        if step.cls in wanted:
            into = {m.value for m in members if isinstance(m, ox.NamedNode)}
            for member in into:
                found[member].add(step.cls)
    store.remove_graph(scratch)
    return Memberships({k: frozenset(v) for k, v in found.items()})


@dataclass(frozen=True)
class Applicable:
    """The applicable (threat, component, rules) triples, computed once per membership profile.

    Components in the same target classes get the same threats by the same rules, so the join
    runs once per distinct set of classes: ``by_profile`` maps a set of classes to its
    ``(threat, rules)`` pairs, sorted by threat, each with its target classes sorted.
    """

    members: Memberships
    by_profile: dict[frozenset[str], tuple[tuple[str, tuple[str, ...]], ...]]

    def __len__(self) -> int:
        """The number of (threat, component, rule) triples."""
        return sum(
            sum(len(rules) for _, rules in self.by_profile[classes])
            for classes in self.members.by_component.values()
        )

    def pairs(self) -> list[Applicability]:
        """Every (threat, component, rule) triple, sorted."""
        found = [
            Applicability(threat, component, rule)
            for component, classes in self.members.by_component.items()
            for threat, rules in self.by_profile[classes]
            for rule in rules
        ]
        found.sort(key=lambda a: (a.threat, a.component, a.rule))
        return found


def applicable(index: TripleIndex, members: Memberships) -> Applicable:
    """Join memberships with ``kgt:appliesTo``: which threats apply to which components, and why."""
    threats_by_class: dict[str, list[str]] = defaultdict(list)
    for subject, props in index.by_subject.items():
        for cls in props.get(_APPLIES_TO, []):
            if isinstance(cls, ox.NamedNode):
                threats_by_class[cls.value].append(subject.strip("<>"))
    by_profile: dict[frozenset[str], tuple[tuple[str, tuple[str, ...]], ...]] = {}
    for classes in set(members.by_component.values()):
        rules: dict[str, set[str]] = defaultdict(set)
        for cls_iri in classes:
            for threat in threats_by_class.get(cls_iri, ()):
                rules[threat].add(cls_iri)
        by_profile[classes] = tuple((threat, tuple(sorted(rules[threat]))) for threat in sorted(rules))
    return Applicable(members, by_profile)


def memberships_from(classified: dict[str, set[str]], classes: set[ox.NamedNode]) -> Memberships:
    """Memberships from a DL classification (individual → named classes), kept to ``classes``."""
    wanted = {c.value for c in classes}
    return Memberships({
        individual: frozenset(found & wanted)
        for individual, found in classified.items()
        if found & wanted
    })
