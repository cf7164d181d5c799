"""Turn the engine's SPARQL queries into SPARQL Updates that run inside a remote store.

The local engine runs ``CONSTRUCT`` rules (``queries/rules/*.rq``) and ``SELECT DISTINCT
?member`` target-class steps (:func:`kg_threat.rules.plan`) over the union of its graphs and
adds their answers to a named graph. In a store, the same query becomes one ``INSERT``::

    PREFIX …                                  # the query's own prefixes
    INSERT { GRAPH <target> { template } }    # the CONSTRUCT template, or ?member a <C>
    USING <g1> USING <g2> …                   # the graphs the query reads, merged
    USING NAMED <urn:kg-threat:graph:ontology>
    WHERE { VALUES ?param { <iri> } { … } }   # the query's WHERE group, unchanged

The transformation is lexical and checked by a parser:

* the query is parsed with rdflib (:func:`rdflib.plugins.sparql.prepareQuery`); its form,
  its dataset clause (none allowed) and, for ``CONSTRUCT``, its template come from the
  algebra. The template is written back term by term through pyoxigraph, which refuses
  anything that is not a valid IRI, literal or variable;
* the ``WHERE`` group is copied verbatim: a small tokenizer (IRIs, strings, comments,
  braces) finds the prologue before the query form and the top-level ``{…}`` groups after it;
  nothing may follow the ``WHERE`` group (no solution modifiers);
* parameters (``$adversary``) are bound with an inline ``VALUES`` block joined to the group,
  never written into the group's text; the value is a :class:`pyoxigraph.NamedNode`.

``USING`` makes the merge of the listed graphs the default graph of the ``WHERE`` clause, as
``use_default_graph_as_union`` does locally; ``USING NAMED`` keeps ``GRAPH <ontology> {…}``
patterns (rule ``05-super-properties.rq``) working.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from kg_threat.errors import KgThreatError

_TOKEN: Final = re.compile(
    r"""
    (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<comment>\#[^\n\r]*)
  | (?P<open>\{) | (?P<close>\})
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<word>[A-Za-z_][\w.\-]*(?::[\w.\-%:]*)?|:[\w.\-%:]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS: Final = frozenset({"CONSTRUCT", "SELECT", "ASK", "DESCRIBE"})


class RuleTranslationError(KgThreatError):
    """A bundled query cannot be run as an in-store update (a construct it does not support)."""


@dataclass(frozen=True, slots=True)
class QueryParts:
    """The pieces of a query the update is made of."""

    prefixes: tuple[tuple[str, str], ...]  # (name:, <iri>) of the PREFIX declarations
    form: str  # CONSTRUCT or SELECT
    where: str  # the WHERE group, braces included, verbatim
    projected: tuple[str, ...]  # SELECT: the projected variable names
    variables: frozenset[str]  # the variables the WHERE group mentions


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]


def split(text: str) -> QueryParts:
    """Split a ``CONSTRUCT {…} WHERE {…}`` or ``SELECT … WHERE {…}`` query into its parts."""
    tokens = [(kind, value) for kind, value in _tokens(text) if kind != "comment"]
    depth, form_at = 0, None
    groups: list[tuple[int, int]] = []  # token index ranges of the top-level groups
    start = 0
    for i, (kind, value) in enumerate(tokens):
        if kind == "open":
            if depth == 0:
                start = i
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                raise RuleTranslationError("unbalanced braces")
            if depth == 0:
                groups.append((start, i + 1))
        elif kind == "word" and depth == 0 and form_at is None and value.upper() in _FORMS:
            form_at = i
    if form_at is None or depth != 0:
        raise RuleTranslationError("not a SPARQL query with a WHERE group")
    form = tokens[form_at][1].upper()
    wanted = 2 if form == "CONSTRUCT" else 1
    if form not in ("CONSTRUCT", "SELECT") or len(groups) != wanted:
        raise RuleTranslationError(f"expected CONSTRUCT {{…}} WHERE {{…}} or SELECT … WHERE {{…}}, got {form}")
    where_from, where_to = groups[-1]
    between = tokens[groups[0][1] if form == "CONSTRUCT" else form_at + 1:where_from]
    words = [v.upper() for k, v in between if k == "word"]
    trailing = [v for k, v in tokens[where_to:] if k != "space"]
    if trailing or any(w not in ("WHERE", "DISTINCT", "REDUCED") for w in words):
        raise RuleTranslationError("dataset clauses and solution modifiers are not supported")
    projected = tuple(v[1:] for k, v in between if k == "var")
    if form == "SELECT" and len(projected) != 1:
        raise RuleTranslationError("a target-class step must project exactly one variable")
    return QueryParts(
        prefixes=_prefixes(tokens[:form_at]),
        form=form,
        where="".join(v for _, v in tokens[where_from:where_to]),
        projected=projected,
        variables=frozenset(v[1:] for k, v in tokens[where_from:where_to] if k == "var"),
    )


