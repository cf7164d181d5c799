"""kg-threat import: every shared sample, the ML fixtures, imperfect and unparseable files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg_threat.interop.importer import import_model

KGT = Namespace("https://w3id.org/kg-threat/ontology#")
INTEROP = Path(__file__).parent / "data" / "interop"
SAMPLES = [
    "threagile/threagile-example.yaml",
    "threagile/threagile-stub.yaml",
    "threat-dragon/v2-threat-model.json",
    "threat-dragon/demo-threat-model.json",
    "threat-dragon/cryptocurrency-wallet.json",
    "threat-dragon/renting-car.json",
    "threat-dragon/iot-device.json",
    "otm/EXAMPLE.json",
    "otm/EXAMPLE.yaml",
    "otm/threat-dragon-demo/mobile-cloud.otm.json",
    "threat-model-library/cryptocurrency-wallet-threat-model.json",
    "threat-model-library/ephemeral-browser-isolation-threat-model.json",
    "threat-model-library/hashicorp-vault-threat-model.json",
]
ML_FIXTURES = ["ml-threagile.yaml", "ml-threat-dragon.json", "ml-otm.yaml", "ml-tmlib.json"]
ML_GUESSES = {
    "notebook-server": "TrainingPipeline",
    "training-pipeline": "TrainingPipeline",
    "training-data-bucket": "TrainingDataStore",
    "model-registry": "ModelRegistry",
    "inference-api": "ModelServing",
}


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _source_counts(path: Path) -> tuple[set[str], int, int]:
    """(element ids, flows, trust zones) counted from the source file itself."""
    doc = _load(path)
    if "technical_assets" in doc:
        assets = doc["technical_assets"].values()
        links = sum(len(a.get("communication_links") or {}) for a in assets)
        return {a["id"] for a in assets}, links, len(doc["trust_boundaries"])
    if "otmVersion" in doc:
        return ({c["id"] for c in doc["components"]}, len(doc["dataflows"]),
                len(doc["trustZones"]))
    if "detail" in doc:
        elements, flows, boundaries = set(), 0, 0
        for diagram in doc["detail"]["diagrams"]:
            cells = diagram.get("cells") or diagram["diagramJson"]["cells"]
            for cell in cells:
                kind = cell.get("data", {}).get("type") or cell.get("type")
                if kind in ("tm.Actor", "tm.Process", "tm.Store"):
                    elements.add(cell["id"])
                flows += kind == "tm.Flow"
                boundaries += kind in ("tm.Boundary", "tm.BoundaryBox")
        return elements, flows, boundaries
    parts = [*doc["actors"], *doc["components"], *doc["data_stores"]]
    zones = {z["symbolic_name"] for z in doc["trust_zones"]}
    zones |= {p["trust_zone"] for p in parts if p.get("trust_zone")}  # referenced, undeclared
    return {p["symbolic_name"] for p in parts}, len(doc["data_flows"]), len(zones)


def _ids_of(graph: Graph, *kinds: URIRef) -> set[str]:
    return {str(graph.value(s, DCTERMS.identifier)) for k in kinds
            for s in graph.subjects(RDF.type, k)}


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_imports_with_the_counts_of_its_source(
    sample: str, shared: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = shared / "interop" / sample
    out = tmp_path / "out.ttl"
    run = cli("import", source, "-o", out)
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    ox.Store().load(path=str(out), format=ox.RdfFormat.TURTLE)  # strict parser: IRIs are valid
    graph = Graph().parse(out)
    elements, flows, zones = _source_counts(source)
    assert _ids_of(graph, KGT.ExternalEntity, KGT.Process, KGT.DataStore) == elements
    assert len(set(graph.subjects(RDF.type, KGT.DataFlow))) == flows
    declared = {s for s in graph.subjects(RDF.type, KGT.TrustBoundary)
                if graph.value(s, DCTERMS.identifier) is not None}
    assert len(declared) == zones
    assert len(set(graph.subjects(RDF.type, KGT.System))) == 1
    assert len(set(graph.subjects(RDF.type, KGT.ThreatModel))) == 1
    system = next(graph.subjects(RDF.type, KGT.System))
    for flow in graph.subjects(RDF.type, KGT.DataFlow):
        assert (system, KGT.hasComponent, flow) in graph
        assert graph.value(flow, KGT["from"]) is not None
        assert graph.value(flow, KGT.to) is not None


def test_threagile_example_keeps_ids_assets_and_decisions(shared: Path) -> None:
    model = import_model(shared / "interop" / "threagile" / "threagile-example.yaml")
    assert model.elements["sql-database"].kind == "DataStore"
    assert model.elements["customer-client"].public is True
    reason = model.elements["customer-client"].out_of_scope
    assert reason == "Owned and managed by end-user customer"
    assert model.assets["customer-accounts"].sensitivity == "Restricted"
    assert model.boundaries["web-dmz"].parent == "application-network"
    accepted = model.treatments["untrusted-deserialization@erp-system"]
    assert (accepted.decision, accepted.threat, accepted.component, accepted.owner) == (
        "Accept", str(KGT.Tampering), "erp-system", "John Doe")
    assert accepted.rationale == "Risk accepted as tolerable"
    assert model.treatments["ldap-injection@*@ldap-auth-server@*"].decision == "Mitigate"
    assert ("tracked risk 'unencrypted-asset@*' names no technical asset by id (wildcards are "
            "not expanded); no treatment recorded") in model.warnings


def test_threat_dragon_decisions_become_treatments(shared: Path) -> None:
    model = import_model(shared / "interop" / "threat-dragon" / "v2-threat-model.json")
    treatment = model.treatments["21fc4b20-ca29-4891-9691-d8f0331b2a11"]
    assert (treatment.decision, treatment.threat, treatment.component) == (
        "Mitigate", str(KGT.InformationDisclosure), "936557f9-22e2-4bac-bb70-0089c5c2fbe1")
    assert "Authentication" in model.elements["936557f9-22e2-4bac-bb70-0089c5c2fbe1"].controls
    assert sorted(t.decision for t in model.treatments.values()) == ["Mitigate"] * 4
    assert model.elements["bdd3e115-4b92-4020-90b7-c3351dba292b"].out_of_scope == ""


def test_threat_dragon_boundaries_from_geometry(shared: Path) -> None:
    model = import_model(shared / "interop" / "threat-dragon" / "v2-threat-model.json")
    inside = {b: sorted(e.name for e in model.elements.values() if b in e.boundaries)
              for b in model.boundaries}
    assert inside == {
        "0adc088b-ebb1-46be-af7b-36112c60c419": ["Browser"],
        "6767506f-3d7f-4a5f-bbe2-ea03689d30fc": ["Message Queue"],
        "4a7911c8-2493-46cc-960f-1b248b176d15": ["Database"],
        "outside": ["Background Worker Process", "Web Application", "Web Application Config",
                    "Worker Config"],
    }
    boxes = import_model(shared / "interop" / "threat-dragon" / "renting-car.json")
    dmz = boxes.boundaries["b4cca7ff-e149-4997-ae53-eab5196f32d5"]
    assert [e.name for e in boxes.elements.values() if dmz.id in e.boundaries] == ["API AI"]


@pytest.mark.parametrize("fixture", ML_FIXTURES)
def test_ml_kinds_are_guessed_written_and_reported(
    fixture: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "ml.ttl"
    run = cli("import", INTEROP / fixture, "-o", out)
    assert run.code == 0, run.stderr
    assert "ML kinds guessed (confirm them, or override with --mapping):" in run.stderr
    graph = Graph().parse(out)
    for ident, kind in ML_GUESSES.items():
        assert f"  guess: {ident} (" in run.stderr
        assert f"): kgt:{kind}, " in run.stderr.split(f"  guess: {ident} (")[1].splitlines()[0]
        node = next(graph.subjects(DCTERMS.identifier, Literal(ident)))
        assert (node, RDF.type, KGT[kind]) in graph
        comment = " ".join(str(c) for c in graph.objects(node, RDFS.comment))
        assert f"Kind kgt:{kind} inferred from " in comment
    assert "model: 7 elements, 6 flows" in run.stderr


def test_mapping_file_overrides_a_guess(tmp_path: Path, cli: Callable[..., Any]) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("notebook-server: kgt:DataIngestion\nno-such-id: ModelServing\n")
    out = tmp_path / "ml.ttl"
    run = cli("import", INTEROP / "ml-otm.yaml", "-o", out, "--mapping", mapping)
    assert run.code == 0, run.stderr
    assert "warning: mapping: no element with id 'no-such-id'" in run.stderr
    assert "guess: notebook-server" not in run.stderr
    graph = Graph().parse(out)
    node = next(graph.subjects(DCTERMS.identifier, Literal("notebook-server")))
    assert (node, RDF.type, KGT.DataIngestion) in graph
    assert (node, RDF.type, KGT.TrainingPipeline) not in graph


BROKEN = {
    "broken-threagile.yaml": [
        "confidentiality of data asset 'orders': unknown value 'top-secret'",
        "type of technical asset 'web-shop': unknown value 'server'",
        "technology of technical asset 'web-shop': unknown value 'quantum-computer'",
        "communication link 'web-shop>store-orders' targets 'order-db', which is not declared; "
        "added a placeholder Process",
        "protocol of link 'web-shop>store-orders': unknown value 'carrier-pigeon'",
        "trust boundary 'shop-network' lists 'orders', which is a data asset, not an element; "
        "added a placeholder Process",
    ],
    "broken-threat-dragon.json": [
        "threat status: unknown value 'Pondering'",
        "cell 'cloud' has unknown type 'tm.Cloud'; imported as a Process",
        "flow 'f1' names 'deleted-cell', which is not declared; added a placeholder Process",
    ],
    "broken-otm.yaml": [
        "threat state: unknown value 'pondering'",
        "component 'cache' is in trust zone 'lost-zone', which is not declared; added a "
        "placeholder trust zone",
        "dataflow 'to-nowhere' names 'ghost', which is not declared; added a placeholder Process",
    ],
    "broken-tmlib.json": [
        "data flow 'f1' uses 'app' as a data store, but it is declared as a component; the "
        "declared kind is kept",
        "data flow 'f2' names 'missing-db', which is not declared; added a placeholder DataStore",
        "status of control 'Something': unknown value 'maybe'",
    ],
}


@pytest.mark.parametrize("fixture", sorted(BROKEN))
def test_imperfect_files_import_with_one_warning_per_problem(
    fixture: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "out.ttl"
    run = cli("import", INTEROP / fixture, "-o", out)
    assert run.code == 0, run.stderr
    warnings = [line.removeprefix("warning: ") for line in run.stderr.splitlines()
                if line.startswith("warning: ")]
    assert warnings == BROKEN[fixture]
    Graph().parse(out)


@pytest.mark.parametrize(("fixture", "message"), [
    ("unparseable.yaml", "unparseable.yaml:5:1: invalid YAML: expected ',' or '}', but got "
     "'<stream end>'"),
    ("unparseable.json", "unparseable.json:4:1: invalid JSON: Expecting value"),
    ("unknown-format.json", "unknown-format.json: not a model of a known tool"),
])
def test_unparseable_files_exit_2_with_a_located_message(
    fixture: str, message: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    run = cli("import", INTEROP / fixture, "-o", tmp_path / "out.ttl")
    assert run.code == 2
    assert run.stderr.startswith("kg-threat: error: ")
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_forced_format_and_bad_options(tmp_path: Path, cli: Callable[..., Any]) -> None:
    run = cli("import", INTEROP / "ml-otm.yaml", "-o", "-", "--from", "otm", "-q")
    assert run.code == 0 and run.stderr == ""
    assert "kgt:ModelRegistry" in run.stdout
    bad = cli("import", INTEROP / "ml-otm.yaml", "-o", "-", "--from", "visio")
    assert bad.code == 2 and "unknown format 'visio'" in bad.stderr
    base = cli("import", INTEROP / "ml-otm.yaml", "-o", "-", "--base", "not an iri")
    assert base.code == 2 and "--base: 'not an iri' is not an absolute IRI" in base.stderr


def test_output_is_deterministic_and_ids_are_percent_encoded(tmp_path: Path,
                                                              cli: Callable[..., Any]) -> None:
    first = cli("import", INTEROP / "ml-threagile.yaml", "-o", "-", "-q").stdout
    second = cli("import", INTEROP / "ml-threagile.yaml", "-o", "-", "-q").stdout
    assert first == second
    assert ("<urn:kg-threat:import:image-classifier-platform/flow/"
            "training-pipeline%3Epublish-model>") in first


@pytest.mark.parametrize(("where", "sample"), [*(("shared", s) for s in SAMPLES),
                                               *(("fixture", f) for f in ML_FIXTURES)])
def test_every_imported_sample_analyzes(where: str, sample: str, tmp_path: Path,
                                        request: pytest.FixtureRequest) -> None:
    from kg_threat import pipeline
    from kg_threat.interop.emit import to_turtle

    source = (request.getfixturevalue("shared") / "interop" / sample if where == "shared"
              else INTEROP / sample)
    out = tmp_path / "model.ttl"
    out.write_text(to_turtle(import_model(source)))
    result = pipeline.run([str(out)], pipeline.Options())
    graph = Graph().parse(out)
    components = {str(s) for s in graph.subjects(DCTERMS.identifier, None)}
    assert result.analysis.system == str(next(graph.subjects(RDF.type, KGT.System)))
    assert result.analysis.findings
    assert {f.component for f in result.analysis.findings} <= components
