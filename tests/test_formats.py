"""analyze output: the JSON contract, determinism, every format, SARIF 2.1.0, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema

KEYS = ["threat", "id", "label", "catalogs", "categories", "component", "likelihood", "impact",
        "risk", "status", "controls", "missing_controls"]


def test_json_contract(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("analyze", example, "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["system"] == "https://example.org/fraud#fraud"
    assert doc["adversary"] == "https://example.org/fraud#fraudster"
    assert doc["findings"]
    for finding in doc["findings"]:
        assert list(finding)[: len(KEYS)] == KEYS
        assert finding["likelihood"] in ("low", "medium", "high")
        assert finding["risk"] in ("low", "medium", "high", "critical")
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    keys = [(order[f["risk"]], f["id"], f["component"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    pairs = [(f["threat"], f["component"]) for f in doc["findings"]]
    assert len(pairs) == len(set(pairs))


def test_same_input_same_bytes(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("json", "csv", "md", "ttl", "sarif"):
        first = cli("analyze", example, "--format", fmt)
        second = cli("analyze", example, "--format", fmt)
        assert first.code == 0, first.stderr
        assert first.stdout == second.stdout, fmt


def test_csv_has_one_row_per_finding(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    as_json = json.loads(cli("analyze", example, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(cli("analyze", example, "--format", "csv").stdout)))
    assert len(rows) == len(as_json["findings"])
    assert rows[0]["risk"] == as_json["findings"][0]["risk"]


def test_sarif_validates_against_the_schema(cli, example: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("analyze", example, "--format", "sarif")
    doc = json.loads(run.stdout)
    schema = json.loads((data_dir / "sarif" / "sarif-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    as_json = json.loads(cli("analyze", example, "--format", "json").stdout)
    assert len(results) == len(as_json["findings"])
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) == len({f["id"] for f in as_json["findings"]})


def test_output_file_written_whole(cli, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "findings.json"
    run = cli("analyze", example, "--format", "json", "-o", out)
    assert run.code == 0
    assert json.loads(out.read_text())["findings"]
    assert [p.name for p in tmp_path.iterdir()] == ["findings.json"]


def test_syntax_error_names_file_line_column(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <https://example.org/> .\n:a :b :c .\n:a :b \"unterminated\n")
    run = cli("analyze", bad, "--format", "json")
    assert run.code == 2
    assert f"{bad}:3:" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_missing_file_and_bad_usage_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("analyze", tmp_path / "nope.ttl")
    assert run.code == 2
    assert "nope.ttl" in run.stderr and "Traceback" not in run.stderr
    assert cli("analyze", tmp_path / "nope.ttl", "--format", "yaml").code == 2
    assert cli("analyze").code == 2


def test_unknown_format_is_usage_error(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("analyze", example, "--format", "xml")
    assert run.code == 2
    assert "unknown format 'xml'" in run.stderr


def test_table_folds_sub_techniques_under_their_technique() -> None:
    from kg_threat.formats import compact_ids

    ids = {"AML.T0024", "AML.T0024.000", "AML.T0024.002", "AML.T0043.001", "Spoofing", "LLM01"}
    assert compact_ids(ids) == "AML.T0024 (.000 .002), AML.T0043.001, LLM01, Spoofing"
