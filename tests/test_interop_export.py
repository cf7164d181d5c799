"""kg-threat export: Threat Dragon v2 and OTM documents that validate and re-import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pyoxigraph as ox
import pytest

from kg_threat.interop.emit import to_turtle
from kg_threat.interop.export_otm import export as export_otm
from kg_threat.interop.export_threat_dragon import export as export_td
from kg_threat.interop.importer import import_model
from kg_threat.interop.records import Model
from kg_threat.model import Finding

INTEROP = Path(__file__).parent / "data" / "interop"
BASE = "urn:kg-threat:import:image-classifier-platform/"
KGT = "https://w3id.org/kg-threat/ontology#"


def _nullable(node: Any) -> Any:
    """Threat Dragon's schema uses ajv's ``nullable``; say it in standard JSON Schema."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            out["type"] = [node["type"], "null"]
        return out
    return [_nullable(v) for v in node] if isinstance(node, list) else node


def _validate_td(document: dict[str, Any], shared: Path) -> None:
    schema = json.loads((shared / "interop/threat-dragon/threat-dragon-v2.schema.json").read_text())
    jsonschema.Draft7Validator(_nullable(schema)).validate(document)


def _validate_otm(document: dict[str, Any], shared: Path) -> None:
    schema = json.loads((shared / "interop/otm/otm_schema.json").read_text())
    jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(document)


def _finding(threat: str, ident: str, component: str, status: Any,
             categories: tuple[str, ...], controls: tuple[str, ...] = (),
             missing: tuple[str, ...] = ()) -> Finding:
    return Finding(threat=threat, id=ident, label=f"label of {ident}", catalogs=("ATLAS",),
                   categories=categories, component=component, likelihood="medium",
                   impact="high", risk="high", status=status, controls=controls,
                   missing_controls=missing)


FINDINGS = (
    _finding("https://w3id.org/kg-threat/atlas#AML.T0024", "AML.T0024",
             BASE + "component/inference-api", "unmitigated", ("InformationDisclosure",),
             missing=(KGT + "RateLimiting",)),
    _finding("https://w3id.org/kg-threat/atlas#AML.T0020", "AML.T0020",
             BASE + "flow/training-pipeline%3Epublish-model", "mitigated",
             ("Tampering", "DataPoisoning"), controls=(KGT + "EncryptionInTransit",)),
)


@pytest.fixture
def imported() -> tuple[Model, ox.Store]:
    model = import_model(INTEROP / "ml-threagile.yaml")
    store = ox.Store()
    store.load(to_turtle(model).encode(), format=ox.RdfFormat.TURTLE)
    return model, store


def _shape(model: Model) -> set[tuple[str, str, str]]:
    parts = {(e.id, e.kind, e.name) for e in model.elements.values()}
    parts |= {(f.id, "DataFlow", f"{f.source}->{f.target}") for f in model.flows.values()}
    parts |= {(b.id, "TrustBoundary", ",".join(sorted(
        e.id for e in model.elements.values() if b.id in e.boundaries)))
        for b in model.boundaries.values() if not b.implicit}
    return parts


def test_threat_dragon_export_validates_and_reimports(
    imported: tuple[Model, ox.Store], shared: Path, tmp_path: Path
) -> None:
    model, store = imported
    document = export_td(store, FINDINGS)
    _validate_td(document, shared)
    cells = {c["id"]: c for c in document["detail"]["diagrams"][0]["cells"]}
    [threat] = cells["inference-api"]["data"]["threats"]
    assert (threat["title"], threat["status"], threat["type"], threat["severity"]) == (
        "AML.T0024 label of AML.T0024", "Open", "Information disclosure", "High")
    assert threat["mitigation"] == "Missing: RateLimiting"
    assert cells["training-pipeline>publish-model"]["data"]["threats"][0]["status"] == "Mitigated"
    path = tmp_path / "td.json"
    path.write_text(json.dumps(document))
    again = import_model(path)
    assert _shape(again) == _shape(model)
    [treatment] = again.treatments.values()
    assert (treatment.threat, treatment.component, treatment.decision) == (
        "https://w3id.org/kg-threat/atlas#AML.T0020", "training-pipeline>publish-model",
        "Mitigate")


def test_otm_export_validates_and_reimports_with_kinds(
    imported: tuple[Model, ox.Store], shared: Path, tmp_path: Path
) -> None:
    model, store = imported
    document = export_otm(store, FINDINGS)
    _validate_otm(document, shared)
    components = {c["id"]: c for c in document["components"]}
    assert components["inference-api"]["type"] == "ModelServing"
    assert components["inference-api"]["threats"] == [{
        "threat": "AML.T0024", "state": "exposed",
        "mitigations": [{"mitigation": "RateLimiting", "state": "recommended"}]}]
    assert components["shop-app"]["parent"] == {"trustZone": "kg-threat-unzoned"}
    path = tmp_path / "model.otm.json"
    path.write_text(json.dumps(document))
    again = import_model(path)
    assert _shape(again) == _shape(model)
    kinds = {e.id: e.ml_kind for e in again.elements.values()}
    assert kinds == {e.id: e.ml_kind for e in model.elements.values()}
    [treatment] = again.treatments.values()
    assert (treatment.threat, treatment.decision) == (
        "https://w3id.org/kg-threat/atlas#AML.T0020", "Mitigate")
    assert "EncryptionInTransit" in again.flows["training-pipeline>publish-model"].controls


@pytest.mark.parametrize("target", ["threat-dragon", "otm"])
def test_export_command_runs_the_analysis(target: str, shared: Path, tmp_path: Path,
                                          cli: Callable[..., Any]) -> None:
    system = tmp_path / "ml.ttl"
    assert cli("import", INTEROP / "ml-tmlib.json", "-o", system, "-q").code == 0
    out = tmp_path / "out.json"
    run = cli("export", system, "--to", target, "-o", out)
    assert run.code == 0, run.stderr
    document = json.loads(out.read_text())
    (_validate_td if target == "threat-dragon" else _validate_otm)(document, shared)
    again = import_model(out)
    original = import_model(INTEROP / "ml-tmlib.json")
    assert {(e.id, e.kind) for e in again.elements.values()} == {
        (e.id, e.kind) for e in original.elements.values()}
    assert set(again.flows) == set(original.flows)


def test_export_rejects_an_unknown_format(cli: Callable[..., Any], tmp_path: Path) -> None:
    run = cli("export", INTEROP / "ml-otm.yaml", "--to", "visio", "-o", tmp_path / "x")
    assert run.code == 2
    assert "--to: unknown format 'visio' (choose threat-dragon or otm)" in run.stderr
