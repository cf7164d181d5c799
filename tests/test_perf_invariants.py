"""The fast paths give exactly what the plain ones give: JSON bytes, finding order, pairs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.formats import write_json
from kg_threat.model import Analysis, Finding, Findings


def _plain_json(analysis: Analysis) -> str:
    """The contract's JSON written the plain way: json.dumps of every finding's to_json()."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    lines = ",\n".join("    " + dumps(f.to_json()) for f in analysis.findings)
    return (
        "{\n"
        f'  "system": {json.dumps(analysis.system)},\n'
        f'  "adversary": {json.dumps(analysis.adversary)},\n'
        f'  "assumed_strongest_adversary": {json.dumps(analysis.assumed_strongest_adversary)},\n'
        + ('  "findings": [\n' + lines + "\n  ]\n}\n" if lines else '  "findings": []\n}\n')
    )


def _finding(threat: str, label: str, component: str, controls: tuple[str, ...] = ()) -> Finding:
    return Finding(
        threat=threat, id=threat.rsplit("#", 1)[-1], label=label, catalogs=("ML", "STRIDE"),
        categories=(), component=component, likelihood="high", impact="low", risk="medium",
        status="unmitigated", controls=controls, missing_controls=("urn:c\u00e9\n",),
    )


@pytest.fixture(scope="module")
def example_result() -> pipeline.Result:
    root = Path(__file__).resolve().parent.parent
    return pipeline.run([str(root / "examples" / "fraud-scoring.ttl")])


def test_json_is_byte_identical_to_the_json_module(example_result: pipeline.Result) -> None:
    out = io.StringIO()
    write_json(example_result.analysis, out)
    assert out.getvalue() == _plain_json(example_result.analysis)


def test_json_of_odd_strings_and_repeated_threats_with_other_labels() -> None:
    findings = (
        _finding("urn:t#A", 'quote " and \\ backslash', "urn:x\u2028y"),
        _finding("urn:t#A", "another label for the same threat", "urn:\U0001f600", ("urn:k\t",)),
        _finding("urn:t#A", 'quote " and \\ backslash', "urn:plain", ("urn:k\t",)),
    )
    for analysis in (Analysis("urn:s\u00ff", None, findings), Analysis(None, "urn:a", ())):
        out = io.StringIO()
        write_json(analysis, out)
        assert out.getvalue() == _plain_json(analysis)


def test_findings_come_sorted_by_risk_id_component_then_threat(example_result: pipeline.Result) -> None:
    findings = example_result.analysis.findings
    assert list(findings) == sorted(findings, key=lambda f: (*f.sort_key(), f.threat))


def test_one_finding_per_applicable_pair_with_its_rules(example_result: pipeline.Result) -> None:
    rules: dict[tuple[str, str], list[str]] = {}
    for pair in example_result.applicability.pairs():
        rules.setdefault((pair.threat, pair.component), []).append(pair.rule)
    assert len(example_result.applicability) == sum(len(r) for r in rules.values())
    for f in example_result.analysis.findings:
        assert f.rules == tuple(sorted(rules[(f.threat, f.component)]))


def test_json_of_the_assessment_runs_is_the_json_of_its_findings(example_result: pipeline.Result) -> None:
    analysis = example_result.analysis
    assert isinstance(analysis.findings, Findings)
    as_tuple = Analysis(analysis.system, analysis.adversary, tuple(analysis.findings),
                        analysis.assumed_strongest_adversary)
    runs, plain = io.StringIO(), io.StringIO()
    write_json(analysis, runs)
    write_json(as_tuple, plain)
    assert runs.getvalue() == plain.getvalue() == _plain_json(analysis)


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_json_written_to_a_binary_backed_stream_keeps_text_order(encoding: str, tmp_path: Path) -> None:
    # A file or standard output gets the findings as UTF-8 bytes on its buffer; what was
    # written as text before and after must stay in place, and other encodings stay text.
    findings = (_finding("urn:t#A", "caf\u00e9", "urn:x"), _finding("urn:t#B", "plain", "urn:y"))
    analysis = Analysis("urn:s", None, findings)
    path = tmp_path / "out.json"
    with path.open("w", encoding=encoding, errors="replace", newline="\n") as stream:
        stream.write("before\n")
        write_json(analysis, stream)
        stream.write("after\n")
    expected = "before\n" + _plain_json(analysis) + "after\n"
    assert path.read_bytes() == expected.encode(encoding, errors="replace")
