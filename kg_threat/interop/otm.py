"""Import an Open Threat Model (OTM) document, JSON or YAML."""

from __future__ import annotations

import re
from typing import Any

from kg_threat.interop.matching import Matcher
from kg_threat.interop.records import Asset, Boundary, Element, Flow, Model, Treatment
from kg_threat.interop.rules import first_match, norm
from kg_threat.interop.tree import as_dict, as_text, dict_items
from kg_threat.vocab import KGT

SYNTHETIC_ZONE = "kg-threat:synthetic"  # attribute of the zone our export adds for unzoned parts
EXPORTED_THREAT = "kg-threat:threat"  # attribute of a threat our export wrote: its catalog IRI
EXPORTED_CONTROL = "kg-threat:control"  # attribute of a mitigation our export wrote: its IRI


def _strings(node: Any) -> list[str]:
    return [str(n) for n in node if n is not None] if isinstance(node, list) else []


def read(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """Fill ``model`` from a parsed OTM document."""
    project = as_dict(doc.get("project"))
    model.title = as_text(project.get("name"))
    model.description = as_text(project.get("description"))
    model.owner = as_text(project.get("owner")) or None
    _assets(doc, model, match)
    synthetic = set()
    for zone in dict_items(doc.get("trustZones")):
        ident = as_text(zone.get("id"))
        if as_dict(zone.get("attributes")).get(SYNTHETIC_ZONE) is True:
            synthetic.add(ident)
            continue
        model.boundaries[ident] = Boundary(id=ident, name=as_text(zone.get("name")) or ident,
                                           description=as_text(zone.get("description")),
                                           parent=as_text(as_dict(zone.get("parent")).get("trustZone"))
                                           or None)
    threats = {as_text(t.get("id")): t for t in dict_items(doc.get("threats"))}
    mitigations = {as_text(m.get("id")): m for m in dict_items(doc.get("mitigations"))}
    parents: dict[str, dict[str, Any]] = {}
    for component in dict_items(doc.get("components")):
        ident = as_text(component.get("id"))
        element = _component(component, ident, model, match)
        parents[ident] = as_dict(component.get("parent"))
        _instances(component, element.id, element.controls, threats, mitigations, model, match)
    for ident in sorted(parents):
        where = _zone(ident, parents, synthetic, model)
        if where:
            model.elements[ident].boundaries.append(where)
    for dataflow in dict_items(doc.get("dataflows")):
        ident = as_text(dataflow.get("id"))
        ends = [model.placeholder(as_text(dataflow.get(k)), "Process", f"dataflow '{ident}' names")
                for k in ("source", "destination")]
        flow = Flow(id=ident, name=as_text(dataflow.get("name")) or ident, source=ends[0].id,
                    target=ends[1].id, description=as_text(dataflow.get("description")),
                    carries=_known_assets(_strings(dataflow.get("assets")), model))
        model.flows[ident] = flow
        _instances(dataflow, ident, flow.controls, threats, mitigations, model, match)
    for boundary in model.boundaries.values():
        if boundary.parent and boundary.parent not in model.boundaries:
            model.warn(f"trust zone '{boundary.id}' has unknown parent '{boundary.parent}'")
            boundary.parent = None


def _component(component: dict[str, Any], ident: str, model: Model, match: Matcher) -> Element:
    declared = as_text(component.get("type"))
    ml_kinds = {k.lower(): str(k) for k in match.tables.section("ml_kinds")}
    bases = match.tables.table("ml_kinds")
    own = re.sub(r"^kgt:", "", declared).lower()
    ml_kind = ml_kinds.get(own)
    if ml_kind:
        kind = str(bases[own])
    elif own in ("externalentity", "process", "datastore"):
        kind = {"externalentity": "ExternalEntity", "process": "Process",
                "datastore": "DataStore"}[own]
    else:
        words = match.tables.patterns("otm", "kind_words", key="kind")
        rule = first_match(words, declared) or first_match(words, as_text(component.get("name")))
        kind = rule.value if rule else "Process"
    element = Element(id=ident, name=as_text(component.get("name")) or ident, kind=kind,
                      description=as_text(component.get("description")),
                      technology=(declared,) if declared else (),
                      tags=tuple(_strings(component.get("tags"))))
    if ml_kind:
        element.ml_kind, element.ml_reason = ml_kind, "declared by its OTM component type"
    held = as_dict(component.get("assets"))
    element.processes = _known_assets(_strings(held.get("processed")), model)
    element.stores = _known_assets(_strings(held.get("stored")), model)
    model.elements[ident] = element
    return element


def _zone(ident: str, parents: dict[str, dict[str, Any]], synthetic: set[str],
          model: Model) -> str | None:
    """The trust zone of a component, following parent components up."""
    seen = {ident}
    parent = parents.get(ident, {})
    while "component" in parent and "trustZone" not in parent:
        up = as_text(parent.get("component"))
        if up in seen or up not in parents:
            model.warn(f"component '{ident}' has parent component '{up}', which is not declared")
            return None
        seen.add(up)
        parent = parents[up]
    zone = as_text(parent.get("trustZone"))
    if not zone or zone in synthetic:
        return None
    if zone not in model.boundaries:
        model.warn(f"component '{ident}' is in trust zone '{zone}', which is not declared; "
                   "added a placeholder trust zone")
        model.boundaries[zone] = Boundary(id=zone, name=zone)
    return zone


def _known_assets(ids: list[str], model: Model) -> list[str]:
    for ident in ids:
        if ident not in model.assets:
            model.warn(f"asset '{ident}' is used but not declared; added a placeholder asset")
            model.assets[ident] = Asset(id=ident, name=ident)
    return ids


def _assets(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    bounds = match.tables.section("otm", "confidentiality")
    for asset in dict_items(doc.get("assets")):
        ident = as_text(asset.get("id"))
        name, description = as_text(asset.get("name")) or ident, as_text(asset.get("description"))
        score = as_dict(asset.get("risk")).get("confidentiality")
        sensitivity = None
        if isinstance(score, int | float):
            sensitivity = next((str(level) for bound, level in bounds if score < bound), None)
        model.assets[ident] = Asset(id=ident, name=name, description=description,
                                    sensitivity=sensitivity,
                                    personal=match.personal(name, description))


def _instances(owner: dict[str, Any], component: str, controls: set[str],
               threats: dict[str, dict[str, Any]], mitigations: dict[str, dict[str, Any]],
               model: Model, match: Matcher) -> None:
    """Threat instances on a component or dataflow: controls in place, decisions."""
    states = match.tables.table("otm", "threat_states")
    implemented = match.tables.words("otm", "implemented_mitigations")
    known_states = match.tables.words("otm", "mitigation_states")
    for instance in dict_items(owner.get("threats")):
        ref = as_text(instance.get("threat"))
        threat = threats.get(ref)
        if threat is None:
            model.warn(f"'{component}' refers to threat '{ref}', which is not declared")
            continue
        decision = match.enum(states, instance.get("state"), "threat state")
        done = []
        for used in dict_items(instance.get("mitigations")):
            match.known(known_states, used.get("state"), "mitigation state")
            if norm(used.get("state") or "") in implemented:
                mitigation = mitigations.get(as_text(used.get("mitigation")), {})
                done.append(as_text(mitigation.get("name")))
                exact = as_text(as_dict(mitigation.get("attributes")).get(EXPORTED_CONTROL))
                controls |= {exact.removeprefix(KGT)} if exact.startswith(KGT) else (
                    match.controls(as_text(mitigation.get("name")),
                                   as_text(mitigation.get("description"))))
        if decision is None and done and len(done) == len(dict_items(instance.get("mitigations"))):
            decision = "Mitigate"
        if decision is None:
            continue
        title = as_text(threat.get("name"))
        categories = _strings(threat.get("categories")) or [""]
        exact = as_text(as_dict(threat.get("attributes")).get(EXPORTED_THREAT))
        iri = exact or next((i for c in categories if (i := match.threat(
            c, title, as_text(threat.get("description")))) is not None), None)
        if iri is None:
            model.warn(f"threat '{ref}' ({title}): no catalog threat matches; its decision on "
                       f"'{component}' is not recorded")
            continue
        ident = f"{component}#{ref}"
        model.treatments[ident] = Treatment(
            id=ident, threat=iri, component=component, decision=decision, title=title,
            rationale="; ".join(d for d in done if d) or f"state '{instance.get('state')}' "
            "in the source model", owner=model.owner)
