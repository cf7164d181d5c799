"""Validate step: SHACL checks of the model itself (``shapes/*.ttl``), run by pyshacl.

pyshacl is the SHACL engine of record. It runs on a small pyoxigraph store built for it (so
its SPARQL targets and constraints run on pyoxigraph, and no rdflib copy of the system is
made): the user's system as loaded, the ontology's class hierarchy (so targets follow
``rdf:type/rdfs:subClassOf*`` with no RDFS inference), the ontology itself in its named graph
(to tell defined ``kgt:`` terms from unknown ones), the findings the shapes read
(:func:`findings_for_shapes`: a ``kgts:unmitigatedRisk`` link from each component to its first
unmitigated high or critical finding, which the missing-mitigation shape counts, and the
critical findings a treatment names, whose threat, component and risk the treatment shapes
read), and the validation date on ``<urn:kg-threat:input>``. The query that selects the class
hierarchy is data (``shapes/prepare/hierarchy.rq``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyoxigraph as ox

from kg_threat.background import Background, forkable
from kg_threat.errors import InputError
from kg_threat.findings_rdf import core_ntriples
from kg_threat.model import runs_of
from kg_threat.resources import data_dir, shapes_files
from kg_threat.shacl_results import (
    SEVERITY_ORDER,
    Severity,
    ValidationReport,
    ValidationResult,
    report_from_results,
)
from kg_threat.vocab import ONTOLOGY_GRAPH, XSD

if TYPE_CHECKING:
    import rdflib

    from kg_threat.model import Finding
    from kg_threat.pipeline import Result

SHAPES: Final = "https://w3id.org/kg-threat/shapes#"
INPUT_NODE: Final = "urn:kg-threat:input"
VALIDATION_DATE: Final = SHAPES + "validationDate"
UNMITIGATED_RISK: Final = SHAPES + "unmitigatedRisk"

__all__ = [
    "SEVERITY_ORDER", "Severity", "ValidationReport", "ValidationResult", "findings_for_shapes",
    "load_shapes", "run_shacl", "validate", "validation_store",
]


# The shapes files validated in a child process while this one validates the others
# (kg_threat.background): the check of each component's unmitigated high risks, half of
# pyshacl's time at 10,000 components. Every group also reads the prefix declarations.
_ASIDE: Final = frozenset({"findings.ttl"})
_PREFIXES: Final = "prefixes.ttl"


def validate(result: Result, *, today: date, in_place: bool = False) -> ValidationReport:
    """Run the bundled shapes on the system, the ontology closure and the findings of ``result``.
    ``in_place``: see :func:`validation_store`."""
    return run_shapes(validation_store(result, today=today, in_place=in_place), shapes_files())


def run_shapes(data: ox.Store, paths: list[Path]) -> ValidationReport:
    """:func:`run_shacl` with the shapes in ``paths``; the files in ``_ASIDE`` in a child
    process beside the others when one can be forked. The results are those of one run: a
    result comes from one shape, whose files are in one group, and the records are sorted."""
    import pyshacl  # noqa: F401 - imported once, before the child is forked

    aside = [p for p in paths if p.name in _ASIDE]
    rest = [p for p in paths if p.name not in _ASIDE]
    if not aside or not [p for p in rest if p.name != _PREFIXES] or not forkable():
        return run_shacl(data, load_shapes(paths))
    shared = [p for p in rest if p.name == _PREFIXES]
    child = Background(partial(run_shacl_files, data, shared + aside))
    try:
        here = run_shacl(data, load_shapes(rest))
        there = child.result()
    finally:
        child.cancel()
    return ValidationReport(tuple(sorted(here.results + there.results, key=ValidationResult.sort_key)))


def run_shacl_files(data: ox.Store, paths: list[Path]) -> ValidationReport:
    """:func:`run_shacl` with the shapes files ``paths``."""
    return run_shacl(data, load_shapes(paths))


def validation_store(
    result: Result, *, today: date, findings: Iterable[Finding] | None = None,
    in_place: bool = False,
) -> ox.Store:
    """The store the shapes run on (see the module docstring). ``findings`` default to
    :func:`findings_for_shapes`.

    ``result.store`` is not changed, unless ``in_place``: then it becomes the validation store
    (its other named graphs dropped), which saves copying the system (0.5 s at 10,000
    components) when nothing reads the analysis's store afterwards."""
    source = result.store
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    triples = source.query(_prepare_query("hierarchy.rq"))
    assert isinstance(triples, ox.QueryTriples)
    hierarchy = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if in_place:
        target = source
        for graph in list(target.named_graphs()):
            if graph != ontology:
                target.remove_graph(graph)
    else:
        target = ox.Store()
        target.extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        target.extend(source.quads_for_pattern(None, None, None, ontology))
    target.extend(hierarchy)
    chosen = findings_for_shapes(result) if findings is None else list(findings)
    named = {(t.threat, t.component) for t in result.facts.treatments}
    read = [f for f in chosen if f.risk == "critical" and (f.threat, f.component) in named]
    target.load(core_ntriples(read) + _links_ntriples(chosen), format=ox.RdfFormat.N_TRIPLES)
    target.add(ox.Quad(
        ox.NamedNode(INPUT_NODE), ox.NamedNode(VALIDATION_DATE),
        ox.Literal(today.isoformat(), datatype=ox.NamedNode(XSD + "date")), ox.DefaultGraph(),
    ))
    return target


