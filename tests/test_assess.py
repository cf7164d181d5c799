"""Risk, attacker model, controls, treatments and exclusions on variants of the example."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.model import Finding

EX = "https://example.org/fraud#"
PREFIXES = "@prefix kgt: <https://w3id.org/kg-threat/ontology#> .\n@prefix : <https://example.org/fraud#> .\n"


# Dropping these lines leaves the example with no adversary at all.
_ADVERSARY = """ ;
    kgt:assumes :fraudster .

:fraudster a kgt:Adversary ;
    rdfs:label "Organised fraud ring" ;
    kgt:knowledge kgt:BlackBox ;
    kgt:capability kgt:MediumCapability ;
    kgt:canAccess :scoringApi ;
    kgt:goal kgt:IntegrityViolation"""


def _run(
    tmp_path: Path, example: Path, extra: str = "", drop: str | None = None, name: str = "variant.ttl"
) -> tuple[Finding, ...]:
    text = example.read_text()
    if drop:
        assert drop in text
        text = text.replace(drop, "")
    variant = tmp_path / name
    variant.write_text(text + "\n" + PREFIXES + extra)
    return pipeline.run([str(variant)]).analysis.findings


def _one(findings: tuple[Finding, ...], threat_id: str, component: str) -> Finding:
    return next(f for f in findings if f.id == threat_id and f.component == EX + component)


def test_rate_limiting_and_output_minimization_mitigate_model_stealing(tmp_path: Path, example: Path) -> None:
    before = _one(_run(tmp_path, example), "ModelStealing", "scoringApi")
    assert before.status == "unmitigated"
    assert "https://w3id.org/kg-threat/ontology#RateLimiting" in before.missing_controls
    after = _one(
        _run(tmp_path, example, ":scoringApi kgt:hasControl kgt:RateLimiting, kgt:OutputMinimization ."),
        "ModelStealing", "scoringApi",
    )
    assert after.status == "mitigated"
    assert set(after.controls) == {
        "https://w3id.org/kg-threat/ontology#RateLimiting",
        "https://w3id.org/kg-threat/ontology#OutputMinimization",
    }
    assert "https://w3id.org/kg-threat/ontology#RateLimiting" not in after.missing_controls


def test_eliminate_on_a_category_covers_every_finding_of_it(tmp_path: Path, example: Path) -> None:
    findings = _run(tmp_path, example, """
:no-tamper a kgt:Treatment ; kgt:forThreat kgt:Tampering ; kgt:onComponent :f3 ;
    kgt:decision kgt:Eliminate ; kgt:rationale "Signed, hashed batches." ; kgt:owner "Data platform" .
""")
    on_flow = [f for f in findings if f.component == EX + "f3" and "Tampering" in f.categories]
    assert {f.id for f in on_flow} == {"Tampering", "DataPoisoning"} | {
        f.id for f in on_flow if f.catalogs != ("STRIDE",) and f.catalogs != ("ML",)
    }
    assert {f.status for f in on_flow} == {"eliminated"}
    others = [f for f in findings if f.component == EX + "f3" and "Tampering" not in f.categories]
    assert others and all(f.status != "eliminated" for f in others)


def test_excluded_component_keeps_its_findings_marked_excluded(tmp_path: Path, example: Path) -> None:
    findings = _run(tmp_path, example, """
:tm kgt:outOfScope :ex1 .
:ex1 a kgt:Exclusion ; kgt:excludes :registry ; kgt:rationale "Managed by the vendor." .
""")
    on_registry = [f for f in findings if f.component == EX + "registry"]
    assert on_registry
    assert {f.status for f in on_registry} == {"excluded"}


def test_attacker_on_the_merchant_side_lowers_poisoning_likelihood(tmp_path: Path, example: Path) -> None:
    declared = _run(tmp_path, example)  # the fraud ring can reach only the scoring API
    strongest = _run(tmp_path, example, drop=_ADVERSARY, name="strongest.ttl")
    order = ["low", "medium", "high"]
    for component in ("f1", "ingest", "lake", "training"):
        weak = _one(declared, "DataPoisoning", component)
        strong = _one(strongest, "DataPoisoning", component)
        assert order.index(weak.likelihood) < order.index(strong.likelihood), component


def test_no_adversary_means_the_strongest_is_assumed(tmp_path: Path, example: Path) -> None:
    findings = _run(tmp_path, example, drop=_ADVERSARY)
    assert findings
    text = (tmp_path / "variant.ttl").read_text()
    analysis = pipeline.run([str(tmp_path / "variant.ttl")]).analysis
    assert "kgt:Adversary" not in text
    assert analysis.adversary is None
    assert analysis.assumed_strongest_adversary


@pytest.mark.parametrize("level,expected", [("critical", 1), ("low", 1)])
def test_fail_on(cli, example: Path, level: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    run = cli("analyze", example, "--format", "json", "--fail-on", level)
    assert run.code == expected
    assert "unmitigated finding(s)" in run.stderr
    assert run.stdout.startswith("{")


def test_fail_on_passes_when_everything_is_treated(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    quiet = tmp_path / "quiet.ttl"
    quiet.write_text(PREFIXES + ":u a kgt:User ; kgt:hasControl kgt:Authentication, kgt:AuditLogging .\n")
    run = cli("analyze", quiet, "--format", "json", "--fail-on", "low")
    assert run.code == 0, run.stderr
