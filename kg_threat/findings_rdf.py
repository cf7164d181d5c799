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


def findings_turtle(findings: Sequence[Finding], batch: int = 10_000) -> Iterator[tuple[bytes, int]]:
    """The triples of ``findings_quads(findings)`` as Turtle, ``batch`` findings per chunk, each
    chunk with the triples it holds, for a store to parse natively (at 10,000 components: 5
    million triples, no Python object per triple). A finding is one subject with its predicates
    listed after it and the vocabulary's terms prefixed: at 5,000 components 128 MB to parse
    where N-Triples took 436 MB, and the store loads it in 6.9 s instead of 9.6 s. Findings are
    read run by run: what does not name the finding or its component is made once per run.
    Every term is an IRI read from a store or minted here, written as it is."""
    prefixes = f"@prefix kgt: <{KGT}> .\n"
    kgt = len(KGT)
    level = {k: "kgt:" + v.value[kgt:] for k, v in _LEVEL.items()}
    status = {k: "kgt:" + v.value[kgt:] for k, v in _STATUS.items()}
    chunk: list[str] = [prefixes]
    count = triples = 0
    for proto, components in runs_of(findings):
        head = f"> a kgt:Finding ;\n  kgt:aboutThreat <{proto.threat}> ;\n  kgt:affects <"
        tail = "".join([
            f"> ;\n  kgt:likelihood {level[proto.likelihood]} ;\n  kgt:impact {level[proto.impact]} ;\n"
            f"  kgt:riskLevel {level[proto.risk]} ;\n  kgt:status {status[proto.status]}",
            *(f" ;\n  kgt:controlInPlace <{c}>" for c in proto.controls),
            *(f" ;\n  kgt:missingControl <{c}>" for c in proto.missing_controls),
            *(f" ;\n  kgt:appliesByRule <{r}>" for r in proto.rules),
            " .\n",
        ])
        per_finding = 7 + len(proto.controls) + len(proto.missing_controls) + len(proto.rules)
        threat = proto.threat
        for component in components:
            chunk.append(f"<{finding_iri(threat, component)}{head}{component}{tail}")
            count += 1
            triples += per_finding
            if count == batch:
                yield "".join(chunk).encode(), triples
                chunk = [prefixes]
                count = triples = 0
    if count:
        yield "".join(chunk).encode(), triples


def write_turtle(analysis: Analysis, out: TextIO) -> None:
    """The findings as Turtle, in the order of the analysis."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in findings_quads(analysis.findings)]
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES)
    assert data is not None
    out.write(data.decode("utf-8"))
