"""In-store analysis: the applicability rules run as SPARQL Update inside a remote store.

The system is never copied out of the store: only the answers the assessment needs are read.
The steps, all generated from the sources the local engine runs (:mod:`kg_threat.instore_sparql`
does the translation):

1. the bundled ontology is uploaded into ``urn:kg-threat:graph:ontology`` with the code of
   ``kg-threat push`` (chunked, all or nothing), unless the store already holds exactly these
   triples (the push run's IRI is a digest of them);
2. the adversary in force is read with the engine's own query (``queries/engine/adversaries.rq``);
3. update requests, one per operation, rewrite the working graphs of the system graph: the
   derivation rules (``reason.rule_files``) write into the inferred graph, the target-class
   steps (``rules.plan``) into the scratch graph, ``queries/instore/findings.rq`` into the
   findings graph; the working graphs are dropped first. A run that fails half-way leaves
   them incomplete (never the system graph): run it again;
4. the memberships are read from the scratch graph and assessed here, with the facts the
   assessment needs (:mod:`kg_threat.instore_assess`); the scratch graph is dropped;
5. the findings the store holds are read back (``queries/instore/pairs.rq``).

The system graph is only read. Working graphs, per system graph ``G`` (``H`` = the first 32
hex digits of SHA-256 of ``G``): ``urn:kg-threat:inferred:H``, ``urn:kg-threat:scratch:H``
and, unless ``--findings-graph`` names another, ``urn:kg-threat:findings:H``. Running again
drops and rewrites them, so it leaves the same store.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox
from SPARQLWrapper import GET, JSON, SELECT, SPARQLWrapper

from kg_threat import __version__, instore_assess, instore_sparql, load, push, reason
from kg_threat.errors import InputError, RemoteError
from kg_threat.model import Analysis
from kg_threat.remote import update
from kg_threat.resources import data_dir
from kg_threat.rules import plan
from kg_threat.sparql_http import RemoteOptions, send
from kg_threat.terms import endpoint_url, iri, redact
from kg_threat.vocab import ONTOLOGY_GRAPH, PROV, RDF

_ACCEPT: Final = "application/sparql-results+json, application/sparql-results+xml;q=0.9"


def instore_query(name: str) -> str:
    """The text of ``queries/instore/<name>.rq``."""
    return (data_dir("queries") / "instore" / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Graphs:
    """The named graphs an in-store analysis reads and writes."""

    system: ox.NamedNode
    ontology: ox.NamedNode
    inferred: ox.NamedNode
    scratch: ox.NamedNode
    findings: ox.NamedNode

    @classmethod
    def for_system(cls, system: str, findings: str | None = None) -> Graphs:
        graph = iri(system, "--graph")
        digest = hashlib.sha256(graph.value.encode("utf-8")).hexdigest()[:32]
        out = cls(
            system=graph,
            ontology=ox.NamedNode(ONTOLOGY_GRAPH),
            inferred=ox.NamedNode(f"urn:kg-threat:inferred:{digest}"),
            scratch=ox.NamedNode(f"urn:kg-threat:scratch:{digest}"),
            findings=iri(findings, "--findings-graph") if findings else ox.NamedNode(
                f"urn:kg-threat:findings:{digest}"),
        )
        working = (out.ontology, out.inferred, out.scratch, out.findings)
        if out.system in working or len(set(working)) != len(working):
            raise InputError(
                f"the system graph, the findings graph and the working graphs must differ "
                f"(--graph {out.system.value}, --findings-graph {out.findings.value})"
            )
        return out


@dataclass(frozen=True, slots=True)
class InStoreFinding:
    """A finding as the store holds it: a threat applies to a component, by these rules."""

    iri: str
    threat: str
    id: str
    component: str
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"finding": self.iri, "threat": self.threat, "id": self.id,
                "component": self.component, "rules": list(self.rules)}


@dataclass(frozen=True, slots=True)
class InStoreResult:
    graphs: Graphs
    adversary: str | None
    ontology_uploaded: bool
    findings: tuple[InStoreFinding, ...] = field(default=())
    analysis: Analysis | None = None  # the assessed findings, as ``analyze`` prints them

    def pairs(self) -> set[tuple[str, str]]:
        """The (threat IRI, component IRI) pairs found."""
        return {(f.threat, f.component) for f in self.findings}


def _select(
    endpoint: str, query: str, graphs: list[ox.NamedNode], options: RemoteOptions
) -> list[ox.QuerySolution]:
    """Run a SELECT whose default graph is the merge of ``graphs`` (``default-graph-uri``)."""
    wrapper = SPARQLWrapper(endpoint, agent=f"kg-threat/{__version__}")
    wrapper.setOnlyConneg(True)
    wrapper.addCustomHttpHeader("Accept", _ACCEPT)
    auth = options.auth
    if auth is not None and auth.token:
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {auth.token}")
    elif auth is not None:
        wrapper.setCredentials(auth.user, auth.password)
    wrapper.setMethod(GET)
    wrapper.setReturnFormat(JSON)
    wrapper.setQuery(query)
    wrapper.queryType = SELECT  # its guess scans comments too ("uploaded" reads as LOAD)
    for graph in graphs:
        wrapper.addDefaultGraph(graph.value)
    response = send(wrapper._createRequest(), options, idempotent=True)
    fmt = ox.QueryResultsFormat.from_media_type(response.media_type)
    if fmt is None:
        raise RemoteError(f"{redact(endpoint)}: answered with {response.media_type}, not SPARQL results")
    try:
        solutions = ox.parse_query_results(response.body, format=fmt)
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{redact(endpoint)}: malformed SPARQL results: {exc}") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise RemoteError(f"{redact(endpoint)}: expected solutions, got a boolean")
    return list(solutions)


@dataclass(frozen=True)
class _Ontology:
    """The bundled ontology: in its graph (for the compiler) and as a push would write it."""

    store: ox.Store

    @classmethod
    def load(cls) -> _Ontology:
        store = ox.Store()
        load.load_ontology(store)
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        quads = list(store.quads_for_pattern(None, None, None, graph))
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)  # as push reads it
        return cls(store)

    def run_iri(self) -> ox.NamedNode | None:
        """The IRI a push of the ontology records its run under (a digest of the triples)."""
        activity = ox.NamedNode(PROV + "Activity")
        for triple in push.collect(self.store, ONTOLOGY_GRAPH):
            if (triple.predicate.value == RDF + "type" and triple.object == activity
                    and isinstance(triple.subject, ox.NamedNode)):
                return triple.subject
        return None


def ensure_ontology(
    endpoint: str, update_endpoint: str, options: RemoteOptions, ontology: _Ontology,
    progress: push.Progress | None = None, chunk_triples: int = push.DEFAULT_CHUNK,
) -> bool:
    """Upload the bundled ontology unless the store holds exactly it; say whether it uploaded."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    runs = {row["run"] for row in _select(endpoint, instore_query("ontology-runs"), [graph], options)}
    if ontology.run_iri() in runs:
        return False
    push.push(ontology, endpoint, ONTOLOGY_GRAPH, update_endpoint=update_endpoint, options=options,
              progress=progress, chunk_triples=chunk_triples, verify=False)
    return True


