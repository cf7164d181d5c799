"""What the ontology says about threats and risk, read once per run into plain records.

Everything here comes from the bundled ontology (and any ontology terms the user adds) via the
engine queries in ``queries/engine/``; :mod:`kg_threat.assess` computes with these records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from kg_threat.reason import Graph, engine_query, select_in
from kg_threat.vocab import local_name


def _value(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


@dataclass(frozen=True, slots=True)
class ThreatInfo:
    iri: str
    id: str
    label: str
    catalogs: tuple[str, ...]
    categories: tuple[str, ...]  # local names, STRIDE first, then LINDDUN, then ML classes
    broader: frozenset[str]  # every category, class or parent technique above it (IRIs)
    likelihood: str
    impact: str
    mitigated_by: tuple[str, ...]
    requires: frozenset[str]
    goals: frozenset[str]


@dataclass(frozen=True, slots=True)
class Factor:
    iri: str
    component_class: str | None
    requires: str | None
    threat_in: str | None
    goal: str | None
    adversary: str | None
    likelihood_delta: int
    impact_delta: int
    rules_out: bool
    explanation: str


@dataclass(frozen=True, slots=True)
class Knowledge:
    threats: dict[str, ThreatInfo]
    factors: tuple[Factor, ...]
    matrix: dict[tuple[str, str], str]
    threshold: float
    partial_delta: int


def _closure(start: str, edges: dict[str, set[str]]) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return frozenset(seen)


def read_knowledge(store: ox.Store, graphs: list[Graph] | None = None) -> Knowledge:
    """Read threats, factors, the risk matrix and the control rule from the ontology graph
    (and the user's own additions), over ``graphs`` (default: all of them)."""
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select_in(store, engine_query("threat-links"), graphs):
        links[_value(row["threat"])][local_name(_value(row["property"]))].add(_value(row["value"]))
    kinds = select_in(store, engine_query("threat-kinds"), graphs)
    ranks = {_value(r["threat"]): int(_value(r["rank"])) for r in kinds}
    broader_edges = {t: p["inCategory"] | p["subTechniqueOf"] for t, p in links.items()}
    threats: dict[str, ThreatInfo] = {}
    for row in select_in(store, engine_query("threats"), graphs):
        iri = _value(row["threat"])
        props = links[iri]
        broader = _closure(iri, broader_edges)
        cats = [c for c in broader | {iri} if c in ranks]
        cats.sort(key=lambda c: (ranks[c], local_name(c)))
        threats[iri] = ThreatInfo(
            iri=iri,
            id=_value(row["id"]) if row["id"] is not None else local_name(iri),
            label=_value(row["label"]) if row["label"] is not None else local_name(iri),
            catalogs=tuple(sorted(props["inCatalog"])),
            categories=tuple(local_name(c) for c in cats),
            broader=broader,
            likelihood=local_name(_value(row["likelihood"])).lower() if row["likelihood"] else "medium",
            impact=local_name(_value(row["impact"])).lower() if row["impact"] else "medium",
            mitigated_by=tuple(sorted(props["mitigatedBy"])),
            requires=frozenset(props["requires"]),
            goals=frozenset(props["threatensGoal"]),
        )
    factor_props: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select_in(store, engine_query("risk-factors"), graphs):
        factor_props[_value(row["factor"])][local_name(_value(row["property"]))] = _value(row["value"])
    factors = tuple(
        Factor(
            iri=iri,
            component_class=p.get("whenComponentIn"),
            requires=p.get("whenThreatRequires"),
            threat_in=p.get("whenThreatIn"),
            goal=p.get("whenThreatGoal"),
            adversary=p.get("whenAdversary"),
            likelihood_delta=int(p.get("likelihoodDelta", "0")),
            impact_delta=int(p.get("impactDelta", "0")),
            rules_out=p.get("rulesOut") == "true",
            explanation=p.get("explanation", local_name(iri)),
        )
        for iri, p in sorted(factor_props.items())
    )
    matrix = {
        (_value(r["likelihood"]), _value(r["impact"])): _value(r["risk"])
        for r in select_in(store, engine_query("risk-matrix"), graphs)
    }
    rule = select_in(store, engine_query("control-rule"), graphs)
    threshold = float(_value(rule[0]["threshold"])) if rule else 0.5
    partial = int(_value(rule[0]["partialDelta"])) if rule else -1
    return Knowledge(threats, factors, matrix, threshold, partial)

