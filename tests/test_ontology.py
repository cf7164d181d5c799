"""The bundled ontology: every public term is there, documented and attached to its module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg_threat import __version__
from kg_threat.resources import ontology_files

KGT = Namespace("https://w3id.org/kg-threat/ontology#")
BASE = "https://w3id.org/kg-threat/ontology"
PROJECT_NAMESPACES = (
    str(KGT),
    "https://w3id.org/kg-threat/atlas#",
    "https://w3id.org/kg-threat/owasp#",
    "https://w3id.org/kg-threat/nist#",
)
LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "system-model.md"

# The modules written alongside the system vocabulary (the catalogs have their own tests).
VOCABULARY_MODULES = (
    "exercise", "system", "ml", "assets", "controls", "adversary", "treatment", "findings",
)

# Copy of the terms of ../shared/spec/system-model.md (sections before "Catalog threats"), so
# that the test runs without ../shared; test_spec_copy_is_current keeps it in step.
_SPEC_TERMS_TEXT = """
Accept AccessControl AdversarialTraining Adversary AIAgent AnomalyDetection Anonymization Asset
assumes AuditLogging Authentication AvailabilityBreakdown BlackBox canAccess capability carries
Component Confidential ConfidentialityBreach containsPersonalData Control Credential DataFlow
DataIngestion DataProvenanceTracking DataSource DataStore DataValidation decision
DifferentialPrivacy Documentation DriftMonitoring Eliminate EncryptionAtRest EncryptionInTransit
Environment EvaluationMetrics excludes Exclusion ExternalEntity FeatureStore forThreat from goal
GrayBox hasComponent hasControl HighCapability InputValidation inside IntegrityViolation
InternalData knowledge LabelingProcess learnsOnline LLMApplication LogStore LowCapability
MediumCapability Misuse Mitigate Model ModelIntegrityVerification ModelProvider ModelRegistry
ModelServing ModelWatermarking onComponent outOfScope OutputMinimization owner PartiallyTrusted
Prediction pretrainedBy PrivacyCompromise Process processes Prompt PublicData publiclyAccessible
RateLimiting rationale Restricted retrievesFrom returnsConfidenceScores reviewedOn
runsOnClientDevice scope sensitivity Sensor serves stakeholder stores System ThreatModel to
ToolProvider TrainingData TrainingDataStore TrainingPipeline trains Transfer transferredTo
Treatment TrustBoundary Trusted trustLevel Untrusted User usesTool validatedBy validatedOn
VectorStore WhiteBox
"""
SPEC_TERMS = frozenset(_SPEC_TERMS_TEXT.split())

# The "ML component kinds" table: kind → the element kind it specialises.
ML_KINDS = {
    **dict.fromkeys(
        ["DataSource", "ModelProvider", "User", "Sensor", "ToolProvider"], "ExternalEntity"),
    **dict.fromkeys(
        ["DataIngestion", "LabelingProcess", "TrainingPipeline", "ModelServing",
         "LLMApplication", "AIAgent"], "Process"),
    **dict.fromkeys(
        ["TrainingDataStore", "FeatureStore", "ModelRegistry", "VectorStore", "LogStore"],
        "DataStore"),
}

ENUMERATIONS = {
    "TrustLevel": ["Trusted", "PartiallyTrusted", "Untrusted"],
    "SensitivityLevel": ["PublicData", "InternalData", "Confidential", "Restricted"],
    "Knowledge": ["WhiteBox", "GrayBox", "BlackBox"],
    "Capability": ["LowCapability", "MediumCapability", "HighCapability"],
    "AdversarialGoal": ["IntegrityViolation", "AvailabilityBreakdown", "PrivacyCompromise",
                        "ConfidentialityBreach", "Misuse"],
    "Decision": ["Mitigate", "Eliminate", "Transfer", "Accept"],
    "FindingStatus": ["Unmitigated", "Mitigated", "Accepted", "Transferred", "Eliminated",
                      "Excluded"],
    "Control": ["EncryptionInTransit", "EncryptionAtRest", "Authentication", "AccessControl",
                "AuditLogging", "RateLimiting", "InputValidation", "DataValidation",
                "DataProvenanceTracking", "AdversarialTraining", "DifferentialPrivacy",
                "OutputMinimization", "ModelWatermarking", "ModelIntegrityVerification",
                "DriftMonitoring", "AnomalyDetection", "Anonymization"],
}

DERIVED = ["crossesBoundary", "reachableByAdversary", "entryPoint", "sendsTo", "upstreamOf"]


@pytest.fixture(scope="module")
def files() -> list[Path]:
    return ontology_files()


@pytest.fixture(scope="module")
def merged(files: list[Path]) -> Graph:
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def module_iri(path: Path) -> str:
    return BASE if path.stem == "kg-threat" else f"{BASE}/{path.stem}"


def defined_terms(graph: Graph) -> Iterator[URIRef]:
    """IRIs of the project's namespaces that a file gives a type."""
    for subject in set(graph.subjects(RDF.type, None)):
        if isinstance(subject, URIRef) and str(subject).startswith(PROJECT_NAMESPACES):
            yield subject


