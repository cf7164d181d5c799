"""Read a system back from the working store for export (SPARQL files under ``queries/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from kg_threat.interop.emit import IMPLICIT_ZONE
from kg_threat.vocab import local_name

_QUERIES = Path(__file__).resolve().parent / "queries"
_BASE = ("ExternalEntity", "Process", "DataStore")


@dataclass
class Part:
    """A component of the exported system: element, flow or boundary."""

    iri: str
    ident: str
    label: str
    kind: str = ""  # ExternalEntity | Process | DataStore | DataFlow | TrustBoundary
    ml_kind: str | None = None
    description: str = ""
    source: str = ""  # flows: IRI of the source element
    target: str = ""
    boundaries: list[str] = field(default_factory=list)  # IRIs
    implicit: bool = False


@dataclass
class SystemView:
    """The system as the exporters need it, sorted by id."""

    title: str = "kg-threat model"
    description: str = ""
    owner: str = ""
    elements: dict[str, Part] = field(default_factory=dict)
    flows: dict[str, Part] = field(default_factory=dict)
    boundaries: dict[str, Part] = field(default_factory=dict)


def _rows(store: ox.Store, name: str, **bindings: ox.NamedNode) -> list[dict[str, Any]]:
    query = (_QUERIES / name).read_text(encoding="utf-8")
    result = store.query(query, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (row[n].value if row[n] is not None else None) for n in names}
            for row in result]  # type: ignore[union-attr]


def term_label(store: ox.Store, iri: str) -> str:
    """A term's label, else its local name."""
    labels = sorted(str(r["label"]) for r in _rows(store, "labels.rq", term=ox.NamedNode(iri)))
    return labels[0] if labels else local_name(iri)


def _ident(iri: str, ident: str | None, taken: set[str]) -> str:
    """The source id if the model kept one, else the IRI's local name (made unique)."""
    value = ident or unquote(local_name(iri)) or iri
    candidate, n = value, 1
    while candidate in taken:
        n += 1
        candidate = f"{value}-{n}"
    taken.add(candidate)
    return candidate


def extract(store: ox.Store) -> SystemView:
    """The system in ``store`` (default graph, plus what the analysis inferred)."""
    view = SystemView()
    for row in sorted(_rows(store, "system.rq"), key=lambda r: str(r["s"])):
        view.title = str(row["label"] or view.title)
        view.description = str(row["description"] or "")
        view.owner = str(row["owner"] or "")
        break
    taken: set[str] = set()
    parts: dict[str, Part] = {}
    for row in sorted(_rows(store, "components.rq"), key=lambda r: (str(r["c"]), str(r["kind"]))):
        iri, kind = str(row["c"]), local_name(str(row["kind"]))
        part = parts.get(iri)
        if part is None:
            part = parts[iri] = Part(iri=iri, ident="", label=str(row["label"] or ""),
                                     description=str(row["description"] or ""))
            part.ident = str(row["ident"] or "")
        if kind in _BASE:
            part.kind = part.kind or kind
        else:
            part.ml_kind = part.ml_kind or kind
    bases = _ml_bases()
    for part in sorted(parts.values(), key=lambda p: p.iri):
        part.kind = part.kind or bases.get(part.ml_kind or "", "Process")
        part.ident = _ident(part.iri, part.ident or None, taken)
        part.label = part.label or part.ident
        view.elements[part.iri] = part
    for row in sorted(_rows(store, "flows.rq"), key=lambda r: str(r["f"])):
        iri = str(row["f"])
        if iri in view.flows or str(row["from"]) not in parts or str(row["to"]) not in parts:
            continue
        ident = _ident(iri, row["ident"], taken)
        view.flows[iri] = Part(iri=iri, ident=ident, label=str(row["label"] or ident),
                               kind="DataFlow", description=str(row["description"] or ""),
                               source=str(row["from"]), target=str(row["to"]))
    for row in sorted(_rows(store, "boundaries.rq"), key=lambda r: str(r["b"])):
        iri = str(row["b"])
        if iri in view.boundaries:
            continue
        ident = _ident(iri, row["ident"], taken)
        view.boundaries[iri] = Part(iri=iri, ident=ident, label=str(row["label"] or ident),
                                    kind="TrustBoundary", implicit=row["type"] == IMPLICIT_ZONE)
    for row in sorted(_rows(store, "inside.rq"), key=lambda r: (str(r["c"]), str(r["b"]))):
        c, b = str(row["c"]), str(row["b"])
        if b in view.boundaries and not view.boundaries[b].implicit and c in view.elements:
            view.elements[c].boundaries.append(b)
    return view


def _ml_bases() -> dict[str, str]:
    from kg_threat.interop.rules import Tables

    section = Tables().section("ml_kinds")
    return {str(k): str(v) for k, v in section.items()}
