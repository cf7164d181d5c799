"""Look up the bundled threat catalogs: list, search and show entries.

The ontology is read once into a pyoxigraph store; every question is a ``.rq`` file under
``queries/catalog/`` with its parameters bound, never formatted into the query text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from typing import Final

import pyoxigraph as ox

from kg_threat.errors import InputError
from kg_threat.load import load_ontology
from kg_threat.resources import data_dir

CATALOGS: Final = ("ATLAS", "OWASP-ML", "OWASP-LLM", "STRIDE", "LINDDUN", "ML")
# How the provenance of a crosswalk (kgt:crosswalkSource) is shown.
_SOURCES: Final = {"PublishedCrosswalk": "published", "KgThreatCrosswalk": "ours"}
KINDS: Final = ("tactic", "technique", "sub-technique", "mitigation", "case-study", "owasp-ml",
                "owasp-llm", "stride", "linddun", "ml-class", "nist")


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalog entry as listed."""

    id: str
    label: str
    kind: str
    catalog: str | None
    iri: str
    tactics: tuple[str, ...] = ()
    order: int = 0


@dataclass(frozen=True, slots=True)
class Link:
    """An entry related to the shown one."""

    iri: str
    id: str | None
    label: str | None
    via: tuple[tuple[str, str], ...] = ()  # controls implementing a mitigation: (IRI, label)
    source: str | None = None  # crosswalk provenance, when recorded


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    technique: str
    label: str | None
    tactic: str


@dataclass(frozen=True, slots=True)
class Detail:
    """Everything ``catalog show`` tells about one entry."""

    entry: Entry
    definition: str | None
    page: str | None
    likelihood: str | None
    impact: str | None
    maturity: str | None
    case_study_type: str | None
    relations: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()


@cache
def _query_text(name: str) -> str:
    return (data_dir("queries") / "catalog" / f"{name}.rq").read_text(encoding="utf-8")


def _value(term: object) -> str | None:
    if term is None:
        return None
    return str(getattr(term, "value", term))