def find_adversary(endpoint: str, graphs: Graphs, options: RemoteOptions) -> ox.NamedNode | None:
    """The adversary in force, as the local engine picks it (first row of its query)."""
    rows = _select(endpoint, reason.engine_query("adversaries"), [graphs.system, graphs.ontology], options)
    if not rows:
        return None
    adversary = rows[0]["adversary"]
    if not isinstance(adversary, ox.NamedNode):
        raise InputError("in-store analysis needs the adversary to be named by an IRI, not a blank node")
    return adversary


def updates(graphs: Graphs, adversary: ox.NamedNode | None, ontology: ox.Store) -> list[instore_sparql.Operation]:
    """Every update operation of one in-store analysis, in the order they must run."""
    t = instore_sparql
    ops = [t.Operation(f"DROP SILENT GRAPH {g}") for g in (graphs.inferred, graphs.scratch, graphs.findings)]
    named = [graphs.ontology]
    rule_reads = [graphs.system, graphs.ontology, graphs.inferred]
    bindings = {"adversary": adversary} if adversary is not None else {}
    for path in reason.rule_files(adversary is not None):
        ops.append(t.rule_update(path.read_text(encoding="utf-8"), graphs.inferred, rule_reads, named, bindings))
    index = reason.ontology_index(ontology)
    step_reads = [*rule_reads, graphs.scratch]
    for step in plan(index, reason.target_classes(index)):
        ops.append(t.step_update(step.query, step.cls, graphs.scratch, step_reads, named))
    ops.append(t.rule_update(instore_query("findings"), graphs.findings, [graphs.scratch], named))
    return ops


