"""The spine on the bundled example: STRIDE per element, LINDDUN, ML attack classes."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.model import Finding

EX = "https://example.org/fraud#"
STRIDE = {"Spoofing", "Tampering", "Repudiation", "InformationDisclosure", "DenialOfService",
          "ElevationOfPrivilege"}
LINDDUN = {"Linking", "Identifying", "NonRepudiation", "Detecting", "DataDisclosure",
           "Unawareness", "NonCompliance"}


@pytest.fixture(scope="module")
def findings() -> tuple[Finding, ...]:
    root = Path(__file__).resolve().parent.parent
    return pipeline.run([str(root / "examples" / "fraud-scoring.ttl")]).analysis.findings


def _by_component(findings: tuple[Finding, ...], ids: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f.id in ids:
            found[f.component.removeprefix(EX)].add(f.id)
    return dict(found)


def test_stride_per_element_exactly(findings: tuple[Finding, ...]) -> None:
    process = STRIDE
    store = {"Tampering", "InformationDisclosure", "DenialOfService"}
    external = {"Spoofing", "Repudiation"}
    expected = {
        "banks": external, "merchants": external,
        "ingest": process, "training": process, "scoringApi": process,
        "lake": store, "registry": store,
        **{f"f{i}": store for i in range(1, 7)},
    }
    assert _by_component(findings, STRIDE) == expected


def test_linddun_only_where_personal_data_is(findings: tuple[Finding, ...]) -> None:
    privacy = _by_component(findings, LINDDUN)
    assert privacy["lake"] == LINDDUN - {"Unawareness"}
    assert privacy["banks"] == {"Linking", "Identifying", "Unawareness"}
    for component in ("registry", "scoringApi", "merchants", "training", "f4", "f5", "f6"):
        assert component not in privacy


def test_ml_attack_classes(findings: tuple[Finding, ...]) -> None:
    ml = _by_component(findings, {"DataPoisoning", "AdversarialExample", "ModelInversion",
                                  "ModelStealing", "DataLeakage", "ModelDrift"})
    assert {"ModelStealing", "ModelInversion", "AdversarialExample", "ModelDrift"} <= ml["scoringApi"]
    poisoned = {c for c, ids in ml.items() if "DataPoisoning" in ids}
    assert poisoned == {"f1", "ingest", "f2", "lake", "f3", "training"}
    drift = next(f for f in findings if f.id == "ModelDrift" and f.component == EX + "scoringApi")
    assert drift.status == "accepted"


def test_findings_are_sorted_by_risk_id_component(findings: tuple[Finding, ...]) -> None:
    assert list(findings) == sorted(findings, key=Finding.sort_key)


def test_user_subclass_gets_the_threats_of_its_kind(data_dir: Path) -> None:
    result = pipeline.run([str(data_dir / "engine" / "subclass.ttl")])
    ids = {f.id for f in result.analysis.findings if f.component == "https://example.org/sub#api"}
    assert {"ModelStealing", "AdversarialExample", "ModelDrift", "Spoofing", "Tampering"} <= ids


def test_user_subproperty_counts_as_its_super_property(data_dir: Path) -> None:
    result = pipeline.run([str(data_dir / "engine" / "subproperty.ttl")])
    ids: dict[str, set[str]] = {}
    for f in result.analysis.findings:
        ids.setdefault(f.component.rsplit("#", 1)[1], set()).add(f.id)
    assert ids["lake"] == ids["direct"]
    assert {"AML.T0007", "AML.T0059"} <= ids["lake"] - ids["plain"]  # threats to stored training data


def test_no_system_is_not_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix : <https://example.org/> .\n:a :b :c .\n")
    result = pipeline.run([str(empty)])
    assert result.analysis.system is None
    assert result.analysis.findings == ()
    assert result.analysis.assumed_strongest_adversary


def test_blank_node_flows_keep_their_inferences(tmp_path: Path) -> None:
    """Rule results that name a blank node are written with that same node: two flows written
    as blank nodes change no finding of the components they connect."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "examples" / "fraud-scoring.ttl").read_text(encoding="utf-8")
    flow_f3 = ":f3 a kgt:DataFlow ; kgt:from :lake ; kgt:to :training ; kgt:carries :transactions ."
    flow_f4 = ":f4 a kgt:DataFlow ; kgt:from :training ; kgt:to :registry ; kgt:carries :fraudModel ."
    assert flow_f3 in text and flow_f4 in text
    text = text.replace(flow_f3, "_" + flow_f3).replace(flow_f4, "[ " + flow_f4[4:-2] + " ] .")
    blank = tmp_path / "blank-flows.ttl"
    blank.write_text(text.replace(" :f3, :f4,", ""), encoding="utf-8")

    def on_components(found: tuple[Finding, ...]) -> list[tuple[str, str, str, str]]:
        return [(f.id, f.component, f.risk, f.status) for f in found
                if f.component.startswith(EX) and f.component not in (EX + "f3", EX + "f4")]

    named = pipeline.run([str(root / "examples" / "fraud-scoring.ttl")]).analysis.findings
    result = pipeline.run([str(blank)])
    blank_findings = result.analysis.findings
    assert on_components(blank_findings) == on_components(named)
    inferred = result.store.query(
        "PREFIX kgt: <https://w3id.org/kg-threat/ontology#> "
        "SELECT ?flow WHERE { ?flow kgt:from ?a . "
        "GRAPH <urn:kg-threat:graph:inferred> { ?flow a kgt:DiagramElement } FILTER isBlank(?flow) }",
    )
    assert len(list(inferred)) == 2  # the type closure reached the same two blank nodes
    assert {f.component for f in blank_findings} < {f.component for f in named}


def test_findings_written_are_the_quads_of_every_finding() -> None:
    import pyoxigraph as ox

    from kg_threat.findings_rdf import findings_quads
    from kg_threat.vocab import FINDINGS_GRAPH

    result = pipeline.run([str(Path(__file__).resolve().parent.parent / "examples" / "fraud-scoring.ttl")])
    written = result.findings_written
    graph = ox.NamedNode(FINDINGS_GRAPH)
    stored = set(result.store.quads_for_pattern(None, None, None, graph))
    expected = set(findings_quads(tuple(result.analysis.findings), graph))
    assert written == len(expected) == len(stored) > 10 * len(result.analysis.findings) // 2
    assert stored == expected
