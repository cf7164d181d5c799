"""Import a Threagile YAML model (``threagile_version: 1.0.0``)."""

from __future__ import annotations

import re
from typing import Any

from kg_threat.interop.matching import Matcher
from kg_threat.interop.records import Asset, Boundary, Element, Flow, Model, Treatment
from kg_threat.interop.rules import norm
from kg_threat.interop.tree import as_text
from kg_threat.vocab import KGT


def _items(node: Any, model: Model, where: str) -> list[tuple[str, dict[str, Any]]]:
    """The (title, body) pairs of a Threagile section; bodies that are not mappings are skipped."""
    if node is None:
        return []
    if not isinstance(node, dict):
        model.warn(f"{where}: expected a mapping of titles to entries; skipped")
        return []
    out = []
    for title, body in node.items():
        if isinstance(body, dict):
            out.append((str(title), body))
        else:
            model.warn(f"{where}: entry '{title}' is not a mapping; skipped")
    return out


def _ids(node: Any) -> list[str]:
    return [str(v) for v in node] if isinstance(node, list) else []


def read(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """Fill ``model`` from a parsed Threagile document."""
    tables = match.tables
    kinds = tables.table("threagile", "kinds")
    model.title = as_text(doc.get("title"))
    author = doc.get("author")
    if isinstance(author, dict) and author.get("name"):
        model.owner = as_text(author["name"])
    for person in doc.get("contributors") or []:
        if isinstance(person, dict) and person.get("name"):
            model.stakeholders.append(as_text(person["name"]))
    overview = doc.get("business_overview")
    if isinstance(overview, dict):
        model.description = as_text(overview.get("description"))

    confidentiality = tables.table("threagile", "confidentiality")
    for title, body in _items(doc.get("data_assets"), model, "data_assets"):
        ident = as_text(body.get("id")) or title
        description = as_text(body.get("description"))
        justification = as_text(body.get("justification_cia_rating"))
        model.assets[ident] = Asset(
            id=ident, name=title, description=description,
            sensitivity=match.enum(confidentiality, body.get("confidentiality"),
                                   f"confidentiality of data asset '{ident}'"),
            personal=match.personal(title, description, justification),
        )

    technologies = tables.words("threagile", "technologies")
    encryption = tables.table("threagile", "encryption")
    links: list[tuple[str, str, dict[str, Any]]] = []
    for title, body in _items(doc.get("technical_assets"), model, "technical_assets"):
        ident = as_text(body.get("id")) or title
        kind = match.enum(kinds, body.get("type"), f"type of technical asset '{ident}'", "Process")
        technology = [as_text(body.get("technology"))] if body.get("technology") else []
        technology += [as_text(t) for t in body.get("technologies") or [] if t]
        for tech in technology:
            match.known(technologies, tech, f"technology of technical asset '{ident}'")
        tags = [as_text(t) for t in body.get("tags") or [] if t]
        if body.get("used_as_client_by_human") is True:
            tags.append("human")
        element = Element(id=ident, name=title, kind=kind or "Process",
                          description=as_text(body.get("description")),
                          technology=tuple(technology), tags=tuple(tags),
                          public=body.get("internet") if isinstance(body.get("internet"), bool)
                          else None)
        if body.get("out_of_scope") is True:
            element.out_of_scope = as_text(body.get("justification_out_of_scope"))
        control = match.enum(encryption, body.get("encryption"), f"encryption of '{ident}'")
        if control:
            element.controls.add(control)
        element.processes = _ids(body.get("data_assets_processed"))
        element.stores = _ids(body.get("data_assets_stored"))
        if ident in model.elements:
            model.warn(f"technical asset id '{ident}' is declared twice; the last one is kept")
        model.elements[ident] = element
        for name, link in _items(body.get("communication_links"), model,
                                 f"communication_links of '{ident}'"):
            links.append((ident, name, link))

    for element in model.elements.values():
        for asset in (*element.processes, *element.stores):
            if asset not in model.assets:
                model.warn(f"technical asset '{element.id}' names data asset '{asset}', "
                           "which is not declared; added a placeholder asset")
                model.assets[asset] = Asset(id=asset, name=asset)

    _links(links, model, match)
    _boundaries(doc, model, match)
    _tracking(doc, model, match)


def _links(links: list[tuple[str, str, dict[str, Any]]], model: Model, match: Matcher) -> None:
    tables = match.tables
    protocols = tables.table("threagile", "protocols")
    authentication = tables.table("threagile", "authentication")
    authorization = tables.table("threagile", "authorization")
    for source, name, link in links:
        ident = f"{source}>{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"
        target = as_text(link.get("target"))
        model.placeholder(target, "Process", f"communication link '{ident}' targets")
        flow = Flow(id=ident, name=name, source=source, target=target,
                    description=as_text(link.get("description")))
        for value, table, what in (
            (link.get("protocol"), protocols, "protocol"),
            (link.get("authentication"), authentication, "authentication"),
            (link.get("authorization"), authorization, "authorization"),
        ):
            control = match.enum(table, value, f"{what} of link '{ident}'")
            if control:
                flow.controls.add(control)
        carried = [*_ids(link.get("data_assets_sent")), *_ids(link.get("data_assets_received"))]
        flow.carries = sorted(set(carried))
        for asset in flow.carries:
            if asset not in model.assets:
                model.warn(f"link '{ident}' carries data asset '{asset}', which is not declared; "
                           "added a placeholder asset")
                model.assets[asset] = Asset(id=asset, name=asset)
        model.flows[ident] = flow


def _boundaries(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    types = match.tables.words("threagile", "boundary_types")
    nested: list[tuple[str, str]] = []
    for title, body in _items(doc.get("trust_boundaries"), model, "trust_boundaries"):
        ident = as_text(body.get("id")) or title
        match.known(types, body.get("type"), f"type of trust boundary '{ident}'")
        model.boundaries[ident] = Boundary(id=ident, name=title,
                                           description=as_text(body.get("description")))
        for member in _ids(body.get("technical_assets_inside")):
            element = model.placeholder(member, "Process", f"trust boundary '{ident}' lists")
            element.boundaries.append(ident)
        nested += [(child, ident) for child in _ids(body.get("trust_boundaries_nested"))]
    for child, parent in nested:
        if child in model.boundaries:
            model.boundaries[child].parent = parent
        else:
            model.warn(f"trust boundary '{parent}' nests '{child}', which is not declared")


def _tracking(doc: dict[str, Any], model: Model, match: Matcher) -> None:
    """``risk_tracking`` entries with a decision become treatments of the named components."""
    categories = match.tables.table("threagile", "risk_categories")
    for _title, body in _items(doc.get("individual_risk_categories"), model,
                               "individual_risk_categories"):
        threat = match.threat(as_text(body.get("stride")), as_text(body.get("id")))
        if threat and body.get("id"):
            categories[norm(body["id"])] = threat.removeprefix(KGT)
    decisions = match.tables.table("threagile", "decisions")
    tracking = doc.get("risk_tracking") or {}
    for risk_id, body in _items(tracking, model, "risk_tracking"):
        decision = match.enum(decisions, body.get("status"), f"status of tracked risk '{risk_id}'")
        if decision is None:
            continue
        category, *parts = risk_id.split("@")
        local = categories.get(norm(category))
        if local is None:
            model.warn(f"tracked risk '{risk_id}': unknown risk category '{category}'; skipped")
            continue
        components = [p for p in parts if p in model.elements or p in model.flows]
        if not components:
            model.warn(f"tracked risk '{risk_id}' names no technical asset by id (wildcards "
                       "are not expanded); no treatment recorded")
            continue
        for component in components:
            ident = f"{risk_id}#{component}" if len(components) > 1 else risk_id
            model.treatments[ident] = Treatment(
                id=ident, threat=KGT + local, component=component, decision=decision,
                title=risk_id, rationale=as_text(body.get("justification")),
                owner=as_text(body.get("checked_by")) or model.owner,
            )
