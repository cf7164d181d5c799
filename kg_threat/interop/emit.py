"""Write an imported model as Turtle in the kg-threat vocabulary (rdflib, sorted output)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import PurePath
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg_threat.interop.records import Element, Model
from kg_threat.vocab import ATLAS, KGT, OWASP

K = Namespace(KGT)
IMPLICIT_ZONE = "implicit outside zone"  # dcterms:type of the zone added for unzoned elements


def default_base(model: Model) -> str:
    """``urn:kg-threat:import:<slug of the title>/``: stable for the same source model."""
    text = unicodedata.normalize("NFKD", model.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "model"
    return f"urn:kg-threat:import:{slug}/"


class _Writer:
    def __init__(self, model: Model, base: str) -> None:
        self.model = model
        self.base = base
        self.g = Graph()
        self.g.bind("kgt", KGT)
        self.g.bind("atlas", ATLAS)
        self.g.bind("owasp", OWASP)
        self.g.bind("dcterms", DCTERMS)

    def iri(self, segment: str, ident: str) -> URIRef:
        return URIRef(f"{self.base}{segment}/{quote(ident, safe='-._~')}")

    def component(self, ident: str) -> URIRef:
        segment = "flow" if ident in self.model.flows and ident not in self.model.elements else (
            "component")
        return self.iri(segment, ident)

    def text(self, node: URIRef, prop: URIRef, value: str | None) -> None:
        if value and value.strip():
            self.g.add((node, prop, Literal(value.strip())))

    def common(self, node: URIRef, kind: str, ident: str, name: str) -> None:
        self.g.add((node, RDF.type, K[kind]))
        self.g.add((node, DCTERMS.identifier, Literal(ident)))
        self.text(node, RDFS.label, name or ident)

    def element(self, system: URIRef, e: Element) -> None:
        node = self.iri("component", e.id)
        self.g.add((system, K.hasComponent, node))
        self.common(node, e.kind, e.id, e.name)
        if e.ml_kind:
            self.g.add((node, RDF.type, K[e.ml_kind]))
            self.g.add((node, RDFS.comment, Literal(
                f"Kind kgt:{e.ml_kind} {e.ml_reason}; confirm it, or override it with a "
                "mapping file (kg-threat import --mapping).")))
        self.text(node, DCTERMS.description, e.description)
        for comment in e.comments:
            self.g.add((node, RDFS.comment, Literal(comment)))
        for boundary in e.boundaries:
            self.g.add((node, K.inside, self.iri("boundary", boundary)))
        for control in e.controls:
            self.g.add((node, K.hasControl, K[control]))
        if e.public is not None:
            self.g.add((node, K.publiclyAccessible, Literal(e.public)))
        held = K.stores if e.kind == "DataStore" else K.processes
        for asset in (*e.stores, *e.processes):
            self.g.add((node, held, self.iri("asset", asset)))
        if e.out_of_scope is not None:
            self.exclusion(e.id, node, e.out_of_scope)

    def exclusion(self, ident: str, node: URIRef, reason: str) -> None:
        exclusion = self.iri("exclusion", ident)
        self.g.add((self.iri("threat-model", "main"), K.outOfScope, exclusion))
        self.g.add((exclusion, RDF.type, K.Exclusion))
        self.g.add((exclusion, K.excludes, node))
        reason = reason.strip() or "out of scope in the source"
        self.g.add((exclusion, K.rationale, Literal(reason)))

    def write(self) -> Graph:
        m, g = self.model, self.g
        system = self.iri("system", "main")
        g.add((system, RDF.type, K.System))
        self.text(system, RDFS.label, m.title or PurePath(m.source).name)
        self.text(system, DCTERMS.description, m.description)
        tm = self.iri("threat-model", "main")
        g.add((tm, RDF.type, K.ThreatModel))
        g.add((tm, K.scope, system))
        self.text(tm, RDFS.label, f"Threat model of {m.title or PurePath(m.source).name}")
        self.text(tm, DCTERMS.source, f"{PurePath(m.source).name} ({m.format})")
        self.text(tm, K.owner, m.owner)
        for person in m.stakeholders:
            self.text(tm, K.stakeholder, person)
        if m.reviewed_on:
            try:
                g.add((tm, K.reviewedOn, Literal(date.fromisoformat(m.reviewed_on[:10]),
                                                 datatype=XSD.date)))
            except ValueError:
                m.warn(f"review date '{m.reviewed_on}' is not a date; left out")
        for e in sorted(m.elements.values(), key=lambda x: x.id):
            self.element(system, e)
        for b in sorted(m.boundaries.values(), key=lambda x: x.id):
            node = self.iri("boundary", b.id)
            g.add((system, K.hasComponent, node))
            self.common(node, "TrustBoundary", b.id, b.name)
            if b.implicit:
                g.remove((node, DCTERMS.identifier, None))
                g.add((node, DCTERMS.type, Literal(IMPLICIT_ZONE)))
            self.text(node, DCTERMS.description, b.description)
            if b.parent:
                g.add((node, K.inside, self.iri("boundary", b.parent)))
        for f in sorted(m.flows.values(), key=lambda x: x.id):
            node = self.iri("flow", f.id)
            g.add((system, K.hasComponent, node))
            self.common(node, "DataFlow", f.id, f.name)
            self.text(node, DCTERMS.description, f.description)
            g.add((node, K["from"], self.iri("component", f.source)))
            g.add((node, K.to, self.iri("component", f.target)))
            for asset in f.carries:
                g.add((node, K.carries, self.iri("asset", asset)))
            for control in f.controls:
                g.add((node, K.hasControl, K[control]))
            if f.out_of_scope is not None:
                self.exclusion(f.id, node, f.out_of_scope)
        for a in sorted(m.assets.values(), key=lambda x: x.id):
            node = self.iri("asset", a.id)
            self.common(node, a.kind, a.id, a.name)
            if a.kind != "Asset":
                g.add((node, RDF.type, K.Asset))
                g.add((node, RDFS.comment, Literal(f"Kind kgt:{a.kind} {a.kind_reason}.")))
            self.text(node, DCTERMS.description, a.description)
            if a.sensitivity:
                g.add((node, K.sensitivity, K[a.sensitivity]))
            if a.personal is not None:
                g.add((node, K.containsPersonalData, Literal(a.personal)))
        for t in sorted(m.treatments.values(), key=lambda x: x.id):
            node = self.iri("treatment", t.id)
            self.common(node, "Treatment", t.id, t.title)
            g.add((node, K.forThreat, URIRef(t.threat)))
            g.add((node, K.onComponent, self.component(t.component)))
            g.add((node, K.decision, K[t.decision]))
            self.text(node, K.rationale, t.rationale)
            self.text(node, K.owner, t.owner)
        return g


def to_graph(model: Model, base: str | None = None) -> Graph:
    """The model as an rdflib graph; IRIs are ``base`` + kind + percent-encoded source id."""
    return _Writer(model, base or default_base(model)).write()


def to_turtle(model: Model, base: str | None = None) -> str:
    """The model as Turtle text (rdflib sorts subjects and objects: same input, same bytes)."""
    return to_graph(model, base).serialize(format="turtle")
