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
