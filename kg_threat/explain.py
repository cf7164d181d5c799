"""Explain step: why a threat applies to a component, from the facts and rules that led to it."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass
from typing import TextIO

import pyoxigraph as ox

from kg_threat.errors import InputError
from kg_threat.model import Finding
from kg_threat.pipeline import Result
from kg_threat.vocab import INFERRED_GRAPH, KGT, ONTOLOGY_GRAPH, RDF, RDFS, local_name

_TYPE = ox.NamedNode(RDF + "type")


@dataclass(frozen=True)
class Explanation:
    threat: str
    threat_id: str
    component: str
    applies: bool
    asserted_types: list[str]
    inferred_types: list[str]
    facts: list[tuple[str, str]]
    rules: list[tuple[str, str]]
    entry_points: list[str]
    path: list[str]
    factors: list[str]
    likelihood: str | None
    impact: str | None
    risk: str | None
    status: str | None
    controls: list[str]
    missing_controls: list[str]
    treatment: str | None


def _resolve_threat(result: Result, wanted: str) -> str:
    threats = result.knowledge.threats
    if wanted in threats:
        return wanted
    for iri, info in threats.items():
        if wanted in (info.id, local_name(iri)):
            return iri
    raise InputError(f"unknown threat {wanted!r}: use an id such as AML.T0024, ModelStealing or LLM01")


def _label(store: ox.Store, iri: str) -> str:
    label = ox.NamedNode(RDFS + "label")
    for quad in store.quads_for_pattern(ox.NamedNode(iri), label, None, ox.NamedNode(ONTOLOGY_GRAPH)):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return local_name(iri)


def _path(store: ox.Store, entries: list[str], target: str) -> list[str]:
    """Shortest chain of components from an entry point to ``target`` along data flows."""
    edges: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(KGT + "from"), None, ox.DefaultGraph()):
        for to in store.quads_for_pattern(quad.subject, ox.NamedNode(KGT + "to"), None, ox.DefaultGraph()):
            flow = quad.subject.value  # type: ignore[union-attr]
            source = quad.object.value  # type: ignore[union-attr]
            edges.setdefault(source, []).append(flow)
            edges.setdefault(flow, []).append(to.object.value)  # type: ignore[union-attr]
    previous: dict[str, str | None] = {e: None for e in entries}
    queue = deque(sorted(entries))
    while queue:
        node = queue.popleft()
        if node == target:
            chain = [node]
            while previous[chain[-1]] is not None:
                chain.append(previous[chain[-1]])  # type: ignore[arg-type]
            return chain[::-1]
        for nxt in sorted(edges.get(node, ())):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return []


def explain(result: Result, threat: str, component: str) -> Explanation:
    store = result.store
    threat_iri = _resolve_threat(result, threat)
    node = ox.NamedNode(component)
    asserted = sorted(q.object.value for q in store.quads_for_pattern(node, _TYPE, None, ox.DefaultGraph()))  # type: ignore[union-attr]
    if not asserted and not any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph())):
        raise InputError(f"unknown component {component!r}: give the full IRI of a component of the system")
    inferred = sorted(
        q.object.value for q in store.quads_for_pattern(node, _TYPE, None, ox.NamedNode(INFERRED_GRAPH))  # type: ignore[union-attr]
        if q.object.value not in asserted  # type: ignore[union-attr]
    )
    facts = sorted(
        (q.predicate.value, str(q.object.value) if isinstance(q.object, ox.Literal | ox.NamedNode) else str(q.object))
        for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())
        if q.predicate.value != RDF + "type"
    )
    entries = sorted(
        q.subject.value  # type: ignore[union-attr]
        for q in store.quads_for_pattern(None, ox.NamedNode(KGT + "entryPoint"), None, ox.NamedNode(INFERRED_GRAPH))
    )
    finding: Finding | None = result.finding(threat_iri, component)
    rules = [(r, _label(store, r)) for r in (finding.rules if finding else ())]
    return Explanation(
        threat=threat_iri,
        threat_id=result.knowledge.threats[threat_iri].id,
        component=component,
        applies=finding is not None,
        asserted_types=asserted,
        inferred_types=inferred,
        facts=facts,
        rules=rules,
        entry_points=entries,
        path=_path(store, entries, component),
        factors=list(finding.notes) if finding else [],
        likelihood=finding.likelihood if finding else None,
        impact=finding.impact if finding else None,
        risk=finding.risk if finding else None,
        status=finding.status if finding else None,
        controls=list(finding.controls) if finding else [],
        missing_controls=list(finding.missing_controls) if finding else [],
        treatment=finding.treatment if finding else None,
    )


def write_json(e: Explanation, out: TextIO) -> None:
    json.dump(asdict(e), out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_text(e: Explanation, out: TextIO) -> None:
    w = out.write
    w(f"{e.threat_id} on {e.component}: {'applies' if e.applies else 'does not apply'}\n")
    w("\nTypes\n")
    for t in e.asserted_types:
        w(f"  asserted  {t}\n")
    for t in e.inferred_types:
        w(f"  inferred  {t}\n")
    w("\nFacts stated about the component\n")
    for p, o in e.facts:
        w(f"  {local_name(p)} {o}\n")
    if e.rules:
        w("\nRules (target classes) that matched\n")
        for iri, label in e.rules:
            w(f"  {iri}  ({label})\n")
    elif not e.applies:
        w("\nNo target class of this threat matches the component (or a risk factor ruled it out).\n")
    w("\nAttacker model\n")
    w("  entry points: " + (", ".join(e.entry_points) or "none") + "\n")
    w("  path: " + (" -> ".join(e.path) if e.path else "not reachable from any entry point") + "\n")
    if e.applies:
        w("\nAssessment\n")
        for note in e.factors:
            w(f"  - {note}\n")
        w(f"  likelihood {e.likelihood}, impact {e.impact}: risk {e.risk}, status {e.status}\n")
        w("  controls in place: " + (", ".join(e.controls) or "none") + "\n")
        w("  missing controls: " + (", ".join(e.missing_controls) or "none") + "\n")
        if e.treatment:
            w(f"  treatment: {e.treatment}\n")
