"""Ill-typed literals of the vocabulary are violations, reported without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path


def test_ill_typed_date_and_boolean(cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", data_dir / "shapes" / "ill-typed-literals.ttl", "--format", "json")
    assert run.code == 1
    assert "Traceback" not in run.stderr and "Warning:" not in run.stderr
    doc = json.loads(run.stdout)
    results = doc["results"] if isinstance(doc, dict) else doc
    violations = {(r["focus"], r["path"]) for r in results if r["severity"] == "Violation"}
    assert violations == {
        ("https://example.org/x#tm", "https://w3id.org/kg-threat/ontology#reviewedOn"),
        ("https://example.org/x#a", "https://w3id.org/kg-threat/ontology#publiclyAccessible"),
    }


def test_the_example_has_well_typed_literals(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", example, "--format", "json")
    assert run.code == 0
    assert "DatatypeShape" not in run.stdout
