"""Reason step: derive facts, then decide which catalog threats apply to which components.

1. The derivation rules (``queries/rules/*.rq``, SPARQL CONSTRUCT, each after the rules it
   needs, else side by side; file-name order is one valid order) add the type closure,
   boundary crossings, the adversary's entry points, reachability and model-artifact exposure
   to the inferred graph.
2. The target classes that threats apply to (and that risk factors test) are compiled from
   their OWL definitions into one SPARQL query (:mod:`kg_threat.rules`); its answers, joined
   with the threats' ``kgt:appliesTo`` links, are the applicable (threat, component) pairs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kg_threat.model import Applicability
from kg_threat.resources import data_dir, rules_dir
from kg_threat.rules import Step, TripleIndex, acyclic, plan
from kg_threat.schedule import Task, default_workers, run_tasks
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


Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def visible_graphs(store: ox.Store) -> list[Graph]:
    """The default graph and every named graph of ``store`` as they are now: queries given
    these see none of the graphs written later (the scratch graph of :func:`memberships`)."""
    return [ox.DefaultGraph(), *sorted(store.named_graphs(), key=str)]


def select_in(store: ox.Store, query: str, graphs: list[Graph] | None) -> list[ox.QuerySolution]:
    """:func:`select` over ``graphs`` only (their union is the default graph, and they are the
    named graphs); over every graph when ``graphs`` is None."""
    if graphs is None:
        return select(store, query)
    named = [g for g in graphs if not isinstance(g, ox.DefaultGraph)]
    result = store.query(query, default_graph=graphs, named_graphs=named)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def rule_files(adversary_declared: bool) -> list[Path]:
    """The derivation rules in force: ``*.declared.rq`` or ``*.assumed.rq`` variants, by name."""
    skip = ".assumed.rq" if adversary_declared else ".declared.rq"
    return [p for p in sorted(rules_dir().glob("*.rq")) if not p.name.endswith(skip)]


def rule_name(path: Path) -> str:
    """A rule's name: its file name without the variant and extension (``10-entry-points``)."""
    return path.name.split(".", 1)[0]


def rule_needs(text: str) -> frozenset[str]:
    """The rules whose results a rule reads, from its ``# Needs:`` header line: names with
    spaces between, or ``none`` for a rule that may run side by side with any before it."""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# Needs:"):
            names = line.removeprefix("# Needs:").split()
            return frozenset() if names == ["none"] else frozenset(names)
    raise ValueError("a derivation rule without a '# Needs:' line in its header")


def derive(store: ox.Store, adversary: str | None, workers: int | None = None) -> int:
    """Run the derivation rules, adding their results to the inferred graph; count the triples.

    A rule starts once the rules it needs are done (``# Needs:`` in its header); at 10,000
    components two threads take 0.85 s where one takes 1.15 s. With one worker the rules run
    one after the other in name order, which is also the order the in-store analysis uses."""
    bindings: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = (
        {ox.Variable("adversary"): ox.NamedNode(adversary)} if adversary else None
    )

    def task(path: Path) -> Task[str, int]:
        query = path.read_text(encoding="utf-8")
        # by convention only the *.declared.rq variants take the $adversary parameter
        subs = bindings if path.name.endswith(".declared.rq") else None

        def run() -> int:
            triples = store.query(query, use_default_graph_as_union=True, substitutions=subs)
            assert isinstance(triples, ox.QueryTriples)
            return _add_inferred(store, triples, query, subs)

        return Task(rule_name(path), rule_needs(query), run)

    tasks = [task(path) for path in rule_files(adversary is not None)]
    return sum(run_tasks(tasks, default_workers() if workers is None else workers, "kg-threat-rule").values())


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


def memberships(store: ox.Store, index: TripleIndex, workers: int | None = None) -> Memberships:
    """Evaluate every target class over the system, step by step (see :mod:`kg_threat.rules`).

    Intermediate memberships are written as ``rdf:type`` triples to a scratch graph that the
    later steps read; the scratch graph is dropped at the end. Steps whose inputs are written
    run side by side on ``workers`` threads (default: one per CPU, at most four): pyoxigraph
    evaluates a query and writes its answers as TSV without holding the interpreter, so two
    cores take 1.2 s where one takes 1.8 s at 10,000 components. The result does not depend on
    the number of workers: a step starts only once every class it reads is complete.
    """
    classes = target_classes(index)
    wanted = {c.value for c in classes}
    steps = plan(index, classes)
    if workers is None:
        workers = default_workers()
    if not acyclic(steps):
        workers = 1
    scratch = ox.NamedNode(SCRATCH_GRAPH)
    members = _run_steps(store, steps, workers, scratch)
    found: dict[str, set[str]] = defaultdict(set)
    for step in steps:  # in plan order, whatever order the steps finished in
        if step.cls in wanted:
            for member in members[step.cls]:
                found[member].add(step.cls)
    store.remove_graph(scratch)
    return Memberships({k: frozenset(v) for k, v in found.items()})


def _run_steps(store: ox.Store, steps: list[Step], workers: int, scratch: ox.NamedNode) -> dict[str, list[str]]:
    """Run every step once its needs are done; the IRIs of each class's members."""
    tasks = [Task(step.cls, step.needs, partial(_run_step, store, step, scratch)) for step in steps]
    return run_tasks(tasks, workers, "kg-threat-step")


_RDF_TYPE_NT = f" <{RDF}type> <".encode()


def _run_step(store: ox.Store, step: Step, scratch: ox.NamedNode) -> list[str]:
    """Evaluate one step; write its members to the scratch graph if later steps read them.

    The answers come back as TSV (one ``<iri>``, ``_:id`` or literal per line), serialised
    natively, and the scratch triples go in as N-Triples: no Python object per answer. Blank
    nodes are written term by term, since a parser would give them new labels."""
    result = store.query(step.query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    data = result.serialize(format=ox.QueryResultsFormat.TSV)
    assert data is not None
    lines = data.split(b"\n")[1:]
    iris = [line for line in lines if line.startswith(b"<")]
    if step.referenced:
        suffix = _RDF_TYPE_NT + step.cls.encode() + b"> .\n"
        store.load(b"".join(iri + suffix for iri in iris), format=ox.RdfFormat.N_TRIPLES, to_graph=scratch)
        cls, rdf_type = ox.NamedNode(step.cls), ox.NamedNode(RDF + "type")
        store.extend(ox.Quad(ox.BlankNode(line[2:].decode()), rdf_type, cls, scratch)
                     for line in lines if line.startswith(b"_:"))
    return [iri[1:-1].decode() for iri in iris]


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
