"""The one module that knows the order of the steps: load → reason → assess.

Commands call :func:`run` and then validate, query, report, export or push its result.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import pyoxigraph as ox

from kg_threat import assess, knowledge, load, reason
from kg_threat.limits import Limits
from kg_threat.model import Analysis, Finding
from kg_threat.vocab import FINDINGS_GRAPH

_FINDINGS = ox.NamedNode(FINDINGS_GRAPH)


@dataclass(frozen=True)
class Options:
    """Knobs shared by the commands."""

    reasoner: Literal["rules", "dl"] = "rules"
    endpoint: str | None = None
    graph: str | None = None
    quiet: bool = True
    input_format: str | None = None
    limits: Limits = field(default_factory=Limits)

    @property
    def timeout(self) -> float | None:
        """The wall-clock limit per step (also the remote stores' request timeout)."""
        return self.limits.timeout


@dataclass
class Result:
    """Everything an analysis produced, for the steps after it."""

    store: ox.Store
    analysis: Analysis
    knowledge: knowledge.Knowledge
    memberships: reason.Memberships
    applicability: reason.Applicable
    facts: assess.SystemFacts
    sources: tuple[str, ...] = field(default=())

    @cached_property
    def findings_written(self) -> int:
        """Write the findings as RDF into the findings graph (once, on demand); the triples
        written. They go in as Turtle in chunks, parsed natively (bounded memory)."""
        from kg_threat.findings_rdf import findings_turtle

        written = 0
        for chunk, triples in findings_turtle(self.analysis.findings):
            self.store.load(chunk, format=ox.RdfFormat.TURTLE, to_graph=_FINDINGS)
            written += triples
        return written

    def finding(self, threat: str, component: str) -> Finding | None:
        for f in self.analysis.findings:
            if f.threat == threat and f.component == component:
                return f
        return None


def load_store(sources: Sequence[str], options: Options) -> ox.Store:
    """Load step: the user's system (files, or a remote graph) and the bundled ontology."""
    store = ox.Store()
    if options.endpoint:
        from kg_threat import remote

        remote.load_remote(store, options.endpoint, options.graph, options)
    else:
        load.load_sources(sources, store, fmt=options.input_format, limits=options.limits)
    load.load_ontology(store)
    return store


def run(sources: Sequence[str], options: Options | None = None) -> Result:
    """Load, reason and assess; the findings are sorted as the output contract requires."""
    options = options or Options()
    limits = options.limits
    with limits.step("loading"):
        store = load_store(sources, options)
    with limits.step("reasoning"):
        adversary = assess.find_adversary(store)
        reason.derive(store, adversary.iri)
        index = reason.ontology_index(store)
        # The facts the assessment needs are read on a side thread while the target classes
        # are evaluated (mostly native work, outside the interpreter lock): at 10,000
        # components, 1.8 s -> 1.25 s. They are read from the graphs as they stand now, so the
        # scratch graph the evaluation writes is never among them.
        visible = reason.visible_graphs(store)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-threat-facts") as side:
            know_read = side.submit(knowledge.read_knowledge, store, visible)
            facts_read = side.submit(assess.read_system, store, adversary, visible)
            if options.reasoner == "dl":
                from kg_threat import dl

                classified = dl.classify(store, limits.timeout or dl.DEFAULT_TIMEOUT)
                members = reason.memberships_from(classified, reason.target_classes(index))
            else:
                members = reason.memberships(store, index)
            know, facts = know_read.result(), facts_read.result()
        pairs = reason.applicable(index, members)
    with limits.step("assessment"):
        findings = assess.assess(pairs, know, facts)
    analysis = Analysis(
        system=facts.system,
        adversary=adversary.iri,
        findings=findings,
        assumed_strongest_adversary=adversary.iri is None,
        sources=tuple(sources),
    )
    return Result(store, analysis, know, members, pairs, facts, tuple(sources))
