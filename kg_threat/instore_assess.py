"""Assessment of an in-store analysis: likelihood, impact, risk and status, computed here.

The store has computed which target classes each component belongs to (its scratch graph).
This step reads those memberships back, with the facts the assessment needs (the adversary,
the system, labels, controls, treatments, exclusions: the engine's own queries, run on the
store), and assesses them with the bundled ontology's knowledge, as a local analysis does.
The system is never copied out of the store, only these answers.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg_threat import assess, knowledge, reason
from kg_threat.assess import Query
from kg_threat.model import Analysis
from kg_threat.resources import data_dir


def memberships(read_scratch: Query, wanted: set[str]) -> reason.Memberships:
    """The memberships of named components in the ``wanted`` classes (the target classes)."""
    text = (data_dir("queries") / "instore" / "memberships.rq").read_text(encoding="utf-8")
    found: dict[str, set[str]] = defaultdict(set)
    for row in read_scratch(text):
        member, cls = row["member"], row["class"]
        if isinstance(member, ox.NamedNode) and isinstance(cls, ox.NamedNode) and cls.value in wanted:
            found[member.value].add(cls.value)
    return reason.Memberships({k: frozenset(v) for k, v in found.items()})


def assess_in_store(read_scratch: Query, read_system: Query, ontology: ox.Store) -> Analysis:
    """The assessed findings: ``read_scratch`` reads the scratch graph, ``read_system`` the
    system, ontology and inferred graphs; ``ontology`` holds the bundled ontology."""
    index = reason.ontology_index(ontology)
    wanted = {c.value for c in reason.target_classes(index)}
    pairs = reason.applicable(index, memberships(read_scratch, wanted))
    adversary = assess.adversary_from(read_system)
    facts = assess.system_facts(read_system, adversary)
    findings = assess.assess(pairs, knowledge.read_knowledge(ontology), facts)
    return Analysis(
        system=facts.system,
        adversary=adversary.iri,
        findings=findings,
        assumed_strongest_adversary=adversary.iri is None,
    )