def documentation_problems(graph: Graph, term: URIRef, modules: set[str]) -> list[str]:
    problems = []
    for prop, name in ((RDFS.label, "rdfs:label"), (SKOS.definition, "skos:definition")):
        values = list(graph.objects(term, prop))
        if len(values) != 1:
            problems.append(f"{term}: {len(values)} {name}")
        elif not (isinstance(values[0], Literal) and values[0].language == "en"):
            problems.append(f"{term}: {name} is not @en")
    defined_by = {str(v) for v in graph.objects(term, RDFS.isDefinedBy)}
    if len(defined_by) != 1 or not defined_by <= modules:
        problems.append(f"{term}: rdfs:isDefinedBy {sorted(defined_by)}")
    return problems


def test_every_file_parses_strictly(files: list[Path]) -> None:
    for path in files:
        assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)), path.name


def test_spec_terms_are_defined_and_documented(merged: Graph, files: list[Path]) -> None:
    modules = {module_iri(p) for p in files}
    missing = sorted(t for t in SPEC_TERMS if (KGT[t], RDF.type, None) not in merged)
    assert missing == []
    problems = [p for t in sorted(SPEC_TERMS) for p in documentation_problems(merged, KGT[t],
                                                                            modules)]
    assert problems == []


def test_spec_copy_is_current() -> None:
    if not SPEC.is_file():
        pytest.skip("../shared is not beside the checkout")
    text = SPEC.read_text(encoding="utf-8").split("## Catalog threats")[0]
    assert set(re.findall(r"`kgt:([A-Za-z][A-Za-z0-9]*)`", text)) == SPEC_TERMS
    table = text.split("### ML component kinds")[1].split("###")[0]
    kinds: dict[str, str] = {}
    for row in re.findall(r"^\| (`kgt:.*) \| (\w+) \|$", table, flags=re.MULTILINE):
        for term in re.findall(r"`kgt:(\w+)`", row[0]):
            kinds[term] = row[1]
    assert kinds == ML_KINDS


def test_every_defined_term_is_documented(files: list[Path]) -> None:
    modules = {module_iri(p) for p in files}
    problems: list[str] = []
    for path in files:
        graph = Graph().parse(path, format="turtle")
        for term in sorted(defined_terms(graph)):
            problems += [f"{path.name}: {p}" for p in documentation_problems(graph, term,
                                                                              modules)]
    assert problems == []


def test_every_module_has_its_header(files: list[Path]) -> None:
    problems: list[str] = []
    for path in files:
        graph = Graph().parse(path, format="turtle")
        iri = URIRef(module_iri(path))
        if (iri, RDF.type, OWL.Ontology) not in graph:
            problems.append(f"{path.name}: no owl:Ontology {iri}")
            continue
        expected = {
            DCTERMS.license: {LICENSE},
            OWL.versionInfo: {Literal(__version__)},
            OWL.versionIRI: {URIRef(f"{iri}/{__version__}")},
        }
        for prop, values in expected.items():
            if set(graph.objects(iri, prop)) != values:
                problems.append(f"{path.name}: {prop} is {set(graph.objects(iri, prop))}")
        wanted = [DCTERMS.title]
        if path.stem in VOCABULARY_MODULES or path.stem == "kg-threat":
            wanted += [DCTERMS.description, DCTERMS.creator]
        problems += [f"{path.name}: no {p}" for p in wanted if (iri, p, None) not in graph]
    assert problems == []


