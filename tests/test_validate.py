"""SHACL model checks: each check fails on its failing fixture and stays quiet on its passing
one; results name the offending node, the severity and the message; exit codes of validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kg_threat import pipeline
from kg_threat.validate import ValidationReport, ValidationResult, validate

KGT = "https://w3id.org/kg-threat/ontology#"
KGTS = "https://w3id.org/kg-threat/shapes#"
EX = "https://example.org/shapes#"
FRAUD = "https://example.org/fraud#"
TODAY = date(2026, 10, 1)
SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fraud-scoring.ttl"


def check(*files: Path | str) -> ValidationReport:
    result = pipeline.run([str(f) for f in files], pipeline.Options())
    return validate(result, today=TODAY)


def fixture(name: str) -> Path:
    return SHAPES / f"{name}.ttl"


def of_shapes(report: ValidationReport, *shapes: str) -> list[ValidationResult]:
    return [r for r in report.results if r.shape in {KGTS + s for s in shapes}]


def brief(results: list[ValidationResult]) -> list[tuple[str, str, str | None, str]]:
    return [(r.severity, r.focus, r.path, r.shape.removeprefix(KGTS)) for r in results]


def test_accepted_treatment_needs_rationale_and_owner() -> None:
    report = check(fixture("accept-fail"))
    assert brief(of_shapes(report, "AcceptRationaleShape", "AcceptOwnerShape")) == [
        ("Violation", EX + "t1", KGT + "rationale", "AcceptRationaleShape"),
        ("Violation", EX + "t2", KGT + "owner", "AcceptOwnerShape"),
    ]
    assert report.results[0].message == (
        'Accepted risk without a rationale: say why the risk is acceptable with kgt:rationale "…" '
        "on this treatment."
    )
    assert not report.conforms
    assert check(fixture("accept-pass")).results == ()


def test_transfer_needs_party_and_rationale() -> None:
    report = check(fixture("transfer-fail"))
    assert brief(list(report.results)) == [
        ("Violation", EX + "t1", KGT + "rationale", "TransferRationaleShape"),
        ("Violation", EX + "t1", KGT + "transferredTo", "TransferPartyShape"),
    ]
    assert report.results[1].message.startswith("Transferred risk without a receiving party: name who")
    assert check(fixture("transfer-pass")).results == ()


def test_exclusion_needs_rationale() -> None:
    report = check(fixture("exclusion-fail"))
    assert brief(list(report.results)) == [
        ("Violation", EX + "ex1", KGT + "rationale", "ExclusionRationaleShape"),
    ]
    assert "remove the exclusion" in report.results[0].message
    assert check(fixture("exclusion-pass")).results == ()


def test_data_flow_needs_both_ends() -> None:
    report = check(fixture("flow-fail"))
    assert brief(of_shapes(report, "DataFlowFromShape", "DataFlowToShape")) == [
        ("Violation", EX + "in", KGT + "to", "DataFlowToShape"),
        ("Violation", EX + "out", KGT + "from", "DataFlowFromShape"),
    ]
    assert report.results[0].message == (
        "Data flow without a destination: say where the data goes with kgt:to <component>."
    )
    assert of_shapes(check(fixture("flow-pass")), "DataFlowFromShape", "DataFlowToShape") == []


def test_unknown_kgt_term_is_named() -> None:
    report = check(fixture("unknown-term-fail"))
    found = of_shapes(report, "UnknownTermShape")
    assert [(r.severity, r.focus, r.value) for r in found] == [
        ("Violation", EX + "api", KGT + "Proces"),
        ("Violation", EX + "api", KGT + "hasControll"),
    ]
    assert found[1].message.startswith(f"Unknown term {KGT}hasControll: the kg-threat ontology does not")
    assert of_shapes(check(fixture("unknown-term-pass")), "UnknownTermShape") == []


def test_deprecated_kgt_term_warns_with_its_replacement() -> None:
    found = of_shapes(check(fixture("deprecated-term-fail")), "DeprecatedTermShape")
    assert [(r.severity, r.focus, r.value) for r in found] == [
        ("Warning", EX + "MyAssistant", KGT + "RetrievalAugmentedLLMComponent"),
        ("Warning", EX + "bot", KGT + "LLMComponent"),
    ]
    assert found[1].message == (
        f"Deprecated term {KGT}LLMComponent, replaced by {KGT}LLMSystem: use the replacement "
        "(it means the same), or drop the term."
    )
    assert of_shapes(check(fixture("unknown-term-pass")), "DeprecatedTermShape") == []
    assert of_shapes(check(EXAMPLE), "DeprecatedTermShape") == []


def test_unscoped_asset_warns() -> None:
    found = of_shapes(check(fixture("unscoped-fail")), "UnscopedAssetShape")
    assert brief(found) == [("Warning", EX + "stray", None, "UnscopedAssetShape")]
    assert found[0].message.startswith("Asset outside the scope: no in-scope component stores")
    assert of_shapes(check(fixture("unscoped-pass")), "UnscopedAssetShape") == []


def test_threat_model_without_attacker_and_stale_review() -> None:
    report = check(fixture("exercise-fail"))
    found = of_shapes(report, "ThreatModelAdversaryShape", "ThreatModelShape")
    assert [(r.severity, r.focus, r.path, r.value) for r in found] == [
        ("Warning", EX + "tm", KGT + "assumes", None),
        ("Warning", EX + "tm", KGT + "reviewedOn", "2024-06-01"),
    ]
    assert found[1].message == (
        "Threat model last reviewed on 2024-06-01, more than a year ago: review it against the "
        "current system and update kgt:reviewedOn."
    )
    assert report.conforms  # warnings only
    assert of_shapes(check(fixture("base")), "ThreatModelAdversaryShape", "ThreatModelShape") == []


def test_review_date_is_judged_against_the_given_date() -> None:
    result = pipeline.run([str(fixture("base"))], pipeline.Options())
    assert of_shapes(validate(result, today=date(2027, 6, 1)), "ThreatModelShape") == []
    late = of_shapes(validate(result, today=date(2027, 6, 2)), "ThreatModelShape")
    assert [(r.focus, r.value) for r in late] == [(EX + "tm", "2026-06-01")]


def test_unmitigated_high_risk_warns_per_component() -> None:
    found = of_shapes(check(fixture("base")), "UnmitigatedRiskShape")
    assert [(r.severity, r.focus) for r in found] == [("Warning", EX + "users")]
    assert found[0].message.startswith("Unmitigated high or critical risk on this component")
    assert check(fixture("unmitigated-pass")).results == ()


def test_no_system_and_no_threat_model_are_reported() -> None:
    nothing = check(fixture("no-system"))
    assert brief(list(nothing.results)) == [
        ("Warning", "urn:kg-threat:input", None, "SystemPresentShape"),
    ]
    assert nothing.results[0].message.startswith("The input describes no system (no kgt:System)")
    bare = of_shapes(check(fixture("no-threat-model")), "SystemThreatModelShape")
    assert brief(bare) == [("Warning", EX + "sys", None, "SystemThreatModelShape")]


@pytest.mark.parametrize(("extra", "expected"), [
    ("critical-fail", [(FRAUD + "accept-skew", FRAUD + "accept-skew", "without validation evidence")]),
    ("critical-stale", [(FRAUD + "accept-skew", "2025-03-01", "more than a year ago")]),
    ("critical-pass", []),
])
def test_accepted_critical_risk_needs_recent_evidence(
    extra: str, expected: list[tuple[str, str, str]],
) -> None:
    report = check(EXAMPLE, fixture(extra))
    violations = [r for r in report.results if r.severity == "Violation"]
    assert [(r.focus, r.value) for r in violations] == [(f, v) for f, v, _ in expected]
    for r, (_, _, words) in zip(violations, expected, strict=True):
        assert words in r.message
        assert r.path == KGT + "validatedBy"
        assert r.shape == KGTS + "CriticalTreatmentShape"


def test_shapes_see_the_same_results_with_one_finding_per_flagged_component() -> None:
    """validate writes only the findings the shapes read (one unmitigated high or critical
    finding per component, and the critical findings a treatment names); writing every high
    and critical finding instead gives the same results."""
    from kg_threat.validate import findings_for_shapes, load_shapes, run_shacl, validation_store

    for extra in ((), (fixture("critical-fail"),)):
        result = pipeline.run([str(EXAMPLE), *map(str, extra)], pipeline.Options())
        chosen = findings_for_shapes(result)
        serious = [f for f in result.analysis.findings if f.risk in ("high", "critical")]
        flagged = {f.component for f in serious if f.status == "unmitigated"}
        assert len(chosen) < len(serious)
        assert flagged == {f.component for f in chosen if f.status == "unmitigated"}
        store = validation_store(result, today=TODAY, findings=serious)
        assert run_shacl(store, load_shapes()) == validate(result, today=TODAY)


@pytest.mark.parametrize("files", [
    (EXAMPLE,), (EXAMPLE, fixture("critical-fail")), (fixture("accept-fail"),),
    (fixture("unknown-term-fail"),), (fixture("base"),),
])
def test_shapes_split_between_two_processes_find_what_one_run_finds(files: tuple[Path, ...]) -> None:
    """validate runs findings.ttl in a child process beside the other shapes files: the
    merged results equal one pyshacl run over every file."""
    from kg_threat.background import forkable
    from kg_threat.resources import shapes_files
    from kg_threat.validate import load_shapes, run_shacl, run_shapes, validation_store

    result = pipeline.run([str(f) for f in files], pipeline.Options())
    store = validation_store(result, today=TODAY)
    whole = run_shacl(store, load_shapes())
    assert forkable()
    assert whole.results and run_shapes(store, shapes_files()) == whole
    aside = run_shacl(store, load_shapes([p for p in shapes_files()
                                          if p.name in ("prefixes.ttl", "findings.ttl")]))
    assert {r.shape for r in aside.results} <= {KGTS + "UnmitigatedRiskShape"}
    if files == (EXAMPLE, fixture("critical-fail")):  # results from both groups
        assert aside.results and len(aside.results) < len(whole.results)


def test_validation_in_place_takes_over_the_store_and_finds_the_same() -> None:
    """``validate`` (the command) lets validation take over the analysis's store instead of
    copying the system: the same quads, without the other named graphs."""
    from kg_threat.validate import validation_store
    from kg_threat.vocab import INFERRED_GRAPH, ONTOLOGY_GRAPH

    result = pipeline.run([str(EXAMPLE), str(fixture("critical-fail"))], pipeline.Options())
    copy = validation_store(result, today=TODAY)
    assert INFERRED_GRAPH in {g.value for g in result.store.named_graphs()}
    expected = validate(result, today=TODAY)
    taken = validation_store(result, today=TODAY, in_place=True)
    assert taken is result.store
    assert set(taken) == set(copy)
    assert [g.value for g in taken.named_graphs()] == [ONTOLOGY_GRAPH]
    fresh = pipeline.run([str(EXAMPLE), str(fixture("critical-fail"))], pipeline.Options())
    assert validate(fresh, today=TODAY, in_place=True) == expected


_LINKS_FROM_FINDINGS = """
PREFIX kgt:  <https://w3id.org/kg-threat/ontology#>
PREFIX kgts: <https://w3id.org/kg-threat/shapes#>
CONSTRUCT { ?component kgts:unmitigatedRisk ?finding }
WHERE {
  VALUES ?risk { kgt:High kgt:Critical }
  ?finding kgt:affects ?component ; kgt:status kgt:Unmitigated ; kgt:riskLevel ?risk .
}"""


@pytest.mark.parametrize("extra", [(), ("critical-fail",), ("critical-pass",), ("accept-fail",)])
def test_links_written_directly_equal_links_derived_from_the_findings(extra: tuple[str, ...]) -> None:
    """The validation store holds a kgts:unmitigatedRisk link per chosen unmitigated high or
    critical finding, and the core triples of the critical findings a treatment names: the
    same results as every chosen finding written whole with its links derived by SPARQL."""
    import pyoxigraph as ox

    from kg_threat.findings_rdf import core_ntriples
    from kg_threat.validate import findings_for_shapes, load_shapes, run_shacl, validation_store

    result = pipeline.run([str(EXAMPLE), *(str(fixture(e)) for e in extra)], pipeline.Options())
    chosen = findings_for_shapes(result)
    store = validation_store(result, today=TODAY, findings=[])
    store.load(core_ntriples(chosen), format=ox.RdfFormat.N_TRIPLES)
    derived = store.query(_LINKS_FROM_FINDINGS)
    assert isinstance(derived, ox.QueryTriples)
    links = [ox.Quad(t.subject, t.predicate, t.object) for t in derived]
    assert links
    store.extend(links)
    written = validation_store(result, today=TODAY)
    assert {q for q in written if q.predicate.value == KGTS + "unmitigatedRisk"} == set(links)
    assert run_shacl(store, load_shapes()) == validate(result, today=TODAY)


def test_unusable_shapes_are_an_input_error(tmp_path: Path) -> None:
    from kg_threat.errors import InputError
    from kg_threat.validate import load_shapes, run_shacl, validation_store

    broken = tmp_path / "broken-shapes.ttl"
    broken.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:PropertyShape ; sh:targetNode <urn:x> ; sh:minCount 1 .\n",  # no sh:path
        encoding="utf-8",
    )
    result = pipeline.run([str(EXAMPLE)], pipeline.Options())
    with pytest.raises(InputError, match="the SHACL shapes cannot be used"):
        run_shacl(validation_store(result, today=TODAY), load_shapes([broken]))


def test_pyshacl_is_left_as_found() -> None:
    """validate skips pyshacl's per-result text only while it runs: the method is restored
    afterwards, and the results still carry their messages."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    original = ConstraintComponent.make_v_result_description
    report = check(fixture("base"))
    assert report.results and all(r.message for r in report.results)
    assert ConstraintComponent.make_v_result_description is original


