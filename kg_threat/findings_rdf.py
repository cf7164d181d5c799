"""Findings as RDF (the vocabulary of ``ontology/findings.ttl``), for push, ``--format ttl``
and the SHACL checks on findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

import pyoxigraph as ox

from kg_threat.model import Analysis, Finding, finding_iri, runs_of
from kg_threat.vocab import FINDINGS_GRAPH, KGT, PREFIXES, RDF

_G = ox.NamedNode(FINDINGS_GRAPH)
_PREFIXES = {**PREFIXES, "finding": "https://w3id.org/kg-threat/finding/"}
_TYPE = ox.NamedNode(RDF + "type")
_P = {name: ox.NamedNode(KGT + name) for name in (
    "Finding", "aboutThreat", "affects", "likelihood", "impact", "riskLevel", "status",
    "controlInPlace", "missingControl", "appliesByRule",
)}
_LEVEL = {name: ox.NamedNode(KGT + name.capitalize()) for name in ("low", "medium", "high", "critical")}
_STATUS = {name: ox.NamedNode(KGT + name.capitalize()) for name in (
    "unmitigated", "mitigated", "accepted", "transferred", "eliminated", "excluded",
)}


def findings_quads(
    findings: Iterable[Finding], graph: ox.NamedNode | ox.DefaultGraph = _G
) -> list[ox.Quad]:
    """The quads describing ``findings`` in ``graph``."""
    quads: list[ox.Quad] = []
    add = quads.append
    nodes: dict[str, ox.NamedNode] = {}
    for f in findings:
        node = ox.NamedNode(f.iri)
        threat = nodes.get(f.threat) or nodes.setdefault(f.threat, ox.NamedNode(f.threat))
        component = nodes.get(f.component) or nodes.setdefault(f.component, ox.NamedNode(f.component))
        add(ox.Quad(node, _TYPE, _P["Finding"], graph))
        add(ox.Quad(node, _P["aboutThreat"], threat, graph))
        add(ox.Quad(node, _P["affects"], component, graph))
        add(ox.Quad(node, _P["likelihood"], _LEVEL[f.likelihood], graph))
        add(ox.Quad(node, _P["impact"], _LEVEL[f.impact], graph))
        add(ox.Quad(node, _P["riskLevel"], _LEVEL[f.risk], graph))
        add(ox.Quad(node, _P["status"], _STATUS[f.status], graph))
        for c in f.controls:
            add(ox.Quad(node, _P["controlInPlace"], ox.NamedNode(c), graph))
        for c in f.missing_controls:
            add(ox.Quad(node, _P["missingControl"], ox.NamedNode(c), graph))
        for r in f.rules:
            add(ox.Quad(node, _P["appliesByRule"], ox.NamedNode(r), graph))
    return quads


def core_ntriples(findings: Iterable[Finding]) -> bytes:
    """The type, threat, component, risk and status triples of ``findings_quads(findings)`` (what
    the SHACL checks read) as N-Triples, for a store to parse natively: no Python object per
    triple (at 10,000 components the checks read 27,000 findings, 135,000 triples: 0.9 s as
    quads, 0.1 s as text). Every term is an IRI read from a store or minted here, so each is
    written as it is, between angle brackets."""
    level = {k: f"<{v.value}>" for k, v in _LEVEL.items()}
    status = {k: f"<{v.value}>" for k, v in _STATUS.items()}
    finding = f" <{_TYPE.value}> <{_P['Finding'].value}> .\n"
    threat, affects = f" <{_P['aboutThreat'].value}> <", f" <{_P['affects'].value}> <"
    risk, state = f" <{_P['riskLevel'].value}> ", f" <{_P['status'].value}> "
    lines = [
        f"<{node}>{finding}<{node}>{threat}{f.threat}> .\n<{node}>{affects}{f.component}> .\n"
        f"<{node}>{risk}{level[f.risk]} .\n<{node}>{state}{status[f.status]} .\n"
        for f in findings for node in (f.iri,)
    ]
    return "".join(lines).encode()


def findings_ntriples(findings: Sequence[Finding], batch: int = 10_000) -> Iterator[bytes]:
    """The triples of ``findings_quads(findings)`` as N-Triples, ``batch`` findings per chunk,
    for a store to parse natively (at 10,000 components: 5 million triples, no Python object
    per triple). Findings are read run by run: the lines that do not name the finding or its
    component are made once per run. Every term is an IRI, written as it is."""
    iri = _nt_iri
    affects = f" {iri(_P['affects'])} <"
    per_component: dict[str, str] = {}
    chunk: list[str] = []
    count = 0
    for proto, components in runs_of(findings):
        before = [
            f" {iri(_TYPE)} {iri(_P['Finding'])} .\n",
            f" {iri(_P['aboutThreat'])} <{proto.threat}> .\n",
        ]
        after = [
            f" {iri(_P['likelihood'])} {iri(_LEVEL[proto.likelihood])} .\n",
            f" {iri(_P['impact'])} {iri(_LEVEL[proto.impact])} .\n",
            f" {iri(_P['riskLevel'])} {iri(_LEVEL[proto.risk])} .\n",
            f" {iri(_P['status'])} {iri(_STATUS[proto.status])} .\n",
            *(f" {iri(_P['controlInPlace'])} <{c}> .\n" for c in proto.controls),
            *(f" {iri(_P['missingControl'])} <{c}> .\n" for c in proto.missing_controls),
            *(f" {iri(_P['appliesByRule'])} <{r}> .\n" for r in proto.rules),
        ]
        threat = proto.threat
        for component in components:
            line = per_component.get(component)
            if line is None:
                line = per_component[component] = f"{affects}{component}> .\n"
            chunk.append(f"<{finding_iri(threat, component)}>".join(["", *before, line, *after]))
            count += 1
            if count == batch:
                yield "".join(chunk).encode()
                chunk.clear()
                count = 0
    if chunk:
        yield "".join(chunk).encode()


def _nt_iri(node: ox.NamedNode) -> str:
    return f"<{node.value}>"


def write_turtle(analysis: Analysis, out: TextIO) -> None:
    """The findings as Turtle, in the order of the analysis."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in findings_quads(analysis.findings)]
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES)
    assert data is not None
    out.write(data.decode("utf-8"))
