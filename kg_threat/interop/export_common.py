"""What the exporters share: finding statuses in each tool's words, threat types, mitigations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pyoxigraph as ox

from kg_threat.interop.extract import term_label
from kg_threat.model import Finding

STRIDE: Final = {"Spoofing": "Spoofing", "Tampering": "Tampering",
                 "Repudiation": "Repudiation",
                 "InformationDisclosure": "Information disclosure",
                 "DenialOfService": "Denial of service",
                 "ElevationOfPrivilege": "Elevation of privilege"}
STATUS_WORDS: Final = {
    "threat-dragon": {"unmitigated": "Open", "mitigated": "Mitigated", "accepted": "Accepted",
                      "transferred": "Transferred", "eliminated": "Eliminated",
                      "excluded": "NotApplicable"},
    "otm": {"unmitigated": "exposed", "mitigated": "mitigated", "accepted": "accepted",
            "transferred": "transferred", "eliminated": "eliminated",
            "excluded": "not-applicable"},
}


def findings_by_component(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        out.setdefault(finding.component, []).append(finding)
    return out


def threat_type(finding: Finding) -> tuple[str, str]:
    """(threat type, model type) in Threat Dragon's words: a STRIDE category when it has one."""
    for category in (*finding.categories, finding.id):
        if category in STRIDE:
            return STRIDE[category], "STRIDE"
    return (finding.categories[0] if finding.categories else finding.id), "Generic"


def mitigation_text(finding: Finding, store: ox.Store) -> str:
    """Controls in place and missing controls, by label."""
    parts = []
    if finding.controls:
        parts.append("In place: " + ", ".join(term_label(store, c) for c in finding.controls))
    if finding.missing_controls:
        parts.append("Missing: " + ", ".join(term_label(store, c)
                                            for c in finding.missing_controls))
    return ". ".join(parts) or "No control of the catalog mitigates it."
