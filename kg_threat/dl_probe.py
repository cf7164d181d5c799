"""Probe classes that let HermiT say *which* individual makes a knowledge base inconsistent.

HermiT only reports that a knowledge base is inconsistent. For every named individual we
build a class that states what the data says about it alone: its asserted classes, one
``owl:someValuesFrom owl:Thing`` restriction per object property it uses (``owl:inverseOf``
for the properties that point at it) and one ``owl:hasValue`` restriction per literal. Without
the individuals, the probe classes of the individuals at fault are unsatisfiable, which HermiT
does report. Contradictions spread over several individuals (through cardinalities or
nominals) are not caught this way; the ontology uses neither on the system vocabulary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kg_threat.vocab import DCTERMS, KGT, OWL, RDF, RDFS, SKOS

PROBE_NS = "urn:kg-threat:dl-probe:"

_TYPE = ox.NamedNode(RDF + "type")
_SCHEMA_NAMESPACES = (RDF, RDFS, OWL, SKOS, DCTERMS, "http://www.w3.org/2001/XMLSchema#")
_NOT_META = {OWL + "NamedIndividual", OWL + "Thing"}


def _n(local: str, ns: str = OWL) -> ox.NamedNode:
    return ox.NamedNode(ns + local)


def _is_meta_type(term: object) -> bool:
    """A type that makes its subject part of the schema (a class, a property, an axiom…)."""
    return (
        isinstance(term, ox.NamedNode)
        and term.value.startswith(_SCHEMA_NAMESPACES)
        and term.value not in _NOT_META
    )


def _is_schema_predicate(predicate: ox.NamedNode) -> bool:
    return predicate != _TYPE and predicate.value.startswith(_SCHEMA_NAMESPACES)


def split_individuals(triples: Sequence[ox.Triple]) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Split triples into the schema and the facts about named individuals.

    An individual is an IRI with a type that is not an OWL, RDF or RDFS term (a class, a
    property, an ontology header…).
    """
    typed: dict[str, bool] = {}
    for t in triples:
        if t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode):
            meta = _is_meta_type(t.object)
            typed[t.subject.value] = typed.get(t.subject.value, True) and not meta
    individuals = {iri for iri, plain in typed.items() if plain}
    schema: list[ox.Triple] = []
    facts: list[ox.Triple] = []
    for t in triples:
        about = isinstance(t.subject, ox.NamedNode) and t.subject.value in individuals
        (facts if about else schema).append(t)
    return schema, facts


def mentioned_iris(facts: Iterable[ox.Triple]) -> set[str]:
    """IRIs the facts are about: subjects, and objects of non-schema properties."""
    found: set[str] = set()
    for t in facts:
        if isinstance(t.subject, ox.NamedNode):
            found.add(t.subject.value)
        if isinstance(t.object, ox.NamedNode) and t.predicate != _TYPE and not (
            _is_schema_predicate(t.predicate)
        ):
            found.add(t.object.value)
    return found


def _kinds(schema: Iterable[ox.Triple]) -> tuple[set[str], set[str]]:
    """Annotation properties and datatype properties declared in ``schema``."""
    annotation: set[str] = set()
    datatype: set[str] = set()
    for t in schema:
        if t.predicate == _TYPE and isinstance(t.subject, ox.NamedNode):
            if t.object == _n("AnnotationProperty"):
                annotation.add(t.subject.value)
            elif t.object == _n("DatatypeProperty"):
                datatype.add(t.subject.value)
    return annotation, datatype


def probes(
    facts: Sequence[ox.Triple], context: Sequence[ox.Triple]
) -> tuple[list[ox.Triple], dict[str, str]]:
    """The probe classes of the individuals in ``facts``, and a map probe IRI → individual IRI.

    ``context`` (schema and facts) tells annotation and datatype properties apart.
    """
    annotation, datatype = _kinds(context)
    parts: dict[str, list[ox.Triple]] = defaultdict(list)
    out: list[ox.Triple] = []

    def restriction(owner: str, prop: ox.NamedNode | ox.BlankNode, link: ox.NamedNode,
                    value: ox.NamedNode | ox.Literal) -> None:
        node = ox.BlankNode()
        out.extend([
            ox.Triple(node, _TYPE, _n("Restriction")),
            ox.Triple(node, _n("onProperty"), prop),
            ox.Triple(node, link, value),
        ])
        parts[owner].append(ox.Triple(ox.NamedNode(owner), _n("subClassOf", RDFS), node))

    for t in facts:
        p = t.predicate
        if _is_schema_predicate(p) or p.value in annotation:
            continue
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        if p == _TYPE:
            if subject and isinstance(t.object, ox.NamedNode) and not _is_meta_type(t.object) \
                    and t.object.value not in _NOT_META:
                parts[subject].append(
                    ox.Triple(ox.NamedNode(subject), _n("subClassOf", RDFS), t.object))
            continue
        if isinstance(t.object, ox.Literal):
            if subject:
                restriction(subject, p, _n("hasValue"), t.object)
            continue
        if p.value in datatype:
            continue
        if subject:
            restriction(subject, p, _n("someValuesFrom"), _n("Thing"))
        if isinstance(t.object, ox.NamedNode):
            inverse = ox.BlankNode()
            out.append(ox.Triple(inverse, _n("inverseOf"), p))
            restriction(t.object.value, inverse, _n("someValuesFrom"), _n("Thing"))

    probe_map: dict[str, str] = {}
    for number, (individual, axioms) in enumerate(sorted(parts.items())):
        probe = ox.NamedNode(f"{PROBE_NS}{number}")
        probe_map[probe.value] = individual
        out.append(ox.Triple(probe, _TYPE, _n("Class")))
        out.extend(ox.Triple(probe, a.predicate, a.object) for a in axioms)
    return out, probe_map


def asserted_types(facts: Iterable[ox.Triple], iri: str) -> list[str]:
    """The classes ``facts`` assert for ``iri``, sorted."""
    return sorted(
        t.object.value
        for t in facts
        if t.predicate == _TYPE
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value == iri
        and isinstance(t.object, ox.NamedNode)
        and not _is_meta_type(t.object)
        and t.object.value not in _NOT_META
    )


def describe(iri: str, types: Sequence[str]) -> str:
    """``<iri> (asserted: kgt:A, kgt:B)`` for messages."""
    shown = ", ".join("kgt:" + c[len(KGT):] if c.startswith(KGT) else f"<{c}>" for c in types)
    return f"<{iri}>" + (f" (asserted: {shown})" if shown else "")
