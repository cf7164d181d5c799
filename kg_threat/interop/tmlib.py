"""Import a model of the OWASP Threat Model Library (JSON)."""

from __future__ import annotations

from typing import Any

from kg_threat.interop.matching import Matcher
from kg_threat.interop.records import Asset, Boundary, Element, Flow, Model, Treatment
from kg_threat.interop.rules import norm
from kg_threat.interop.tree import as_dict, as_text, dict_items

_SECTIONS = (("actors", "actor"), ("components", "component"), ("data_stores", "data store"))
_ORDER = ("PublicData", "InternalData", "Confidential", "Restricted")


def read(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """Fill ``model`` from a parsed Threat Model Library document."""
    tables = match.tables
    scope = as_dict(doc.get("scope"))
    model.title = as_text(scope.get("title")) or as_text(doc.get("description"))
    model.description = as_text(doc.get("description")) or as_text(scope.get("description"))
    model.reviewed_on = as_text(doc.get("reviewed_at")) or None
    for zone in dict_items(doc.get("trust_zones")):
        ident = as_text(zone.get("symbolic_name"))
        model.boundaries[ident] = Boundary(id=ident, name=as_text(zone.get("title")) or ident,
                                           description=as_text(zone.get("description")))
    kinds = tables.table("threat_model_library", "kinds")
    declared: dict[str, str] = {}
    for section, ref_type in _SECTIONS:
        for item in dict_items(doc.get(section)):
            ident = as_text(item.get("symbolic_name"))
            declared[ident] = ref_type
            element = Element(id=ident, name=as_text(item.get("title")) or ident,
                              kind=str(kinds[ref_type]),
                              description=as_text(item.get("description")),
                              technology=tuple(t for t in (as_text(item.get("type")),) if t))
            where = as_text(item.get("trust_zone"))
            if where:
                if where not in model.boundaries:
                    model.warn(f"{ref_type} '{ident}' is in trust zone '{where}', which is not "
                               "declared; added a placeholder trust zone")
                    model.boundaries[where] = Boundary(id=where, name=where)
                element.boundaries.append(where)
            model.elements[ident] = element
    _data_sets(doc, model, match)
    for flow in dict_items(doc.get("data_flows")):
        ident = as_text(flow.get("symbolic_name"))
        ends = [_end(as_dict(flow.get(k)), ident, declared, kinds, model)
                for k in ("source", "destination")]
        model.flows[ident] = Flow(id=ident, name=as_text(flow.get("title")) or ident,
                                  source=ends[0], target=ends[1],
                                  description=as_text(flow.get("description")),
                                  controls={"EncryptionInTransit"} if flow.get("encrypted") is True
                                  else set())
    _controls(doc, model, match)


def _end(ref: dict[str, Any], flow: str, declared: dict[str, str],
         kinds: dict[str, str | None], model: Model) -> str:
    ident, ref_type = as_text(ref.get("object")), norm(ref.get("type") or "")
    kind = kinds.get(ref_type)
    if kind is None:
        model.warn(f"data flow '{flow}': unknown endpoint type '{ref.get('type')}'")
        kind = "Process"
    if ident in declared and declared[ident] != ref_type:
        model.warn(f"data flow '{flow}' uses '{ident}' as a {ref_type}, but it is declared as "
                   f"a {declared[ident]}; the declared kind is kept")
    return model.placeholder(ident, str(kind), f"data flow '{flow}' names").id


def _data_sets(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    levels = match.tables.table("threat_model_library", "sensitivity")
    personal_codes = match.tables.words("threat_model_library", "personal")
    for data_set in dict_items(doc.get("data_sets")):
        ident = as_text(data_set.get("symbolic_name"))
        codes = [str(c) for c in data_set.get("data_sensitivity") or []]
        found = [match.enum(levels, c, f"data sensitivity of '{ident}'") for c in codes]
        ranked = sorted((_ORDER.index(f) for f in found if f in _ORDER), reverse=True)
        name = as_text(data_set.get("title")) or ident
        description = as_text(data_set.get("description"))
        personal = True if any(norm(c) in personal_codes for c in codes) else match.personal(
            name, description)
        model.assets[ident] = Asset(id=ident, name=name, description=description,
                                    sensitivity=_ORDER[ranked[0]] if ranked else None,
                                    personal=personal)
        for placement in dict_items(data_set.get("placements")):
            store = model.placeholder(as_text(placement.get("data_store")), "DataStore",
                                      f"data set '{ident}' is placed in")
            store.stores.append(ident)
            if placement.get("encrypted") is True:
                store.controls.add("EncryptionAtRest")


def _controls(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """Controls in place: our matching controls on the affected parts, and mitigations."""
    tables = match.tables
    in_place = tables.words("threat_model_library", "controls_in_place")
    statuses = tables.words("threat_model_library", "control_statuses")
    threats = {as_text(t.get("symbolic_name")): t for t in dict_items(doc.get("threats"))}
    for control in dict_items(doc.get("controls")):
        name = as_text(control.get("title")) or as_text(control.get("symbolic_name"))
        match.known(statuses, control.get("status"), f"status of control '{name}'")
        if norm(control.get("status") or "") not in in_place:
            continue
        ours = match.controls(name, as_text(control.get("description")))
        for ref in [str(t) for t in control.get("threats") or []]:
            threat = threats.get(ref)
            if threat is None:
                model.warn(f"control '{name}' refers to threat '{ref}', which is not declared")
                continue
            title = as_text(threat.get("title"))
            iri = match.threat(None, title, as_text(threat.get("description")))
            for component in [str(c) for c in threat.get("components_affected") or []]:
                if component not in model.elements:
                    model.warn(f"threat '{ref}' affects '{component}', which is not declared")
                    continue
                model.elements[component].controls |= ours
                if iri is None:
                    continue
                ident = f"{ref}@{component}"
                treatment = model.treatments.get(ident)
                if treatment is None:
                    model.treatments[ident] = Treatment(
                        id=ident, threat=iri, component=component, decision="Mitigate",
                        title=title, rationale=name, owner=model.owner)
                else:
                    treatment.rationale += f"; {name}"
