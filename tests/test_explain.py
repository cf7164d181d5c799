"""explain: the facts and rules behind a finding."""

from __future__ import annotations

import json
from pathlib import Path

API = "https://example.org/fraud#scoringApi"


def test_model_stealing_on_the_scoring_api(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("explain", example, "--threat", "ModelStealing", "--component", API)
    assert run.code == 0, run.stderr
    text = run.stdout
    assert "ModelStealing on https://example.org/fraud#scoringApi: applies" in text
    assert "asserted  https://w3id.org/kg-threat/ontology#ModelServing" in text
    assert "inferred  https://w3id.org/kg-threat/ontology#Process" in text
    assert "returnsConfidenceScores true" in text
    assert "publiclyAccessible true" in text
    assert "https://w3id.org/kg-threat/ontology#InferenceEndpoint" in text
    assert "returns confidence scores: likelihood raised" in text
    assert "entry points: https://example.org/fraud#scoringApi" in text


def test_json_and_unreachable_path(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("explain", example, "--threat", "DataPoisoning", "--component",
              "https://example.org/fraud#lake", "--format", "json")
    doc = json.loads(run.stdout)
    assert doc["applies"] is True
    assert doc["path"] == []
    assert "not reachable from the adversary's entry points: likelihood lowered" in doc["factors"]
    assert "https://w3id.org/kg-threat/ontology#PoisoningPathComponent" in [r[0] for r in doc["rules"]]


def test_unknown_threat_or_component_exit_2(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("explain", example, "--threat", "NoSuchThing", "--component", API)
    assert run.code == 2 and "unknown threat" in run.stderr
    run = cli("explain", example, "--threat", "ModelStealing", "--component", "https://example.org/x")
    assert run.code == 2 and "unknown component" in run.stderr
