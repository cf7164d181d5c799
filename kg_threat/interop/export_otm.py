"""Write a system and its findings as an Open Threat Model (OTM 0.2.0) document.

Trust zones are our boundaries; components not in any zone are given one extra zone marked
with the attribute ``kg-threat:synthetic`` (OTM requires a parent), which import skips.
Findings become threats (one per catalog threat) with instances on components and dataflows;
controls become mitigations, implemented (in place) or recommended (missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pyoxigraph as ox

from kg_threat.interop.export_common import STATUS_WORDS, findings_by_component
from kg_threat.interop.extract import SystemView, extract, term_label
from kg_threat.interop.otm import EXPORTED_CONTROL, EXPORTED_THREAT, SYNTHETIC_ZONE
from kg_threat.model import Finding
from kg_threat.vocab import local_name

_SCORE: Final = {"low": 25, "medium": 50, "high": 75, "critical": 100}
_UNZONED: Final = "kg-threat-unzoned"


def _instances(findings: Sequence[Finding], catalog: dict[str, dict[str, Any]],
               mitigations: dict[str, dict[str, Any]], store: ox.Store) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        catalog.setdefault(f.threat, {
            "id": f.id, "name": f.label,
            "description": f"{f.label} ({', '.join(f.catalogs)})",
            "categories": list(f.categories) or [f.id],
            "risk": {"likelihood": _SCORE[f.likelihood], "impact": _SCORE[f.impact]},
            "attributes": {EXPORTED_THREAT: f.threat},
        })
        used = []
        for control, state in [*((c, "implemented") for c in f.controls),
                               *((c, "recommended") for c in f.missing_controls)]:
            mitigations.setdefault(control, {
                "id": local_name(control), "name": term_label(store, control),
                "riskReduction": 50, "attributes": {EXPORTED_CONTROL: control}})
            used.append({"mitigation": local_name(control), "state": state})
        out.append({"threat": f.id, "state": STATUS_WORDS["otm"][f.status], "mitigations": used})
    return out


def to_otm(view: SystemView, findings: Sequence[Finding], store: ox.Store) -> dict[str, Any]:
    """The OTM document of ``view`` with ``findings``."""
    by_component = findings_by_component(findings)
    catalog: dict[str, dict[str, Any]] = {}
    mitigations: dict[str, dict[str, Any]] = {}
    zones = [{"id": b.ident, "name": b.label, "risk": {"trustRating": 50}}
             for b in view.boundaries.values() if not b.implicit]
    components = []
    for part in view.elements.values():
        zone = next((view.boundaries[b].ident for b in part.boundaries), None)
        component: dict[str, Any] = {
            "id": part.ident, "name": part.label, "type": part.ml_kind or part.kind,
            "description": part.description, "parent": {"trustZone": zone or _UNZONED},
            "threats": _instances(by_component.get(part.iri, []), catalog, mitigations, store),
        }
        components.append(component)
    if any(c["parent"]["trustZone"] == _UNZONED for c in components):
        zones.append({"id": _UNZONED, "name": "Not in a trust zone", "risk": {"trustRating": 0},
                      "attributes": {SYNTHETIC_ZONE: True}})
    dataflows = [{
        "id": flow.ident, "name": flow.label, "description": flow.description,
        "source": view.elements[flow.source].ident,
        "destination": view.elements[flow.target].ident,
        "threats": _instances(by_component.get(flow.iri, []), catalog, mitigations, store),
    } for flow in view.flows.values()]
    return {
        "otmVersion": "0.2.0",
        "project": {"name": view.title, "id": _slug(view.title), "description": view.description,
                    "owner": view.owner or None},
        "trustZones": zones,
        "components": components,
        "dataflows": dataflows,
        "threats": sorted(catalog.values(), key=lambda t: str(t["id"])),
        "mitigations": sorted(mitigations.values(), key=lambda m: str(m["id"])),
    }


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "model"


def export(store: ox.Store, findings: Sequence[Finding]) -> dict[str, Any]:
    """OTM JSON of the system in ``store`` and its findings."""
    return to_otm(extract(store), findings, store)
