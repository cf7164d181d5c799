"""Serialise an estate as Turtle in the public vocabulary (pyoxigraph's serialiser, fixed order)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyoxigraph as ox
from estate import NS, Estate

KGT = "https://w3id.org/kg-threat/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
FALSE = ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))
PREFIXES = {"kgt": KGT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": XSD, "": NS}
SYSTEM, TM, ADVERSARY = (ox.NamedNode(NS + k) for k in ("estate", "threat-model", "adversary"))


def kgt(local: str) -> ox.NamedNode:
    return ox.NamedNode(KGT + local)


def node(key: str) -> ox.NamedNode:
    return kgt(key[4:]) if key.startswith("kgt:") else ox.NamedNode(NS + key)


def _date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))


def _header(estate: Estate) -> Iterator[ox.Triple]:
    T = ox.Triple
    yield T(TM, RDF_TYPE, kgt("ThreatModel"))
    yield T(TM, LABEL, ox.Literal(f"Synthetic estate, {estate.components_requested} components"))
    yield T(TM, kgt("scope"), SYSTEM)
    for who in ("ML platform team", "Data scientists", "Security engineering"):
        yield T(TM, kgt("stakeholder"), ox.Literal(who))
    yield T(TM, kgt("owner"), ox.Literal("Head of ML platform"))
    yield T(TM, kgt("reviewedOn"), _date("2026-03-01"))
    yield T(TM, kgt("assumes"), ADVERSARY)
    for exclusion in estate.exclusions:
        yield T(TM, kgt("outOfScope"), node(exclusion.key))
    yield T(ADVERSARY, RDF_TYPE, kgt("Adversary"))
    yield T(ADVERSARY, LABEL, ox.Literal("Organised fraud ring"))
    yield T(ADVERSARY, kgt("knowledge"), kgt("GrayBox"))
    yield T(ADVERSARY, kgt("capability"), kgt("MediumCapability"))
    yield T(ADVERSARY, kgt("goal"), kgt("IntegrityViolation"))
    yield T(ADVERSARY, kgt("goal"), kgt("PrivacyCompromise"))
    for key in estate.adversary_access:
        yield T(ADVERSARY, kgt("canAccess"), node(key))
    yield T(SYSTEM, RDF_TYPE, kgt("System"))
    yield T(SYSTEM, LABEL, ox.Literal("Synthetic ML estate"))
    for comp in estate.components:
        yield T(SYSTEM, kgt("hasComponent"), node(comp.key))
    for flow in estate.flows:
        yield T(SYSTEM, kgt("hasComponent"), node(flow.key))


def _elements(estate: Estate) -> Iterator[ox.Triple]:
    T = ox.Triple
    for zone in estate.zones:
        z = node(zone.key)
        yield T(z, RDF_TYPE, kgt("TrustBoundary"))
        yield T(z, LABEL, ox.Literal(zone.label))
    for asset in estate.assets:
        a = node(asset.key)
        yield T(a, RDF_TYPE, kgt(asset.kind))
        yield T(a, LABEL, ox.Literal(asset.label))
        yield T(a, kgt("sensitivity"), kgt(asset.sensitivity))
        yield T(a, kgt("containsPersonalData"), TRUE if asset.personal else FALSE)
        if asset.pretrained_by:
            yield T(a, kgt("pretrainedBy"), node(asset.pretrained_by))
    for comp in estate.components:
        c = node(comp.key)
        yield T(c, RDF_TYPE, kgt(comp.kind))
        yield T(c, LABEL, ox.Literal(comp.label))
        yield T(c, kgt("inside"), node(comp.zone))
        if comp.trust:
            yield T(c, kgt("trustLevel"), kgt(comp.trust))
        if comp.public:
            yield T(c, kgt("publiclyAccessible"), TRUE)
        for prop, values in (("stores", comp.stores), ("processes", comp.processes),
                             ("usesTool", comp.uses_tool),
                             ("retrievesFrom", comp.retrieves_from)):
            for value in values:
                yield T(c, kgt(prop), node(value))
        for prop, one in (("trains", comp.trains), ("serves", comp.serves)):
            if one:
                yield T(c, kgt(prop), node(one))
        for prop, flag in (("learnsOnline", comp.learns_online),
                           ("returnsConfidenceScores", comp.confidence_scores),
                           ("runsOnClientDevice", comp.client_device)):
            if flag:
                yield T(c, kgt(prop), TRUE)
        for control in comp.controls:
            yield T(c, kgt("hasControl"), kgt(control))
    for flow in estate.flows:
        f = node(flow.key)
        yield T(f, RDF_TYPE, kgt("DataFlow"))
        yield T(f, LABEL, ox.Literal(flow.label))
        yield T(f, kgt("from"), node(flow.source))
        yield T(f, kgt("to"), node(flow.target))
        yield T(f, kgt("carries"), node(flow.asset))
        if flow.encrypted:
            yield T(f, kgt("hasControl"), kgt("EncryptionInTransit"))


def _decisions(estate: Estate) -> Iterator[ox.Triple]:
    T = ox.Triple
    for t in estate.treatments:
        s = node(t.key)
        yield T(s, RDF_TYPE, kgt("Treatment"))
        yield T(s, kgt("forThreat"), kgt(t.threat))
        yield T(s, kgt("onComponent"), node(t.component))
        yield T(s, kgt("decision"), kgt(t.decision))
        yield T(s, kgt("rationale"), ox.Literal(t.rationale))
        yield T(s, kgt("owner"), ox.Literal(t.owner))
        if t.transferred_to:
            yield T(s, kgt("transferredTo"), ox.Literal(t.transferred_to))
        if t.validated_on:
            evidence = node(t.key + "-evidence")
            yield T(s, kgt("validatedBy"), evidence)
            yield T(evidence, LABEL, ox.Literal("Red-team exercise"))
            yield T(evidence, kgt("validatedOn"), _date(t.validated_on))
    for x in estate.exclusions:
        s = node(x.key)
        yield T(s, RDF_TYPE, kgt("Exclusion"))
        yield T(s, kgt("excludes"), node(x.target))
        yield T(s, kgt("rationale"), ox.Literal(x.rationale))


def triples(estate: Estate) -> Iterator[ox.Triple]:
    """Every triple of the estate, in a fixed order."""
    yield from _header(estate)
    yield from _elements(estate)
    yield from _decisions(estate)


def to_turtle(estate: Estate) -> bytes:
    """The estate as Turtle: the same bytes for the same estate."""
    head = (f"# Synthetic ML estate: {estate.components_requested} components, "
            f"seed {estate.seed}. Written by bench/generate.py.\n")
    out = io.BytesIO()
    out.write(head.encode())
    ox.serialize(triples(estate), out, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return out.getvalue()
