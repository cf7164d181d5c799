"""Every shared sample, once imported, passes the model checks with no violation."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.interop.emit import to_turtle
from kg_threat.interop.importer import import_model
from kg_threat.validate import validate

SAMPLES = [
    "threagile/threagile-example.yaml",
    "threagile/threagile-stub.yaml",
    "threat-dragon/cryptocurrency-wallet.json",
    "threat-dragon/demo-threat-model.json",
    "threat-dragon/iot-device.json",
    "threat-dragon/renting-car.json",
    "threat-dragon/v2-threat-model.json",
    "otm/EXAMPLE.json",
    "otm/EXAMPLE.yaml",
    "threat-model-library/cryptocurrency-wallet-threat-model.json",
    "threat-model-library/ephemeral-browser-isolation-threat-model.json",
    "threat-model-library/hashicorp-vault-threat-model.json",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_imported_sample_has_no_violation(shared: Path, tmp_path: Path, sample: str) -> None:
    model = import_model(str(shared / "interop" / sample), None, None)
    out = tmp_path / "imported.ttl"
    out.write_text(to_turtle(model, None), encoding="utf-8")
    result = pipeline.run([str(out)])
    assert result.analysis.findings
    report = validate(result, today=datetime.date(2026, 11, 23))
    violations = [r for r in report.results if r.severity == "Violation"]
    assert violations == []
