"""Run the report's SPARQL queries (``queries/report/*.rq``) and hand back plain rows.

Each kind of data is fetched with one query over the whole store and grouped in Python, so
the cost of a report grows with the size of the system, not with findings times queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg_threat.resources import data_dir


class Value(NamedTuple):
    """An RDF term reduced to what a document needs: its text and whether it is a node."""

    text: str
    is_iri: bool
    is_blank: bool
    language: str


def report_queries_dir() -> Path:
    """The folder of the report's queries."""
    return data_dir("queries") / "report"


@cache
def query_text(name: str) -> str:
    """The text of the bundled query ``name`` (file ``name.rq``)."""
    return (report_queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


def _value(term: object) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(term.value, True, False, "")
    if isinstance(term, ox.BlankNode):
        return Value("_:" + term.value, False, True, "")
    if isinstance(term, ox.Literal):
        return Value(term.value, False, False, term.language or "")
    return Value(str(term), False, False, "")


def select(
    store: ox.Store, name: str, bindings: Mapping[str, str] | None = None
) -> Iterator[dict[str, Value]]:
    """Rows of the bundled SELECT query ``name``; ``bindings`` map variables to IRIs.

    Unbound variables are absent from a row. The store's named graphs are seen as part of the
    default graph (system, ontology, inferences, findings).
    """
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): ox.NamedNode(v) for k, v in (bindings or {}).items()
    }
    solutions = store.query(
        query_text(name), use_default_graph_as_union=True, substitutions=substitutions
    )
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [v.value for v in solutions.variables]
    for solution in solutions:  # its values, in the order of the variables
        yield {var: _value(term) for var, term in zip(variables, solution, strict=True)
               if term is not None}


def superclasses(store: ox.Store) -> dict[str, frozenset[str]]:
    """Every named class → its superclasses, itself included (``class-hierarchy.rq``)."""
    found: dict[str, set[str]] = {}
    for row in select(store, "class-hierarchy"):
        found.setdefault(row["type"].text, {row["type"].text}).add(row["class"].text)
    return {cls: frozenset(supers) for cls, supers in found.items()}


def most_specific(types: set[str], supers: dict[str, frozenset[str]]) -> set[str]:
    """``types`` without those that are a superclass of another one of them."""
    implied = {s for t in types for s in supers.get(t, ()) if s != t}
    return types - implied