def _links_ntriples(findings: Iterable[Finding]) -> bytes:
    """``<component> kgts:unmitigatedRisk <finding>`` for each unmitigated high or critical
    finding, as N-Triples: the link ``UnmitigatedRiskShape`` (shapes/findings.ttl) counts, one
    line per finding instead of its five core triples and a query deriving the link from them
    (at 10,000 components, 0.5 s -> 0.2 s). Components and findings are IRIs."""
    link = f" <{UNMITIGATED_RISK}> <"
    return "".join([f"<{f.component}>{link}{f.iri}> .\n" for f in findings
                    if f.status == "unmitigated" and f.risk in _SERIOUS]).encode()


_SERIOUS: Final = frozenset({"high", "critical"})


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
    labels = result.facts.labels
    for f, components in runs_of(result.analysis.findings):
        if f.risk not in ("high", "critical"):
            break  # findings come critical first, then high: none of the rest is wanted
        if f.status == "unmitigated":
            fresh = [c for c in components if c not in flagged]  # a run names a component once
            flagged.update(fresh)
        else:
            fresh = []
        if named and f.risk == "critical":
            taken = set(fresh)
            fresh = [c for c in components if c in taken or (f.threat, c) in named]
        chosen += [f._replace(component=c, component_label=labels.get(c, f.component_label)) for c in fresh]
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
    from pyshacl.errors import ReportableRuntimeError
    from pyshacl.graph_abstraction import OxigraphDataGraph

    class StoreGraph(OxigraphDataGraph):
        """pyshacl's view of a pyoxigraph store. It tests the graph for truth once per result,
        which counts every triple of the store; a store given to validation is never empty."""

        def __bool__(self) -> bool:
            return True

    class ResultsValidator(pyshacl.Validator):
        """pyshacl's validator, handing back its results as they are. pyshacl would append
        each result's text to one string (quadratic: at 5,000 components, 13,500 warnings,
        that string alone took 5 s) and build a report graph that was only read back here."""

        @classmethod
        def create_validation_report(cls, sg: Any, conforms: bool, results: list[Any]) -> Any:
            return results, ""

    try:
        validator = ResultsValidator(
            StoreGraph(data),
            shacl_graph=shapes,
            options={
                "inference": "none", "advanced": True, "inplace": True, "abort_on_first": False,
                "allow_infos": False, "allow_warnings": False,
            },
        )
        with _without_result_text():
            _conforms, results, _text = validator.run()  # type: ignore[no-untyped-call]
    except ReportableRuntimeError as exc:  # broken shapes
        raise InputError(f"the SHACL shapes cannot be used: {exc}") from None
    return report_from_results(results)


@contextmanager
def _without_result_text() -> Iterator[None]:
    """pyshacl writes a text description of every result (namespace lookups for each node:
    at 10,000 components, 27,000 warnings, 7 s of the 20 s validation). The records are read
    from the result triples (:mod:`kg_threat.shacl_results`) and the text was thrown away, so
    for the duration of one validation the description is an empty string. pyshacl has one
    call site for it (``ConstraintComponent.make_v_result``); the method is restored after."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    original = ConstraintComponent.make_v_result_description

    def no_text(self: object, *args: object, **kwargs: object) -> str:
        return ""

    ConstraintComponent.make_v_result_description = no_text  # type: ignore[method-assign]
    try:
        yield
    finally:
        ConstraintComponent.make_v_result_description = original  # type: ignore[method-assign]
