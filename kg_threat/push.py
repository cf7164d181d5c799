"""Push: write the system, the inferred triples and the findings into one remote named graph.

The graph is replaced as a whole: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {…} }``
in one update request, or, for pushes larger than one chunk, ``INSERT DATA`` requests into a
staging graph followed by one ``MOVE`` onto ``<g>``; either way the store holds the old graph
or the new one, never a mix, and no other graph is touched (the staging graph is removed by
the ``MOVE``, or on failure).

The update text is made only of terms serialised by pyoxigraph, which refuses anything that is
not a valid IRI, literal or language tag, so data cannot escape its ``<…>`` or ``"…"``. Blank
nodes are replaced by IRIs derived from their canonical (RDFC-1.0) labels, so a push (or a
retried push) never duplicates them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

import pyoxigraph as ox

from kg_threat import __version__
from kg_threat.errors import RemoteError
from kg_threat.remote import count_triples, remote_query, update
from kg_threat.sparql_http import Auth, RemoteOptions
from kg_threat.terms import endpoint_url, iri, skolem_iri, staging_graph
from kg_threat.vocab import (
    FINDINGS_GRAPH,
    INFERRED_GRAPH,
    KGT,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    OWL,
    PROV,
    RDF,
    RDFS,
    XSD,
)

DEFAULT_CHUNK: Final = 20_000  # triples per update request
PROV_PREFIX: Final = "urn:kg-threat:prov:"
Progress = Callable[[int, int], None]  # (triples written so far, total)


class HasStore(Protocol):
    """What push needs of an analysis result: its working store."""

    @property
    def store(self) -> ox.Store: ...


@dataclass(frozen=True, slots=True)
class PushReport:
    graph: str
    triples: int  # triples sent
    requests: int  # update requests sent
    stored: int | None  # triples the store reports in the graph afterwards (None: not asked)


def _triples(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Triple]:
    return (q.triple for q in store.quads_for_pattern(None, None, None, graph))


def _skolemise(triples: set[ox.Triple], graph: str) -> set[ox.Triple]:
    """Replace blank nodes by IRIs derived from their canonical labels within ``graph``."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

    def term(node: Term) -> ox.NamedNode | ox.Literal:
        if isinstance(node, ox.BlankNode):
            return skolem_iri(graph, node.value)
        if isinstance(node, ox.Triple):
            raise RemoteError("cannot push RDF-star quoted triples")
        return node

    return {ox.Triple(term(q.subject), q.predicate, term(q.object)) for q in dataset}  # type: ignore[arg-type]


def _ontology_version(store: ox.Store) -> ox.NamedNode | None:
    solutions = store.query(
        remote_query("ontology-version"),
        substitutions={
            ox.Variable("ontology"): ox.NamedNode(ONTOLOGY_IRI),
            ox.Variable("graph"): ox.NamedNode(ONTOLOGY_GRAPH),
        },
    )
    for solution in solutions:  # type: ignore[union-attr]
        version = solution["version"]
        if isinstance(version, ox.NamedNode):
            return version
    return None


