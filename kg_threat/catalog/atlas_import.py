"""Turn an ATLAS release into the ``ontology/atlas.ttl`` module, byte for byte reproducibly.

The module holds facts only (ids, names, relations, links to the ATLAS pages), the fixed
terms of ``atlas_schema.ttl``, base likelihood and impact by the rule in ``atlas_levels.yaml``
and ``kgt:mitigatedBy`` derived from the hand-kept ``atlas-mitigations.ttl`` (which ATLAS
mitigation our controls implement).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from kg_threat.catalog.atlas_yaml import Release, Technique, read_release
from kg_threat.errors import InputError, SourceError
from kg_threat.resources import data_dir
from kg_threat.vocab import ATLAS, KGT

K: Final = Namespace(KGT)
A: Final = Namespace(ATLAS)
MODULE: Final = URIRef("https://w3id.org/kg-threat/ontology/atlas")
PAGES: Final = "https://atlas.mitre.org/"
LEVELS: Final = ("Low", "Medium", "High")

HEADER: Final = """\
# ontology/atlas.ttl: GENERATED FILE, do not edit by hand.
# Made by `kg-threat catalog import-atlas ATLAS.yaml` from MITRE ATLAS {version}
# (https://github.com/mitre-atlas/atlas-data, Apache-2.0, Copyright 2021-2025 MITRE),
# the rule in kg_threat/catalog/atlas_levels.yaml and ontology/atlas-mitigations.ttl.
# Facts only: ids, names and relations; descriptions are on the linked ATLAS pages.
"""


@dataclass(frozen=True, slots=True)
class ImportResult:
    turtle: str  # the module, ready to write
    version: str  # the ATLAS data version read
    counts: dict[str, int]  # tactics, techniques, sub-techniques, mitigations, case studies
    notes: tuple[str, ...]  # repaired quirks, mitigations with no control, unknown mappings


def default_mitigation_map() -> Path:
    """The bundled ``atlas-mitigations.ttl``."""
    return data_dir("ontology") / "atlas-mitigations.ttl"


def import_atlas(source: Path, mitigation_map: Path | None = None) -> ImportResult:
    """Read ``source`` (an ATLAS.yaml) and return the Turtle of the ATLAS module."""
    release = read_release(source)
    controls, notes = _controls_by_mitigation(mitigation_map or default_mitigation_map(),
                                              release)
    graph = _schema()
    _add_release(graph, release, controls)
    body = graph.serialize(format="longturtle")
    counts = {
        "tactics": len(release.tactics),
        "techniques": sum(1 for t in release.techniques if t.parent is None),
        "sub-techniques": sum(1 for t in release.techniques if t.parent is not None),
        "mitigations": len(release.mitigations),
        "case studies": len(release.case_studies),
    }
    return ImportResult(HEADER.format(version=release.version) + "\n" + body, release.version,
                        counts, release.notes + tuple(notes))


def _schema() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (("kgt", KGT), ("atlas", ATLAS), ("owl", str(OWL)), ("rdfs", str(RDFS)),
                       ("skos", str(SKOS)), ("dcterms", str(DCTERMS)), ("xsd", str(XSD)),
                       ("rdf", str(RDF))):
        graph.bind(prefix, ns)
    text = resources.files("kg_threat.catalog").joinpath("atlas_schema.ttl").read_text("utf-8")
    graph.parse(data=text, format="turtle")
    return graph


def _levels() -> dict[str, Any]:
    text = resources.files("kg_threat.catalog").joinpath("atlas_levels.yaml").read_text("utf-8")
    rule: dict[str, Any] = yaml.safe_load(text)
    return rule


def _controls_by_mitigation(path: Path, release: Release) -> tuple[dict[str, list[URIRef]],
                                                                   list[str]]:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (the ATLAS mitigation to control map)") from None
    except (SyntaxError, ValueError) as exc:  # rdflib reports Turtle errors as BadSyntax
        raise SourceError(str(path), f"not valid Turtle: {exc}") from None
    controls: dict[str, list[URIRef]] = {}
    for mitigation, control in graph.subject_objects(K.implementedBy):
        if isinstance(mitigation, URIRef) and isinstance(control, URIRef):
            ident = str(mitigation).removeprefix(ATLAS)
            controls.setdefault(ident, []).append(control)
    published = {m.id for m in release.mitigations}
    notes = [f"{m}: no control implements it (add one in {path.name})"
             for m in sorted(published - controls.keys())]
    notes += [f"{m}: mapped in {path.name} but not in this ATLAS release"
              for m in sorted(controls.keys() - published)]
    return {k: sorted(v) for k, v in controls.items()}, notes


def _entry(graph: Graph, node: URIRef, kind: URIRef, ident: str, name: str, page: str,
           definition: str) -> None:
    graph.add((node, RDF.type, kind))
    graph.add((node, RDF.type, OWL.NamedIndividual))
    graph.add((node, DCTERMS.identifier, Literal(ident)))
    graph.add((node, RDFS.label, Literal(name, lang="en")))
    graph.add((node, SKOS.definition, Literal(definition, lang="en")))
    graph.add((node, RDFS.isDefinedBy, MODULE))
    graph.add((node, RDFS.seeAlso, URIRef(f"{PAGES}{page}/{ident}")))


def _add_release(graph: Graph, release: Release, controls: dict[str, list[URIRef]]) -> None:
    rule = _levels()
    for tactic in release.tactics:
        node = A[tactic.id]
        _entry(graph, node, K.AtlasTactic, tactic.id, tactic.name, "tactics",
               f"ATLAS tactic {tactic.id}, see the linked page.")
        graph.add((node, DCTERMS.isPartOf, K.ATLASCatalog))
        graph.add((node, K.matrixPosition, Literal(tactic.position,
                                                   datatype=XSD.positiveInteger)))
    mitigated: dict[str, set[URIRef]] = {}
    for mitigation in release.mitigations:
        node = A[mitigation.id]
        _entry(graph, node, K.AtlasMitigation, mitigation.id, mitigation.name, "mitigations",
               f"ATLAS mitigation {mitigation.id}, see the linked page.")
        graph.add((node, DCTERMS.isPartOf, K.ATLASCatalog))
        for technique in mitigation.techniques:
            graph.add((node, K.addresses, A[technique]))
            mitigated.setdefault(technique, set()).update(controls.get(mitigation.id, []))
    for item in release.techniques:
        _add_technique(graph, release, item, rule, mitigated.get(item.id, set()))
    for case in release.case_studies:
        node = A[case.id]
        _entry(graph, node, K.AtlasCaseStudy, case.id, case.name, "studies",
               f"ATLAS case study {case.id}, see the linked page.")
        graph.add((node, DCTERMS.isPartOf, K.ATLASCatalog))
        if case.kind:
            graph.add((node, K.caseStudyType, Literal(case.kind)))
        for number, step in enumerate(case.steps, start=1):
            step_node = A[f"{case.id}-step-{number:02d}"]
            graph.add((node, K.hasStep, step_node))
            graph.add((node, K.usesTechnique, A[step.technique]))
            graph.add((step_node, RDF.type, K.ProcedureStep))
            graph.add((step_node, RDF.type, OWL.NamedIndividual))
            graph.add((step_node, RDFS.label, Literal(f"{case.id} step {number}", lang="en")))
            graph.add((step_node, SKOS.definition, Literal(
                f"Step {number} of ATLAS case study {case.id}: technique {step.technique}.", lang="en")))
            graph.add((step_node, RDFS.isDefinedBy, MODULE))
            graph.add((step_node, K.stepNumber, Literal(number, datatype=XSD.positiveInteger)))
            graph.add((step_node, K.usesTechnique, A[step.technique]))
            graph.add((step_node, K.tactic, A[step.tactic]))


def _add_technique(graph: Graph, release: Release, technique: Technique, rule: dict[str, Any],
                   controls: set[URIRef]) -> None:
    node = A[technique.id]
    _entry(graph, node, K.AtlasTechnique, technique.id, technique.name, "techniques",
           f"ATLAS technique {technique.id}, see the linked page.")
    graph.add((node, K.inCatalog, K.ATLASCatalog))
    if technique.parent is not None:
        graph.add((node, RDF.type, K.AtlasSubTechnique))
        graph.add((node, K.subTechniqueOf, A[technique.parent]))
    if technique.maturity:
        graph.add((node, K.maturity, Literal(technique.maturity)))
    tactics = release.tactics_of(technique)
    for tactic in tactics:
        graph.add((node, K.tactic, A[tactic]))
    likelihood = rule["likelihood"]["by_maturity"].get(technique.maturity,
                                                       rule["likelihood"]["default"])
    impacts = [rule["impact"]["by_tactic"].get(t, rule["impact"]["default"]) for t in tactics]
    impact = max(impacts or [rule["impact"]["default"]], key=LEVELS.index)
    graph.add((node, K.baseLikelihood, K[likelihood]))
    graph.add((node, K.baseImpact, K[impact]))
    for control in controls:
        graph.add((node, K.mitigatedBy, control))


def default_output() -> Path:
    """The bundled ``atlas.ttl``."""
    return data_dir("ontology") / "atlas.ttl"


def write_module(target: Path, turtle: str) -> None:
    """Write ``turtle`` to ``target`` through a temporary file, so a failure leaves no half."""
    temporary = target.with_name(target.name + ".tmp")
    try:
        temporary.write_text(turtle, encoding="utf-8")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
