"""Import an OWASP Threat Dragon model: v1 (JointJS cells) and v2 (AntV X6 cells)."""

from __future__ import annotations

from typing import Any

from kg_threat.interop.geometry import Point, in_box, inside_curve
from kg_threat.interop.matching import Matcher
from kg_threat.interop.records import Asset, Boundary, Element, Flow, Model, Treatment
from kg_threat.interop.rules import norm
from kg_threat.interop.tree import as_dict, as_text


def _num(node: Any) -> float:
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else 0.0


def _point(node: Any) -> Point:
    d = as_dict(node)
    return (_num(d.get("x")), _num(d.get("y")))


class _Cell:
    """One cell of either version, read through the same questions."""

    def __init__(self, raw: dict[str, Any], v2: bool) -> None:
        self.raw = raw
        self.props = as_dict(raw.get("data")) if v2 else raw
        self.v2 = v2
        self.id = as_text(raw.get("id"))
        self.declared = as_text(self.props.get("type") or raw.get("type"))
        self.type = norm(self.declared)

    @property
    def name(self) -> str:
        name = as_text(self.props.get("name")) if self.v2 else ""
        if not name:
            name = as_text(as_dict(as_dict(self.raw.get("attrs")).get("text")).get("text"))
        if not name:
            labels = self.raw.get("labels")
            for label in labels if isinstance(labels, list) else []:
                attrs = as_dict(as_dict(label).get("attrs"))
                for key in ("label", "text", "labelText"):
                    name = name or as_text(as_dict(attrs.get(key)).get("text"))
        return " ".join(name.split())

    def end(self, which: str) -> str | None:
        end = as_dict(self.raw.get(which))
        ref = end.get("cell") if self.v2 else end.get("id")
        return as_text(ref) or None

    def centre(self) -> Point:
        (x, y), size = _point(self.raw.get("position")), as_dict(self.raw.get("size"))
        return (x + _num(size.get("width")) / 2, y + _num(size.get("height")) / 2)

    def line(self) -> list[Point]:
        vertices = self.raw.get("vertices")
        middle = [_point(v) for v in vertices] if isinstance(vertices, list) else []
        return [_point(self.raw.get("source")), *middle, _point(self.raw.get("target"))]

    def flag(self, name: str) -> bool:
        return self.props.get(name) is True


def _cells(doc: dict[str, Any], model: Model) -> list[list[_Cell]]:
    diagrams = as_dict(doc.get("detail")).get("diagrams")
    out = []
    for diagram in diagrams if isinstance(diagrams, list) else []:
        d = as_dict(diagram)
        v2 = isinstance(d.get("cells"), list)
        raw = d.get("cells") if v2 else as_dict(d.get("diagramJson")).get("cells")
        if not isinstance(raw, list):
            model.warn(f"diagram '{as_text(d.get('title'))}' has no cells; skipped")
            continue
        out.append([_Cell(c, v2) for c in raw if isinstance(c, dict)])
    return out


