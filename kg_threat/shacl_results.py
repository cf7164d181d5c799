"""The records of a validation (results, report) and how pyshacl's results become them.

pyshacl hands each result over as a list of triples about a fresh blank node, whose objects
are terms or ``(graph, term)`` pairs naming the graph the term comes from (the shapes graph
for shapes and paths, the data graph for focus nodes and values). They are read here
directly, without the report graph pyshacl would build from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from kg_threat.vocab import SH, XSD

if TYPE_CHECKING:
    import rdflib

Severity = Literal["Violation", "Warning", "Info"]
SEVERITY_ORDER: Final[dict[str, int]] = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, slots=True, order=True)
class ValidationResult:
    """One SHACL validation result, with its terms as strings (IRIs in full)."""

    severity: Severity
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str
    value_datatype: str | None = None  # None: the value is an IRI (or there is none)
    path_is_iri: bool = True

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (SEVERITY_ORDER[self.severity], self.focus, self.path or "", self.shape,
                self.value or "", self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
            "constraint": self.constraint,
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validation: results sorted by severity, focus node, path, shape."""

    results: tuple[ValidationResult, ...]

    @property
    def conforms(self) -> bool:
        """No Violation (warnings and infos do not break conformance of the model)."""
        return self.count("Violation") == 0

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def failed(self, *, strict: bool = False) -> bool:
        """Whether ``validate`` exits 1: any Violation, or any result at all under --strict."""
        return bool(self.results) if strict else not self.conforms


def report_from_results(results: Iterable[Sequence[Any]]) -> ValidationReport:
    """Read pyshacl's results (``(text, node, triples)`` each) into sorted records. A blank
    ``sh:resultPath`` is a SHACL path, read from the graph it comes with (the shapes graph);
    any other blank node is written ``_:id``."""
    from rdflib import BNode
    from rdflib import Literal as RdfLiteral

    def term(node: Any) -> str | None:
        """An IRI or literal as its string, a blank node as ``_:id``."""
        if node is None:
            return None
        return "_:" + str(node) if isinstance(node, BNode) else str(node)

    def datatype(node: Any) -> str | None:
        if isinstance(node, RdfLiteral):
            return XSD + "string" if node.language or node.datatype is None else str(node.datatype)
        return None

    found: list[ValidationResult] = []
    for _text, node, triples in results:
        terms: dict[str, Any] = {}
        messages: set[str] = set()
        path_graph: Any = None
        for subject, predicate, obj in triples:
            if subject is not node and subject != node:  # a nested result's details
                continue
            graph, value = obj if isinstance(obj, tuple) else (None, obj)
            name = str.removeprefix(predicate, SH)
            if name == "resultMessage":
                messages.add(str(value))
                continue
            terms[name] = value
            if name == "resultPath":
                path_graph = graph
        path = terms.get("resultPath")
        value = terms.get("value")
        found.append(ValidationResult(
            severity=_severity(term(terms.get("resultSeverity")) or ""),
            focus=term(terms.get("focusNode")) or "",
            path=_path(path_graph, path) if isinstance(path, BNode) and path_graph is not None else term(path),
            value=term(value),
            message=" ".join(sorted(messages)),
            shape=term(terms.get("sourceShape")) or "",
            constraint=term(terms.get("sourceConstraintComponent")) or "",
            value_datatype=datatype(value),
            path_is_iri=not isinstance(path, BNode),
        ))
    found.sort(key=ValidationResult.sort_key)
    return ValidationReport(tuple(found))


def _severity(iri: str) -> Severity:
    local = iri.removeprefix(SH)
    if local == "Warning":
        return "Warning"
    if local == "Info":
        return "Info"
    return "Violation"


def _path(graph: rdflib.Graph, node: Any) -> str:
    from rdflib import RDF, URIRef
    from rdflib.collection import Collection

    if isinstance(node, URIRef):
        return f"<{node}>"
    inverse = graph.value(node, URIRef(SH + "inversePath"))
    if inverse is not None:
        return "^" + _path(graph, inverse)
    alternative = graph.value(node, URIRef(SH + "alternativePath"))
    if alternative is not None:
        return "(" + "|".join(_path(graph, n) for n in Collection(graph, alternative)) + ")"
    for modifier, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = graph.value(node, URIRef(SH + modifier))
        if inner is not None:
            return _path(graph, inner) + mark
    if graph.value(node, RDF.first) is not None:
        return "/".join(_path(graph, n) for n in Collection(graph, node))
    return "_:" + str(node)
