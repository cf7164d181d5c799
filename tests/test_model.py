"""The value types: stable finding IRIs, findings as named tuples."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from kg_threat.model import Finding, finding_iri

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