def read(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """Fill ``model`` from a parsed Threat Dragon document (either version)."""
    summary, detail = as_dict(doc.get("summary")), as_dict(doc.get("detail"))
    model.title = as_text(summary.get("title"))
    model.description = as_text(summary.get("description"))
    model.owner = as_text(summary.get("owner")) or None
    contributors = detail.get("contributors")
    for person in contributors if isinstance(contributors, list) else []:
        if as_text(as_dict(person).get("name")):
            model.stakeholders.append(as_text(as_dict(person).get("name")))
    if as_text(detail.get("reviewer")):
        model.stakeholders.append(as_text(detail.get("reviewer")))
    for cells in _cells(doc, model):
        _diagram(cells, model, match)


def _diagram(cells: list[_Cell], model: Model, match: Matcher) -> None:
    tables = match.tables
    kinds = tables.table("threat_dragon", "kinds")
    boundary_types = tables.words("threat_dragon", "boundaries")
    ignored = tables.words("threat_dragon", "ignored")
    flows, boundaries = [], []
    for cell in cells:
        if cell.type == "tm.flow":
            flows.append(cell)
        elif cell.type in boundary_types:
            boundaries.append(cell)
        elif cell.type in kinds:
            _element(cell, str(kinds[cell.type]), model, match)
        elif cell.type not in ignored:
            model.warn(f"cell '{cell.id}' has unknown type '{cell.declared}'; imported as a "
                       "Process")
            _element(cell, "Process", model, match).comments.append(
                f"Threat Dragon cell of unknown type '{cell.declared}'.")
    for cell in flows:
        _flow(cell, model, match)
    centres = {c.id: c.centre() for c in cells if c.type in kinds and c.id in model.elements}
    for cell in boundaries:
        model.boundaries[cell.id] = Boundary(id=cell.id, name=cell.name or "trust boundary",
                                             description=as_text(cell.props.get("description")))
        if cell.type == "tm.boundarybox":
            origin, size = _point(cell.raw.get("position")), as_dict(cell.raw.get("size"))
            extent = (_num(size.get("width")), _num(size.get("height")))
            members = {i for i, p in centres.items() if in_box(p, origin, extent)}
        else:
            members = inside_curve(cell.line(), centres)
        for ident in sorted(members):
            model.elements[ident].boundaries.append(cell.id)


def _element(cell: _Cell, kind: str, model: Model, match: Matcher) -> Element:
    tags = [f"td:{flag}" for flag in ("isALog", "providesAuthentication", "isWebApplication",
                                      "storesCredentials", "isSigned") if cell.flag(flag)]
    element = Element(id=cell.id, name=cell.name or cell.id, kind=kind,
                      description=as_text(cell.props.get("description")), tags=tuple(tags))
    if cell.flag("outOfScope"):
        element.out_of_scope = as_text(cell.props.get("reasonOutOfScope"))
    if kind == "DataStore" and cell.flag("isEncrypted"):
        element.controls.add("EncryptionAtRest")
    if cell.flag("storesCredentials"):
        asset = f"{cell.id}#credentials"
        model.assets[asset] = Asset(id=asset, name=f"Credentials in {element.name}",
                                    sensitivity="Restricted", kind="Credential",
                                    kind_reason="from the storesCredentials flag")
        element.stores.append(asset)
    model.elements[cell.id] = element
    _threats(cell, model, match, element.controls)
    return element


def _flow(cell: _Cell, model: Model, match: Matcher) -> None:
    ends = []
    for which in ("source", "target"):
        ref = cell.end(which)
        if ref is None:
            ref = f"{cell.id}#{which}"
            model.warn(f"flow '{cell.id}' ({cell.name}) has no {which} element; added a "
                       "placeholder ExternalEntity")
            model.elements[ref] = Element(id=ref, name=f"{which} of {cell.name or cell.id}",
                                          kind="ExternalEntity", placeholder=True)
        ends.append(model.placeholder(ref, "Process", f"flow '{cell.id}' names").id)
    flow = Flow(id=cell.id, name=cell.name or cell.id, source=ends[0], target=ends[1],
                description=as_text(cell.props.get("description")))
    if cell.flag("isEncrypted"):
        flow.controls.add("EncryptionInTransit")
    if cell.flag("isPublicNetwork") and model.elements[ends[1]].kind != "ExternalEntity":
        model.elements[ends[1]].public = True
    if cell.flag("outOfScope"):
        flow.out_of_scope = as_text(cell.props.get("reasonOutOfScope"))
    model.flows[cell.id] = flow
    _threats(cell, model, match, flow.controls)


def _threats(cell: _Cell, model: Model, match: Matcher, controls: set[str]) -> None:
    decisions = match.tables.table("threat_dragon", "decisions")
    threats = cell.props.get("threats")
    for n, raw in enumerate(threats if isinstance(threats, list) else []):
        threat = as_dict(raw)
        title, mitigation = as_text(threat.get("title")), as_text(threat.get("mitigation"))
        decision = match.enum(decisions, threat.get("status"), "threat status")
        if decision is None:
            continue
        iri = match.threat(as_text(threat.get("type")), title, as_text(threat.get("description")))
        ident = as_text(threat.get("id")) or as_text(threat.get("threatId")) or f"{cell.id}#{n}"
        if iri is None:
            model.warn(f"threat '{title}' on '{cell.id}': no catalog threat matches its type "
                       f"'{as_text(threat.get('type'))}'; its decision is not recorded")
            continue
        if decision == "Mitigate":
            controls |= match.controls(mitigation)
        model.treatments[ident] = Treatment(
            id=ident, threat=iri, component=cell.id, decision=decision, title=title,
            rationale=mitigation or as_text(threat.get("description")) or f"{decision} ({title})",
            owner=model.owner,
        )
