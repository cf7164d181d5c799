"""Validate step: SHACL checks of the model itself (``shapes/*.ttl``), run by pyshacl.

pyshacl is the SHACL engine of record. It runs on a small pyoxigraph store built for it (so
its SPARQL targets and constraints run on pyoxigraph, and no rdflib copy of the system is
made): the user's system as loaded, the ontology's class hierarchy (so targets follow
``rdf:type/rdfs:subClassOf*`` with no RDFS inference), the ontology itself in its named graph
(to tell defined ``kgt:`` terms from unknown ones), the findings the shapes read
(:func:`findings_for_shapes`), and the validation date on ``<urn:kg-threat:input>``. The
queries that select these are data (``shapes/prepare/*.rq``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pyoxigraph as ox

from kg_threat.errors import InputError
from kg_threat.findings_rdf import findings_quads
from kg_threat.resources import data_dir, shapes_files
from kg_threat.vocab import ONTOLOGY_GRAPH, SH, XSD

if TYPE_CHECKING:
    import rdflib

    from kg_threat.model import Finding
    from kg_threat.pipeline import Result

SHAPES: Final = "https://w3id.org/kg-threat/shapes#"
INPUT_NODE: Final = "urn:kg-threat:input"
VALIDATION_DATE: Final = SHAPES + "validationDate"

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


def validate(result: Result, *, today: date) -> ValidationReport:
    """Run the bundled shapes on the system, the ontology closure and the findings of ``result``."""
    return run_shacl(validation_store(result, today=today), load_shapes())


def validation_store(result: Result, *, today: date) -> ox.Store:
    """The store the shapes run on (see the module docstring); ``result.store`` is not changed."""
    source = result.store
    target = ox.Store()
    target.extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    target.extend(source.quads_for_pattern(None, None, None, ontology))
    triples = source.query(_prepare_query("hierarchy.rq"))
    assert isinstance(triples, ox.QueryTriples)
    target.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    target.extend(findings_quads(findings_for_shapes(result), graph=ox.DefaultGraph(), core_only=True))
    target.add(ox.Quad(
        ox.NamedNode(INPUT_NODE), ox.NamedNode(VALIDATION_DATE),
        ox.Literal(today.isoformat(), datatype=ox.NamedNode(XSD + "date")), ox.DefaultGraph(),
    ))
    return target


def findings_for_shapes(result: Result) -> list[Finding]:
    """The findings the shapes read (``shapes/findings.ttl``, ``shapes/treatments.ttl``),
    straight from the analysis rather than all of them written as RDF first:

    * per component, its first unmitigated high or critical finding: the shape asks whether a
      component has one (at 10,000 components that is 27,000 findings instead of 360,000);
    * every critical finding of a (threat, component) pair that a treatment names.
    """
    named = {(t.threat, t.component) for t in result.facts.treatments}
    chosen: list[Finding] = []
    flagged: set[str] = set()
    for f in result.analysis.findings:
        if f.risk not in ("high", "critical"):
            continue
        first_unmitigated = f.status == "unmitigated" and f.component not in flagged
        if first_unmitigated:
            flagged.add(f.component)
        if first_unmitigated or (f.risk == "critical" and (f.threat, f.component) in named):
            chosen.append(f)
    return chosen


@cache
def _prepare_query(name: str) -> str:
    return (data_dir("shapes") / "prepare" / name).read_text(encoding="utf-8")


def load_shapes(paths: Iterable[Path] | None = None) -> rdflib.Graph:
    """The shapes graph: every bundled shapes file (or the given ones), merged."""
    import rdflib

    graph = rdflib.Graph()
    for path in shapes_files() if paths is None else paths:
        graph.parse(path, format="turtle")
    return graph


def run_shacl(data: ox.Store, shapes: rdflib.Graph) -> ValidationReport:
    """The one pyshacl call of kg-threat: no inference, SHACL advanced features (SPARQL
    targets) on, the data in a pyoxigraph store (not copied, not changed)."""
    import pyshacl
    import rdflib
    from pyshacl.errors import ReportableRuntimeError
    from pyshacl.graph_abstraction import OxigraphDataGraph

    class StoreGraph(OxigraphDataGraph):
        """pyshacl's view of a pyoxigraph store. It tests the graph for truth once per result,
        which counts every triple of the store; a store given to validation is never empty."""

        def __bool__(self) -> bool:
            return True

    class GraphOnlyValidator(pyshacl.Validator):
        """pyshacl's validator, without the text report: pyshacl appends each result's text
        to one string, quadratic in the results (at 10,000 components, 27,000 warnings, that
        text took longer than the validation). Only the report graph is read here."""

        @classmethod
        def create_validation_report(cls, sg: Any, conforms: bool, results: list[Any]) -> Any:
            return super().create_validation_report(sg, conforms, [("", *r[1:]) for r in results])

    try:
        _conforms, report, _text = GraphOnlyValidator(
            StoreGraph(data),
            shacl_graph=shapes,
            options={
                "inference": "none", "advanced": True, "inplace": True, "abort_on_first": False,
                "allow_infos": False, "allow_warnings": False,
            },
        ).run()  # type: ignore[no-untyped-call]
    except ReportableRuntimeError as exc:  # broken shapes
        raise InputError(f"the SHACL shapes cannot be used: {exc}") from None
    if not isinstance(report, rdflib.Graph):
        raise InputError(f"the SHACL shapes cannot be used: {report}")
    return report_from_graph(report)


def report_from_graph(report: rdflib.Graph) -> ValidationReport:
    """Read pyshacl's ``sh:ValidationReport`` graph into sorted records."""
    from rdflib import BNode, URIRef

    sh = {name: URIRef(SH + name) for name in (
        "result", "focusNode", "resultPath", "value", "resultSeverity", "resultMessage",
        "sourceShape", "sourceConstraintComponent",
    )}
    results: list[ValidationResult] = []
    for node in report.objects(None, sh["result"]):
        messages = sorted(str(m) for m in report.objects(node, sh["resultMessage"]))
        severity = _term(report, report.value(node, sh["resultSeverity"])) or ""
        value = report.value(node, sh["value"])
        path = report.value(node, sh["resultPath"])
        results.append(ValidationResult(
            severity=_severity(severity),
            focus=_term(report, report.value(node, sh["focusNode"])) or "",
            path=_term(report, path),
            value=_term(report, value),
            message=" ".join(messages),
            shape=_term(report, report.value(node, sh["sourceShape"])) or "",
            constraint=_term(report, report.value(node, sh["sourceConstraintComponent"])) or "",
            value_datatype=_datatype(value),
            path_is_iri=not isinstance(path, BNode),
        ))
    results.sort(key=ValidationResult.sort_key)
    return ValidationReport(tuple(results))


def _datatype(node: Any) -> str | None:
    from rdflib import Literal

    if isinstance(node, Literal):
        return XSD + "string" if node.language or node.datatype is None else str(node.datatype)
    return None


def _severity(iri: str) -> Severity:
    local = iri.removeprefix(SH)
    if local == "Warning":
        return "Warning"
    if local == "Info":
        return "Info"
    return "Violation"


def _term(graph: rdflib.Graph, node: Any) -> str | None:
    """An IRI or literal as its string; a SHACL path node as a SPARQL property path."""
    from rdflib import BNode, Literal, URIRef

    if node is None:
        return None
    if isinstance(node, URIRef | Literal):
        return str(node)
    if isinstance(node, BNode):
        return _path(graph, node)
    return str(node)


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
