"""Text and JSON renderings of catalog entries for ``kg-threat catalog``."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Final

from kg_threat.catalog.browse import Detail, Entry, Link
from kg_threat.errors import InputError

# The relations of `show`, in display order, with their headings.
SECTIONS: Final = (
    ("tactics", "tactics"),
    ("parent", "parent"),
    ("children", "sub-techniques"),
    ("techniques", "techniques"),
    ("mitigations", "ATLAS mitigations"),
    ("addresses", "addresses"),
    ("implemented_by", "implemented by controls"),
    ("controls", "mitigated by controls"),
    ("categories", "categories (crosswalk)"),
    ("related_techniques", "related ATLAS techniques (crosswalk)"),
    ("related_from", "related catalog entries (crosswalk)"),
    ("members", "catalog entries in this category (crosswalk)"),
    ("broader", "broader (NIST)"),
    ("narrower", "narrower (NIST)"),
    ("matches", "matches (crosswalk)"),
    ("related_matches", "related (crosswalk)"),
    ("matched_by", "matched by (crosswalk)"),
    ("applies_to", "applies to component kinds"),
    ("goals", "adversary goals"),
    ("uses_techniques", "techniques used"),
    ("case_studies", "ATLAS case studies using it"),
)


def entries(items: list[Entry], fmt: str) -> str:
    """A table (one line per entry) or a JSON array."""
    if fmt == "json":
        rows = [{"id": e.id, "label": e.label, "kind": e.kind, "catalog": e.catalog,
                 "iri": e.iri, "tactics": list(e.tactics)} for e in items]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt != "table":
        raise InputError(f"unknown format {fmt!r}", hint="use table or json")
    if not items:
        return "no matching entries\n"
    header = ("ID", "CATALOG", "KIND", "NAME")
    table = [header, *((e.id, e.catalog or "-", e.kind, e.label) for e in items)]
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3]
             for r in table]
    return "\n".join(line.rstrip() for line in lines) + f"\n{len(items)} entries\n"


def detail(item: Detail, fmt: str) -> str:
    """Everything known about one entry, as indented text or a JSON object."""
    if fmt == "json":
        data = {
            "id": item.entry.id, "label": item.entry.label, "kind": item.entry.kind,
            "catalog": item.entry.catalog, "iri": item.entry.iri,
            "definition": item.definition, "page": item.page,
            "likelihood": item.likelihood.lower() if item.likelihood else None,
            "impact": item.impact.lower() if item.impact else None,
            "maturity": item.maturity, "case_study_type": item.case_study_type,
            "relations": {name: [_link_json(k) for k in links]
                          for name, links in item.relations.items()},
            "steps": [asdict(s) for s in item.steps],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "text":
        raise InputError(f"unknown format {fmt!r}", hint="use text or json")
    e = item.entry
    out = [f"{e.id}  {e.label}", f"  kind: {e.kind}    catalog: {e.catalog or '-'}"]
    if item.definition:
        out.append(f"  definition: {item.definition}")
    if item.page:
        out.append(f"  page: {item.page}")
    levels = [f"{name}: {value}" for name, value in (
        ("base likelihood", item.likelihood), ("base impact", item.impact),
        ("maturity", item.maturity), ("type", item.case_study_type)) if value]
    if levels:
        out.append("  " + "    ".join(levels))
    for key, heading in SECTIONS:
        links = item.relations.get(key, ())
        if links:
            out.append(f"  {heading}:")
            out.extend(f"    {_link_text(k)}" for k in links)
    if item.steps:
        out.append("  procedure:")
        out.extend(f"    {s.number:>2}. {s.tactic}  {s.technique}  {s.label or ''}".rstrip()
                   for s in item.steps)
    return "\n".join(out) + "\n"


def _link_text(link: Link) -> str:
    text = " ".join(p for p in (link.id, link.label) if p) or link.iri
    if link.id is None and link.label is not None:
        text = f"{link.label} <{link.iri}>"
    if link.via:
        text += "  (our controls: " + ", ".join(label for _, label in link.via) + ")"
    if link.source:
        text += f"  [{link.source}]"
    return text


def _link_json(link: Link) -> dict[str, object]:
    return {"iri": link.iri, "id": link.id, "label": link.label,
            "controls": [iri for iri, _ in link.via], "source": link.source}