def read_findings(endpoint: str, graphs: Graphs, options: RemoteOptions) -> tuple[InStoreFinding, ...]:
    """The findings the store holds in the findings graph, sorted by id, then component."""
    rules: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for row in _select(endpoint, instore_query("pairs"), [graphs.findings, graphs.ontology], options):
        ident = row["id"]
        key = (row["finding"].value, row["threat"].value, ident.value if ident is not None else "",
               row["component"].value)
        rules[key].add(row["rule"].value)
    found = [InStoreFinding(f, t, i or t, c, tuple(sorted(r))) for (f, t, i, c), r in rules.items()]
    return tuple(sorted(found, key=lambda f: (f.id, f.component, f.threat)))


def analyze_in_store(
    endpoint: str,
    graph: str,
    *,
    update_endpoint: str | None = None,
    findings_graph: str | None = None,
    options: RemoteOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_triples: int = push.DEFAULT_CHUNK,
) -> InStoreResult:
    """Run the applicability rules inside the store holding ``graph``; read the findings back."""
    endpoint = endpoint_url(endpoint)
    target = endpoint_url(update_endpoint or endpoint, "--update-endpoint")
    graphs = Graphs.for_system(graph, findings_graph)
    opts = options or RemoteOptions()
    ontology = _Ontology.load()
    uploaded = ensure_ontology(endpoint, target, opts, ontology, progress, chunk_triples)
    adversary = find_adversary(endpoint, graphs, opts)
    # One request per operation: a store applies a request in one transaction, and Oxigraph
    # is slow at reading and replacing its own uncommitted writes (measured at 1,000
    # components: 65 s in one request, 34 s in separate ones; DROP and INSERT of the findings
    # in one request 80 s, a MOVE from a staging graph 64 s, the INSERT alone 20 s).
    for op in updates(graphs, adversary, ontology.store):
        update(target, str(op), opts)
    try:
        analysis = instore_assess.assess_in_store(
            lambda text: _select(endpoint, text, [graphs.scratch], opts),
            lambda text: _select(endpoint, text, [graphs.system, graphs.inferred, graphs.ontology], opts),
            bundled_ontology(),
        )
    finally:
        update(target, f"DROP SILENT GRAPH {graphs.scratch}", opts)
    findings = read_findings(endpoint, graphs, opts)
    return InStoreResult(graphs, adversary.value if adversary else None, uploaded, findings, analysis)


def bundled_ontology() -> ox.Store:
    """A store holding the bundled ontology in its named graph, as a local analysis has it."""
    store = ox.Store()
    load.load_ontology(store)
    return store


def describe(result: InStoreResult) -> str:
    """One line on where the run wrote, for standard error."""
    g = result.graphs
    return (f"in-store analysis of {g.system.value}: {len(result.findings)} findings written to "
            f"{g.findings.value}, inferences to {g.inferred.value}")