def _when(when: datetime | None) -> datetime:
    if when is not None:
        return when.astimezone(UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible output, as in reproducible builds
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _provenance(
    lines: list[str],
    graph: str,
    findings: Iterable[ox.NamedNode],
    version: ox.NamedNode | None,
    when: datetime,
) -> set[ox.Triple]:
    digest = hashlib.sha256(graph.encode("utf-8"))
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    run = ox.NamedNode(f"{PROV_PREFIX}run:{digest.hexdigest()[:32]}")
    agent = ox.NamedNode(f"{PROV_PREFIX}agent:kg-threat/{__version__}")
    a = ox.NamedNode(RDF + "type")
    out = {
        ox.Triple(run, a, ox.NamedNode(PROV + "Activity")),
        ox.Triple(run, ox.NamedNode(PROV + "endedAtTime"),
                  ox.Literal(when.isoformat().replace("+00:00", "Z"),
                             datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(run, ox.NamedNode(PROV + "wasAssociatedWith"), agent),
        ox.Triple(run, ox.NamedNode(PROV + "generated"), ox.NamedNode(graph)),
        ox.Triple(agent, a, ox.NamedNode(PROV + "SoftwareAgent")),
        ox.Triple(agent, ox.NamedNode(RDFS + "label"), ox.Literal(f"kg-threat {__version__}")),
        ox.Triple(agent, ox.NamedNode(OWL + "versionInfo"), ox.Literal(__version__)),
    }
    if version is not None:
        out.add(ox.Triple(run, ox.NamedNode(PROV + "used"), version))
    generated = ox.NamedNode(PROV + "wasGeneratedBy")
    out.update(ox.Triple(f, generated, run) for f in findings)
    return out


def collect(store: ox.Store, graph: str, *, when: datetime | None = None) -> list[ox.Triple]:
    """Every triple a push of ``store`` to ``graph`` writes, in a stable order: system,
    inferred and findings (sorted together), then provenance."""
    keyed: dict[str, ox.Triple] = {}
    for name in (ox.DefaultGraph(), ox.NamedNode(INFERRED_GRAPH), ox.NamedNode(FINDINGS_GRAPH)):
        keyed.update((str(t), t) for t in _triples(store, name))
    if any(k.startswith("_:") or " _:" in k for k in keyed):  # may be a literal: then a no-op
        keyed = {str(t): t for t in _skolemise(set(keyed.values()), graph)}
    keys = sorted(keyed)
    findings = [
        q.subject
        for q in store.quads_for_pattern(
            None, ox.NamedNode(RDF + "type"), ox.NamedNode(KGT + "Finding"),
            ox.NamedNode(FINDINGS_GRAPH),
        )
        if isinstance(q.subject, ox.NamedNode)
    ]
    prov = _provenance(keys, graph, findings, _ontology_version(store), _when(when))
    return [keyed[k] for k in keys] + [t for t in sorted(prov, key=str) if str(t) not in keyed]


def _data(triples: list[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def _insert(graph: ox.NamedNode, triples: list[ox.Triple]) -> str:
    return f"INSERT DATA {{ GRAPH {graph} {{\n{_data(triples)}}} }}"


def _drop(graph: ox.NamedNode) -> str:
    return f"DROP SILENT GRAPH {graph}"


def push(
    result: HasStore,
    endpoint: str,
    graph: str,
    *,
    update_endpoint: str | None = None,
    timeout: float | None = None,
    auth: Auth | None = None,
    progress: Progress | None = None,
    options: RemoteOptions | None = None,
    chunk_triples: int = DEFAULT_CHUNK,
    when: datetime | None = None,
    verify: bool = True,
) -> PushReport:
    """Replace ``graph`` in the store at ``endpoint`` by the system, inferences and findings."""
    endpoint = endpoint_url(endpoint)
    target_update = endpoint_url(update_endpoint or endpoint, "--update-endpoint")
    target = iri(graph, "--graph")
    opts = (options or RemoteOptions()).given(timeout, auth)
    getattr(result, "findings_written", None)  # a pipeline Result writes its findings on demand
    triples = collect(result.store, target.value, when=when)
    total, size = len(triples), max(1, chunk_triples)
    if total <= size:
        update(target_update, f"{_drop(target)} ;\n{_insert(target, triples)}", opts)
        requests = 1
    else:
        requests = _push_chunked(target_update, target, triples, size, opts, progress)
    if progress is not None:
        progress(total, total)
    stored = count_triples(endpoint, target.value, opts) if verify else None
    return PushReport(target.value, total, requests, stored)


def _push_chunked(
    endpoint: str, target: ox.NamedNode, triples: list[ox.Triple], size: int,
    options: RemoteOptions, progress: Progress | None,
) -> int:
    staging = staging_graph(target.value)
    total, done, requests = len(triples), 0, 0
    try:
        for start in range(0, total, size):
            chunk = triples[start:start + size]
            text = _insert(staging, chunk)
            update(endpoint, f"{_drop(staging)} ;\n{text}" if start == 0 else text, options)
            requests += 1
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    except RemoteError as exc:
        with contextlib.suppress(RemoteError):  # if the store is gone, the next push drops it
            update(endpoint, _drop(staging), options)
        raise RemoteError(
            f"{exc.message}; push stopped after {done} of {total} triples, "
            f"graph {target.value} is unchanged", hint=exc.hint,
        ) from None
    try:
        update(endpoint, f"MOVE {staging} TO {target}", options)
    except RemoteError as exc:
        raise RemoteError(
            f"{exc.message}; the final MOVE may not have been applied: graph {target.value} "
            f"holds either its previous content or the whole push", hint=exc.hint,
        ) from None
    return requests + 1