def test_example_has_no_violations() -> None:
    report = check(EXAMPLE)
    assert report.conforms
    assert {r.shape for r in report.results} == {KGTS + "UnmitigatedRiskShape"}




def test_cli_exit_codes(cli: Callable[..., Any]) -> None:
    ok = cli("validate", EXAMPLE, "--date", "2026-10-01")
    assert ok.code == 0, ok.stderr
    assert ok.stdout.endswith("0 violation(s), 11 warning(s): the model conforms\n")
    bad = cli("validate", fixture("accept-fail"), "--date", "2026-10-01")
    assert bad.code == 1
    assert f"Violation {EX}t1  kgt:rationale" in bad.stdout
    assert bad.stderr == (
        "kg-threat: error: 2 violation(s), 0 warning(s): the model does not conform\n"
    )
    strict = cli("validate", fixture("base"), "--strict", "--date", "2026-10-01")
    assert strict.code == 1
    assert cli("validate", fixture("base"), "--date", "2026-10-01").code == 0


def test_cli_bad_input_exits_2(cli: Callable[..., Any], tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix kgt: <https://w3id.org/kg-threat/ontology#> .\n:a kgt:b .\n")
    run = cli("validate", broken)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert str(broken) in run.stderr
    assert cli("validate", tmp_path / "missing.ttl").code == 2
    bad_date = cli("validate", fixture("base"), "--date", "yesterday")
    assert bad_date.code == 2
    assert "--date 'yesterday' is not a date: use YYYY-MM-DD" in bad_date.stderr
    assert cli("validate", fixture("base"), "--format", "xml").code == 2


def test_json_and_turtle_are_deterministic(cli: Callable[..., Any]) -> None:
    args = ("validate", fixture("flow-fail"), "--date", "2026-10-01")
    first = cli(*args, "--format", "json")
    again = cli(*args, "--format", "json")
    assert first.stdout == again.stdout
    doc = json.loads(first.stdout)
    assert (doc["conforms"], doc["violations"], doc["warnings"]) == (False, 2, 3)
    assert doc["results"][0] == {
        "severity": "Violation", "focus": EX + "in", "path": KGT + "to", "value": None,
        "message": "Data flow without a destination: say where the data goes with kgt:to <component>.",
        "shape": KGTS + "DataFlowToShape",
        "constraint": "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
    }
    ttl = cli(*args, "--format", "ttl")
    assert ttl.stdout == cli(*args, "--format", "ttl").stdout
    assert f"sh:focusNode <{EX}in>" in ttl.stdout


def test_core_ntriples_are_the_core_quads_of_the_findings() -> None:
    import pyoxigraph as ox

    from kg_threat.findings_rdf import core_ntriples, findings_quads
    from kg_threat.vocab import KGT, RDF

    RDF_TYPE = RDF + "type"

    root = Path(__file__).resolve().parent.parent
    findings = pipeline.run([str(root / "examples" / "fraud-scoring.ttl")]).analysis.findings
    parsed = ox.Store()
    parsed.load(core_ntriples(findings), format=ox.RdfFormat.N_TRIPLES)
    core = {RDF_TYPE} | {KGT + name for name in ("aboutThreat", "affects", "riskLevel", "status")}
    built = ox.Store()
    built.extend(q for q in findings_quads(findings, graph=ox.DefaultGraph()) if q.predicate.value in core)
    assert len(parsed) == len(built) == 5 * len(findings) > 0
    assert set(parsed) == set(built)
