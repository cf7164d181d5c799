"""The value types: stable finding IRIs, findings as named tuples."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from kg_threat.model import Finding, Findings, finding_iri, runs_of

_NS = uuid.UUID("6f1c8f1e-0d7a-5a53-9b8e-4b67a1f0c2d1")


def test_finding_iri_is_pinned() -> None:
    """Finding IRIs are public (push, Turtle output, diff across versions): never change them."""
    assert finding_iri("https://w3id.org/kg-threat/atlas#AML.T0024", "https://example.org/fraud#scoring-api") == (
        "https://w3id.org/kg-threat/finding/877e6edb-57f1-56e3-bf3e-312492fcd34d"
    )


@given(st.text(), st.text())
def test_finding_iri_is_the_uuid5_of_threat_and_component(threat: str, component: str) -> None:
    expected = uuid.uuid5(_NS, threat + "\n" + component)
    assert finding_iri(threat, component) == f"https://w3id.org/kg-threat/finding/{expected}"


def test_finding_fields_keep_the_contract_order() -> None:
    """The JSON writer slices a finding: its first five fields, the component, then six more."""
    assert Finding._fields[:12] == (
        "threat", "id", "label", "catalogs", "categories", "component",
        "likelihood", "impact", "risk", "status", "controls", "missing_controls",
    )


def _proto(threat: str, status: str = "unmitigated", notes: tuple[str, ...] = ()) -> Finding:
    return Finding(threat, threat[-1], "label", ("ML",), (), "", "high", "high", "critical", status,  # type: ignore[arg-type]
                   (), ("urn:c",), "", ("urn:rule",), notes, None)


def test_findings_held_as_runs_read_as_a_sequence_of_findings() -> None:
    first, second = _proto("urn:t#A"), _proto("urn:t#B", "mitigated", ("enough controls",))
    findings = Findings([(first, ["urn:c1", "urn:c2"]), (second, ["urn:c1"])], {"urn:c1": "One"})
    expected = (
        first._replace(component="urn:c1", component_label="One"),
        first._replace(component="urn:c2"),
        second._replace(component="urn:c1", component_label="One"),
    )
    assert len(findings) == 3
    assert tuple(findings) == expected
    assert findings == expected and expected == findings and findings == list(expected)
    assert findings != expected[:2]
    assert findings[1] == expected[1] and findings[1:] == expected[1:]
    assert hash(findings) == hash(expected)
    assert list(runs_of(findings)) == [(first, ["urn:c1", "urn:c2"]), (second, ["urn:c1"])]
    assert repr(findings) == "Findings(3 findings in 2 runs)"


def test_runs_of_plain_findings_are_one_per_finding() -> None:
    f = _proto("urn:t#A")._replace(component="urn:c9")
    assert list(runs_of((f, f))) == [(f, ("urn:c9",)), (f, ("urn:c9",))]
    assert not Findings([], {}) and Findings([], {}) == ()
