"""SARIF 2.1.0 output: one rule per catalog threat, one result per finding."""

from __future__ import annotations

import json
from typing import TextIO

from kg_threat import __version__
from kg_threat.model import Analysis, Finding
from kg_threat.vocab import local_name

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_KIND = {
    "unmitigated": "fail", "mitigated": "pass", "accepted": "review", "transferred": "review",
    "eliminated": "pass", "excluded": "notApplicable",
}
_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _help_uri(f: Finding) -> str | None:
    if f.id.startswith("AML.M"):
        return f"https://atlas.mitre.org/mitigations/{f.id}"
    if f.id.startswith("AML.T"):
        return f"https://atlas.mitre.org/techniques/{f.id}"
    return None


def sarif_document(analysis: Analysis) -> dict[str, object]:
    rules: dict[str, dict[str, object]] = {}
    for f in analysis.findings:
        if f.id not in rules:
            rule: dict[str, object] = {
                "id": f.id,
                "name": local_name(f.threat),
                "shortDescription": {"text": f.label},
                "properties": {"catalogs": list(f.catalogs), "categories": list(f.categories), "iri": f.threat},
            }
            uri = _help_uri(f)
            if uri:
                rule["helpUri"] = uri
            rules[f.id] = rule
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    location = analysis.sources[0] if analysis.sources else "system.ttl"
    results = [
        {
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": _LEVEL[f.risk] if f.status == "unmitigated" else "none",
            "kind": _KIND[f.status],
            "message": {"text": f"{f.label} on {f.component_label or f.component}: {f.risk} risk, {f.status}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": location}},
                "logicalLocations": [{"fullyQualifiedName": f.component, "kind": "resource"}],
            }],
            "partialFingerprints": {"kgThreatFinding/v1": f.iri},
            "properties": {
                "risk": f.risk, "likelihood": f.likelihood, "impact": f.impact, "status": f.status,
                "component": f.component, "missingControls": list(f.missing_controls),
            },
        }
        for f in analysis.findings
    ]
    return {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kg-threat", "version": __version__,
                "informationUri": "https://w3id.org/kg-threat",
                "rules": [rules[r] for r in ordered],
            }},
            "results": results,
        }],
    }


def write_sarif(analysis: Analysis, out: TextIO) -> None:
    json.dump(sarif_document(analysis), out, indent=2, ensure_ascii=False)
    out.write("\n")
