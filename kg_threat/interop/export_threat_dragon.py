"""Write a system and its findings as a Threat Dragon v2 model (JSON the app opens).

Layout: each trust boundary is a box holding its elements in a grid; boxes sit in a row and
elements in no boundary sit below them, so that importing the file again computes the same
memberships from the geometry. An element in several zones is drawn in the first one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Final

import pyoxigraph as ox

from kg_threat.interop.export_common import (
    STATUS_WORDS,
    findings_by_component,
    mitigation_text,
    threat_type,
)
from kg_threat.interop.extract import Part, SystemView, extract
from kg_threat.model import Finding

_NS: Final = uuid.UUID("0b5d3c1e-7a51-5f0e-9d2a-6c4e8b1f2a30")
_SHAPES: Final = {"ExternalEntity": ("actor", "tm.Actor", 160, 80),
                  "Process": ("process", "tm.Process", 100, 100),
                  "DataStore": ("store", "tm.Store", 160, 80)}
_SEVERITY: Final = {"critical": "High", "high": "High", "medium": "Medium", "low": "Low"}
_CELL_W, _CELL_H, _COLUMNS, _PAD = 220, 160, 3, 40


def _threats(findings: Sequence[Finding], store: ox.Store) -> list[dict[str, Any]]:
    out = []
    for n, f in enumerate(findings, start=1):
        kind, model_type = threat_type(f)
        out.append({
            "id": str(uuid.uuid5(_NS, f.iri)),
            "threatId": str(uuid.uuid5(_NS, f.iri)),
            "number": n,
            "title": f"{f.id} {f.label}",
            "type": kind,
            "modelType": model_type,
            "status": STATUS_WORDS["threat-dragon"][f.status],
            "severity": _SEVERITY[f.risk],
            "score": f.risk,
            "description": f"{f.label} ({', '.join(f.catalogs)}): likelihood {f.likelihood}, "
                           f"impact {f.impact}, risk {f.risk}. {f.threat}",
            "mitigation": mitigation_text(f, store),
        })
    return out


def _element(part: Part, x: float, y: float, threats: list[dict[str, Any]]) -> dict[str, Any]:
    shape, kind, width, height = _SHAPES[part.kind]
    line = {"stroke": "red" if any(t["status"] == "Open" for t in threats) else "#333333",
            "strokeWidth": 1.5, "strokeDasharray": None}
    attrs: dict[str, Any] = {"text": {"text": part.label}}
    if shape == "store":
        attrs |= {"topLine": dict(line), "bottomLine": dict(line)}
    else:
        attrs["body"] = line
    data: dict[str, Any] = {
        "name": part.label, "description": part.description, "type": kind,
        "isTrustBoundary": False, "outOfScope": False, "reasonOutOfScope": "",
        "threats": threats, "hasOpenThreats": any(t["status"] == "Open" for t in threats),
    }
    if kind == "tm.Store":
        data |= {"isALog": part.ml_kind == "LogStore", "storesCredentials": False,
                 "isEncrypted": False, "isSigned": False}
    return {"position": {"x": x, "y": y}, "size": {"width": width, "height": height},
            "attrs": attrs, "shape": shape, "id": part.ident, "zIndex": 1, "data": data}


def _layout(view: SystemView) -> tuple[dict[str, tuple[float, float]],
                                       list[tuple[Part, float, float, float, float]]]:
    """Element positions and boundary boxes (part, x, y, width, height)."""
    groups: dict[str, list[Part]] = {b: [] for b in view.boundaries
                                     if not view.boundaries[b].implicit}
    loose: list[Part] = []
    for part in view.elements.values():
        zone = next((b for b in part.boundaries if b in groups), None)
        (groups[zone] if zone else loose).append(part)
    positions: dict[str, tuple[float, float]] = {}
    boxes = []
    x = 20.0
    for iri, members in groups.items():
        columns = max(1, min(_COLUMNS, len(members)))
        rows = max(1, -(-len(members) // columns))
        for i, part in enumerate(members):
            positions[part.iri] = (x + _PAD + (i % columns) * _CELL_W,
                                   20 + _PAD + (i // columns) * _CELL_H)
        width, height = columns * _CELL_W + _PAD, rows * _CELL_H + _PAD
        boxes.append((view.boundaries[iri], x, 20.0, float(width), float(height)))
        x += width + 2 * _PAD
    top = max((b[2] + b[4] for b in boxes), default=0.0) + 2 * _PAD
    for i, part in enumerate(loose):
        positions[part.iri] = (20 + (i % 6) * _CELL_W, top + (i // 6) * _CELL_H)
    return positions, boxes


def to_threat_dragon(view: SystemView, findings: Sequence[Finding],
                     store: ox.Store) -> dict[str, Any]:
    """The Threat Dragon v2 document of ``view`` with ``findings`` as threats."""
    by_component = findings_by_component(findings)
    positions, boxes = _layout(view)
    cells: list[dict[str, Any]] = []
    for part, x, y, width, height in boxes:
        cells.append({
            "position": {"x": x, "y": y}, "size": {"width": width, "height": height},
            "attrs": {"label": {"text": part.label}}, "visible": True,
            "shape": "trust-boundary-box", "zIndex": -1, "id": part.ident,
            "data": {"type": "tm.BoundaryBox", "name": part.label, "description": "",
                     "isTrustBoundary": True, "hasOpenThreats": False}})
    for part in view.elements.values():
        x, y = positions[part.iri]
        cells.append(_element(part, x, y, _threats(by_component.get(part.iri, []), store)))
    for flow in view.flows.values():
        threats = _threats(by_component.get(flow.iri, []), store)
        is_open = any(t["status"] == "Open" for t in threats)
        cells.append({
            "shape": "flow", "zIndex": 10, "connector": "smooth", "id": flow.ident,
            "attrs": {"line": {"stroke": "red" if is_open else "#333333", "strokeWidth": 1,
                               "targetMarker": {"name": "block"}, "sourceMarker": {"name": ""},
                               "strokeDasharray": None}},
            "labels": [{"position": 0.5, "attrs": {"label": {"text": flow.label}}}],
            "source": {"cell": view.elements[flow.source].ident},
            "target": {"cell": view.elements[flow.target].ident},
            "vertices": [],
            "data": {"type": "tm.Flow", "name": flow.label, "description": flow.description,
                     "outOfScope": False, "reasonOutOfScope": "", "protocol": "",
                     "isEncrypted": False, "isPublicNetwork": False, "isBidirectional": False,
                     "isTrustBoundary": False, "threats": threats, "hasOpenThreats": is_open}})
    count = sum(len(c.get("data", {}).get("threats", [])) for c in cells)
    return {
        "version": "2.3.0",
        "summary": {"title": view.title, "owner": view.owner, "description": view.description,
                    "id": 0},
        "detail": {
            "contributors": [], "reviewer": "", "diagramTop": 1, "threatTop": count,
            "diagrams": [{"version": "2.3.0", "title": view.title, "description": "",
                          "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                          "diagramType": "STRIDE", "id": 0, "cells": cells}],
        },
    }


def export(store: ox.Store, findings: Sequence[Finding]) -> dict[str, Any]:
    """Threat Dragon v2 JSON of the system in ``store`` and its findings."""
    return to_threat_dragon(extract(store), findings, store)