def test_umbrella_imports_every_module(files: list[Path]) -> None:
    umbrella = next(p for p in files if p.stem == "kg-threat")
    graph = Graph().parse(umbrella, format="turtle")
    imports = {str(o) for o in graph.objects(URIRef(BASE), OWL.imports)}
    present = {module_iri(p) for p in files if p.stem != "kg-threat"}
    assert present - imports == set()
    assert {f"{BASE}/{m}" for m in VOCABULARY_MODULES} <= imports


def test_ml_kinds_specialise_their_element_kind(merged: Graph) -> None:
    for kind, element in ML_KINDS.items():
        assert (KGT[kind], RDFS.subClassOf, KGT[element]) in merged, kind
    for element in ("ExternalEntity", "Process", "DataStore", "DataFlow"):
        assert (KGT[element], RDFS.subClassOf, KGT.DiagramElement) in merged
    assert (KGT.DiagramElement, RDFS.subClassOf, KGT.Component) in merged
    assert (KGT.TrustBoundary, RDFS.subClassOf, KGT.Component) in merged


def test_element_kinds_are_disjoint(merged: Graph) -> None:
    members = [
        list(merged.items(lst))
        for axiom in merged.subjects(RDF.type, OWL.AllDisjointClasses)
        for lst in merged.objects(axiom, OWL.members)
    ]
    assert [KGT.ExternalEntity, KGT.Process, KGT.DataStore, KGT.DataFlow] in members
    assert (KGT.DiagramElement, OWL.disjointWith, KGT.TrustBoundary) in merged


def test_assets_are_subclasses_of_asset(merged: Graph) -> None:
    for asset in ("TrainingData", "Model", "Prediction", "EvaluationMetrics", "Environment",
                  "Documentation", "Credential", "Prompt"):
        assert (KGT[asset], RDFS.subClassOf, KGT.Asset) in merged, asset


@pytest.mark.parametrize("cls", sorted(ENUMERATIONS))
def test_enumerated_individuals_belong_to_their_class(merged: Graph, cls: str) -> None:
    for member in ENUMERATIONS[cls]:
        assert (KGT[member], RDF.type, KGT[cls]) in merged, member
        assert (KGT[member], RDF.type, OWL.NamedIndividual) in merged, member


def test_derived_properties_say_so(merged: Graph) -> None:
    for prop in DERIVED:
        definition = str(merged.value(KGT[prop], SKOS.definition))
        assert definition.startswith("Derived, not for input"), prop
    chain = merged.value(KGT.sendsTo, OWL.propertyChainAxiom)
    first, second = list(merged.items(chain))
    assert merged.value(first, OWL.inverseOf) == KGT["from"]
    assert second == KGT.to
    assert (KGT.sendsTo, RDFS.subPropertyOf, KGT.upstreamOf) in merged
    assert (KGT.upstreamOf, RDF.type, OWL.TransitiveProperty) in merged


def test_literal_or_iri_properties_are_annotation_properties(merged: Graph) -> None:
    for prop in ("stakeholder", "owner", "transferredTo", "evidence", "appliesByRule"):
        assert (KGT[prop], RDF.type, OWL.AnnotationProperty) in merged, prop


def test_findings_vocabulary(merged: Graph) -> None:
    for prop in ("aboutThreat", "affects", "likelihood", "impact", "riskLevel", "status",
                 "controlInPlace", "missingControl"):
        assert (KGT[prop], RDFS.domain, KGT.Finding) in merged, prop
    assert (KGT.Finding, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in merged
    agent = URIRef("http://www.w3.org/ns/prov#SoftwareAgent")
    assert (KGT.KgThreatEngine, RDF.type, agent) in merged