@dataclass(frozen=True, slots=True)
class Operation:
    """One update operation and the prefixes its text uses."""

    body: str
    prefixes: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        """The operation as a request of its own."""
        return merge([self])


def _prefixes(tokens: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The PREFIX declarations; anything else before the query form (BASE) is refused."""
    words = [(k, v) for k, v in tokens if k != "space"]
    found = []
    for i in range(0, len(words), 3):
        decl = words[i:i + 3]
        if (len(decl) != 3 or decl[0][1].upper() != "PREFIX" or not decl[1][1].endswith(":")
                or decl[2][0] != "iri"):
            raise RuleTranslationError("only PREFIX declarations may precede the query form")
        found.append((decl[1][1], decl[2][1]))
    return tuple(found)


def merge(operations: Sequence[Operation]) -> str:
    """One update request of several operations, their PREFIX declarations first.

    (Oxigraph does not accept a prologue after the ``;`` between operations.) A prefix
    declared twice must name the same IRI.
    """
    prefixes: dict[str, str] = {}
    for op in operations:
        for name, value in op.prefixes:
            if prefixes.setdefault(name, value) != value:
                raise RuleTranslationError(f"prefix {name} is declared as {prefixes[name]} and as {value}")
    declared = "".join(f"PREFIX {n} {v}\n" for n, v in sorted(prefixes.items()))
    return declared + " ;\n".join(op.body for op in operations)


Term = ox.NamedNode | ox.Literal | ox.Variable | ox.BlankNode


def _ox_term(term: object) -> Term:
    """An rdflib term of a CONSTRUCT template as a (validated) pyoxigraph term."""
    from rdflib.term import BNode, Literal, URIRef, Variable

    if isinstance(term, Variable):
        return ox.Variable(str(term))
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise RuleTranslationError(f"unsupported term in a CONSTRUCT template: {term!r}")


def template_of(text: str) -> list[tuple[Term, Term, Term]]:
    """The template of a CONSTRUCT query, from rdflib's algebra of the query."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        raise RuleTranslationError(f"cannot parse the rule: {exc}") from None
    if algebra.name != "ConstructQuery" or algebra.get("datasetClause"):
        raise RuleTranslationError("a derivation rule must be a CONSTRUCT without FROM clauses")
    return [(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in algebra.template]


def _where(where: str, bindings: Mapping[str, ox.NamedNode]) -> str:
    if not bindings:
        return where
    names = sorted(bindings)
    variables = " ".join(str(ox.Variable(n)) for n in names)
    values = " ".join(str(bindings[n]) for n in names)
    return f"{{ VALUES ({variables}) {{ ({values}) }}\n{where} }}"


def insert(
    parts: QueryParts,
    template: Sequence[tuple[Term, Term, Term]],
    target: ox.NamedNode,
    reads: Sequence[ox.NamedNode],
    named: Sequence[ox.NamedNode],
    bindings: Mapping[str, ox.NamedNode] | None = None,
) -> Operation:
    """The ``INSERT … USING … WHERE`` update for ``parts`` writing ``template`` into ``target``."""
    triples = " ".join(f"{s} {p} {o} ." for s, p, o in template)
    using = " ".join([f"USING {g}" for g in reads] + [f"USING NAMED {g}" for g in named])
    where = _where(parts.where, {n: v for n, v in (bindings or {}).items() if n in parts.variables})
    return Operation(f"INSERT {{ GRAPH {target} {{ {triples} }} }}\n{using}\nWHERE {where}", parts.prefixes)


def rule_update(
    text: str, target: ox.NamedNode, reads: Sequence[ox.NamedNode], named: Sequence[ox.NamedNode],
    bindings: Mapping[str, ox.NamedNode] | None = None,
) -> Operation:
    """A CONSTRUCT rule as an update adding its triples to ``target``."""
    parts = split(text)
    if parts.form != "CONSTRUCT":
        raise RuleTranslationError("a derivation rule must be a CONSTRUCT query")
    return insert(parts, template_of(text), target, reads, named, bindings)


def step_update(
    query: str, cls: str, target: ox.NamedNode, reads: Sequence[ox.NamedNode], named: Sequence[ox.NamedNode]
) -> Operation:
    """A target-class step (``SELECT DISTINCT ?member WHERE {…}``) as an update adding
    ``?member rdf:type <cls>`` to ``target``."""
    parts = split(query)
    if parts.form != "SELECT":
        raise RuleTranslationError("a target-class step must be a SELECT query")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    template = [(ox.Variable(parts.projected[0]), rdf_type, ox.NamedNode(cls))]
    return insert(parts, template, target, reads, named)