def _local(iri: str | None) -> str | None:
    if iri is None:
        return None
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Catalog:
    """The catalogs of one loaded ontology."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def bundled(cls) -> Catalog:
        """The catalogs of the ontology shipped with kg-threat."""
        store = ox.Store()
        load_ontology(store)
        return cls(store)

    def _select(self, name: str, **params: ox.NamedNode | ox.Literal) -> list[ox.QuerySolution]:
        bindings: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in params.items()}
        result = self._store.query(_query_text(name), use_default_graph_as_union=True,
                                   substitutions=bindings or None)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def entries(self, *, catalog: str | None = None, tactic: str | None = None,
             text: str | None = None, kind: str | None = None) -> list[Entry]:
        """Entries sorted by kind and id, filtered as asked; unknown filter values are errors."""
        params: dict[str, ox.NamedNode | ox.Literal] = {}
        if catalog is not None:
            if catalog.upper() not in CATALOGS:
                raise InputError(f"unknown catalog {catalog!r}",
                                 hint="use one of " + ", ".join(CATALOGS))
            params["catalogQuery"] = ox.Literal(catalog)
        if kind is not None:
            if kind.lower() not in KINDS:
                raise InputError(f"unknown kind {kind!r}", hint="use one of " + ", ".join(KINDS))
            params["kindQuery"] = ox.Literal(kind)
        if tactic is not None:
            if not self._select("entries", kindQuery=ox.Literal("tactic"),
                                tacticQuery=ox.Literal(tactic)) and not self._is_tactic(tactic):
                raise InputError(f"unknown ATLAS tactic {tactic!r}",
                                 hint=self._suggest(tactic, "tactic") or
                                 "`kg-threat catalog list --kind tactic` lists them")
            params["tacticQuery"] = ox.Literal(tactic)
        if text:
            params["textQuery"] = ox.Literal(text)
        return self._entries(self._select("entries", **params))

    def _is_tactic(self, text: str) -> bool:
        wanted = text.casefold()
        return any(wanted in (e.id.casefold(), e.label.casefold())
                   for e in self.entries(kind="tactic"))

    def search(self, text: str) -> list[Entry]:
        """Entries whose id or name contains every word of ``text`` (any case)."""
        words = text.split()
        if not words:
            raise InputError("search: give at least one word")
        found = {e.iri: e for e in self.entries(text=words[0])}
        for word in words[1:]:
            keep = {e.iri for e in self.entries(text=word)}
            found = {k: v for k, v in found.items() if k in keep}
        return sorted(found.values(), key=_sort_key)

    def resolve(self, ident: str) -> Entry:
        """The entry with this public id (any case), or an error suggesting close ids."""
        wanted = ident.strip().casefold()
        matches = [e for e in self.entries() if e.id.casefold() == wanted]
        if not matches:
            raise InputError(f"unknown catalog id {ident!r}",
                             hint=self._suggest(ident, None) or
                             "`kg-threat catalog search WORD` finds ids by name")
        return matches[0]

    def _suggest(self, ident: str, kind: str | None) -> str | None:
        entries = self.entries(kind=kind)
        by_key: dict[str, str] = {}
        for e in entries:
            by_key.setdefault(e.id.casefold(), e.id)
            by_key.setdefault(e.label.casefold(), e.id)
        wanted = ident.strip().casefold()
        prefixed = sorted(k for k in by_key if k.startswith(wanted) and len(wanted) >= 3)
        close = difflib.get_close_matches(wanted, list(by_key), n=8, cutoff=0.6)
        ids = list(dict.fromkeys(by_key[c] for c in [*prefixed, *close]))[:5]
        return "did you mean " + ", ".join(ids) + "?" if ids else None

    def show(self, ident: str) -> Detail:
        """The entry with this id and everything linked to it."""
        entry = self.resolve(ident)
        node = ox.NamedNode(entry.iri)
        facts = sorted(self._select("facts", entry=node),
                       key=lambda s: tuple(_value(s[v]) or "" for v in ("definition", "page")))
        first = facts[0] if facts else None

        def fact(name: str) -> str | None:
            return _value(first[name]) if first is not None else None

        return Detail(
            entry=entry,
            definition=fact("definition"),
            page=fact("page"),
            likelihood=_local(fact("likelihood")),
            impact=_local(fact("impact")),
            maturity=fact("maturity"),
            case_study_type=fact("caseStudyType"),
            relations=self._relations(node),
            steps=tuple(
                Step(int(_value(s["number"]) or 0), _value(s["techniqueId"]) or "",
                     _value(s["techniqueLabel"]), _value(s["tacticId"]) or "")
                for s in self._select("steps", entry=node)
            ),
        )

    def _relations(self, node: ox.NamedNode) -> dict[str, tuple[Link, ...]]:
        grouped: dict[str, dict[str, tuple[str | None, str | None, set[tuple[str, str]],
                                           str | None]]] = {}
        for s in self._select("relations", entry=node):
            relation = _value(s["relation"]) or ""
            other = _value(s["other"]) or ""
            slot = grouped.setdefault(relation, {}).setdefault(
                other, (_value(s["otherId"]), _value(s["otherLabel"]), set(), None))
            via = _value(s["via"])
            if via is not None:
                slot[2].add((via, _value(s["viaLabel"]) or _local(via) or via))
            source = _SOURCES.get(_local(_value(s["source"])) or "", _local(_value(s["source"])))
            if source is not None and slot[3] is None:
                grouped[relation][other] = (slot[0], slot[1], slot[2], source)
        out: dict[str, tuple[Link, ...]] = {}
        for relation in sorted(grouped):
            links = [Link(iri, ident, label, tuple(sorted(via)), source)
                     for iri, (ident, label, via, source) in grouped[relation].items()]
            out[relation] = tuple(sorted(links, key=lambda k: (k.id or k.iri, k.iri)))
        return out

    @staticmethod
    def _entries(solutions: list[ox.QuerySolution]) -> list[Entry]:
        entries = [
            Entry(
                id=_value(s["id"]) or "",
                label=_value(s["label"]) or "",
                kind=_value(s["kind"]) or "",
                catalog=_value(s["catalog"]),
                iri=_value(s["entry"]) or "",
                tactics=tuple(sorted((_value(s["tactics"]) or "").split())),
                order=int(_value(s["order"]) or 0),
            )
            for s in solutions
        ]
        return sorted(entries, key=_sort_key)


def _sort_key(entry: Entry) -> tuple[int, str, str]:
    return (entry.order, entry.id, entry.iri)
