"""Compile the ontology's target classes (OWL class expressions) into one SPARQL query.

Applicability is data: a catalog threat ``kgt:appliesTo`` target classes, and a target class
is a named class or a class with an ``owl:equivalentClass`` expression. This module turns the
expressions into SPARQL graph patterns, generically: it knows the OWL constructs, never a
particular class. The grammar is documented in docs/architecture.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg_threat.errors import KgThreatError
from kg_threat.vocab import OWL, RDF, RDFS

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_NIL = RDF + "nil"


class OntologyError(KgThreatError):
    """The bundled or user-supplied ontology uses a construct the rule compiler does not know."""


@dataclass
class TripleIndex:
    """Subject → predicate → objects, over the triples the compiler reads."""

    by_subject: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    sub_properties: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> TripleIndex:
        index = cls()
        for quad in quads:
            subject = quad.subject
            if isinstance(subject, ox.Triple):
                continue
            key = _key(subject)
            obj = quad.object
            if isinstance(obj, ox.Triple):
                continue
            index.by_subject.setdefault(key, {}).setdefault(quad.predicate.value, []).append(obj)
            if quad.predicate.value == RDFS + "subPropertyOf" and isinstance(obj, ox.NamedNode):
                index.sub_properties[obj.value].append(subject)
        return index

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return self.by_subject.get(_key(subject), {}).get(predicate, [])

    def one(self, subject: Term, predicate: str) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def rdf_list(self, head: Term) -> list[Term]:
        items: list[Term] = []
        node: Term | None = head
        while node is not None and not (isinstance(node, ox.NamedNode) and node.value == _NIL):
            first = self.one(node, RDF + "first")
            if first is None:
                raise OntologyError(f"malformed RDF list at {node}")
            items.append(first)
            node = self.one(node, RDF + "rest")
        return items


def _key(term: Term | ox.NamedNode | ox.BlankNode) -> str:
    return str(term)


class Compiler:
    """Translate class expressions to SPARQL group patterns over a subject variable."""

    def __init__(self, index: TripleIndex) -> None:
        self._index = index
        self._counter = 0

    def _fresh(self) -> str:
        self._counter += 1
        return f"?v{self._counter}"

    def pattern(self, cls: Term, var: str, *, _seen: frozenset[str] = frozenset()) -> str:
        """A SPARQL group pattern true exactly for the members of ``cls`` bound to ``var``."""
        idx = self._index
        if isinstance(cls, ox.Literal):
            raise OntologyError(f"a literal cannot be a class: {cls}")
        if isinstance(cls, ox.NamedNode):
            if cls.value == OWL + "Thing":
                return ""
            definition = idx.one(cls, OWL + "equivalentClass")
            if definition is not None and cls.value not in _seen:
                return self.pattern(definition, var, _seen=_seen | {cls.value})
            return f"{var} a {cls} ."
        parts = idx.objects(cls, OWL + "intersectionOf")
        if parts:
            return " ".join(self.pattern(p, var, _seen=_seen) for p in idx.rdf_list(parts[0]))
        parts = idx.objects(cls, OWL + "unionOf")
        if parts:
            branches = [self.pattern(p, var, _seen=_seen) for p in idx.rdf_list(parts[0])]
            return " UNION ".join("{ " + b + " }" for b in branches)
        parts = idx.objects(cls, OWL + "oneOf")
        if parts:
            values = " ".join(str(v) for v in idx.rdf_list(parts[0]))
            return f"VALUES {var} {{ {values} }}"
        prop = idx.one(cls, OWL + "onProperty")
        if prop is None:
            raise OntologyError(f"unsupported class expression {cls}")
        path = self.path(prop)
        value = idx.one(cls, OWL + "hasValue")
        if value is not None:
            return f"{var} {path} {value} ."
        filler = idx.one(cls, OWL + "someValuesFrom")
        if filler is not None:
            inner = self._fresh()
            return f"{var} {path} {inner} . " + self.pattern(filler, inner, _seen=_seen)
        raise OntologyError(f"unsupported restriction {cls}: use owl:someValuesFrom or owl:hasValue")

    def path(self, prop: Term, *, _seen: frozenset[str] = frozenset()) -> str:
        """A SPARQL property path for a named, inverse, chained or transitive property."""
        idx = self._index
        if isinstance(prop, ox.BlankNode):
            inverse = idx.one(prop, OWL + "inverseOf")
            if inverse is None:
                raise OntologyError(f"unsupported property expression {prop}")
            return f"^({self.path(inverse, _seen=_seen)})"
        if not isinstance(prop, ox.NamedNode):
            raise OntologyError(f"a literal cannot be a property: {prop}")
        seen = _seen | {prop.value}
        chain = idx.objects(prop, OWL + "propertyChainAxiom")
        own = "/".join(f"({self.path(p, _seen=seen)})" for p in idx.rdf_list(chain[0])) if chain else str(prop)
        alternatives = [own] + [
            self.path(sub, _seen=seen)
            for sub in sorted(idx.sub_properties.get(prop.value, []), key=str)
            if not (isinstance(sub, ox.NamedNode) and sub.value in seen)
        ]
        path = alternatives[0] if len(alternatives) == 1 else "(" + "|".join(alternatives) + ")"
        transitive = any(
            isinstance(t, ox.NamedNode) and t.value == OWL + "TransitiveProperty"
            for t in idx.objects(prop, RDF + "type")
        )
        return f"({path})+" if transitive else path


def membership_query(index: TripleIndex, classes: Iterable[ox.NamedNode]) -> str:
    """One SELECT of ``?member ?class`` pairs over all the given target classes."""
    compiler = Compiler(index)
    branches = []
    for cls in sorted(set(classes), key=lambda c: c.value):
        body = compiler.pattern(cls, "?member")
        if not body:
            raise OntologyError(f"target class {cls} would match everything")
        branches.append(f"{{ {body} BIND({cls} AS ?class) }}")
    if not branches:
        return "SELECT ?member ?class WHERE { FILTER(false) }"
    return "SELECT DISTINCT ?member ?class WHERE {\n  " + "\n  UNION ".join(branches) + "\n}"
