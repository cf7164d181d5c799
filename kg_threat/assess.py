"""Assess step: likelihood, impact, risk and status of every applicable threat.

The numbers and conditions are data (``ontology/risk.ttl``, read by :mod:`kg_threat.knowledge`):
a threat's base likelihood and impact, adjusted by every risk factor whose conditions hold
(component context, attack requirements, the attacker model), lowered by mitigating controls in
place, then the risk matrix. Treatments and exclusions set the status.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg_threat.knowledge import Factor, Knowledge, ThreatInfo
from kg_threat.model import LEVELS, Applicability, Finding, Level, Risk, Status
from kg_threat.reason import Memberships, engine_query, select
from kg_threat.vocab import KGT

_DECISIONS: dict[str, Status] = {
    KGT + "Mitigate": "mitigated",
    KGT + "Eliminate": "eliminated",
    KGT + "Transfer": "transferred",
    KGT + "Accept": "accepted",
}


def _value(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


@dataclass(frozen=True, slots=True)
class Adversary:
    """The attacker model in force; ``iri`` is None when the strongest one is assumed."""

    iri: str | None
    goals: frozenset[str] = frozenset()
    capability: str | None = None

    def conditions(self, threat: ThreatInfo) -> frozenset[str]:
        """The adversary conditions (``kgt:AdversaryCondition``) that hold for this threat."""
        held: set[str] = set()
        if self.iri is not None and self.goals and threat.goals and not (self.goals & threat.goals):
            held.add(KGT + "GoalMismatch")
        if self.capability == KGT + "LowCapability":
            held.add(KGT + "LowCapabilityAdversary")
        if self.iri is None or self.capability == KGT + "HighCapability":
            held.add(KGT + "HighCapabilityAdversary")
        return frozenset(held)


@dataclass(frozen=True, slots=True)
class Treatment:
    iri: str
    threat: str
    component: str
    decision: str


@dataclass
class SystemFacts:
    """What the assessment needs from the user's description."""

    system: str | None = None
    adversary: Adversary = field(default_factory=lambda: Adversary(None))
    labels: dict[str, str] = field(default_factory=dict)
    controls: dict[str, frozenset[str]] = field(default_factory=dict)
    treatments: tuple[Treatment, ...] = ()
    exclusions: frozenset[str] = frozenset()


def find_adversary(store: ox.Store) -> Adversary:
    """The adversary a threat model assumes (else the only one described), or the strongest."""
    rows = select(store, engine_query("adversaries"))
    if not rows:
        return Adversary(None)
    first = _value(rows[0]["adversary"])
    goals = frozenset(_value(r["goal"]) for r in rows if _value(r["adversary"]) == first and r["goal"])
    capability = next((_value(r["capability"]) for r in rows if r["capability"]), None)
    return Adversary(first, goals, capability)


def read_system(store: ox.Store, adversary: Adversary) -> SystemFacts:
    systems = [_value(r["system"]) for r in select(store, engine_query("systems"))]
    labels: dict[str, str] = {}
    controls: dict[str, set[str]] = defaultdict(set)
    for row in select(store, engine_query("components")):
        component = _value(row["component"])
        if row["label"] is not None:
            labels.setdefault(component, _value(row["label"]))
        if row["control"] is not None:
            controls[component].add(_value(row["control"]))
    treatments = tuple(
        Treatment(_value(r["treatment"]), _value(r["threat"]), _value(r["component"]), _value(r["decision"]))
        for r in select(store, engine_query("treatments"))
    )
    exclusions = frozenset(_value(r["excluded"]) for r in select(store, engine_query("exclusions")))
    return SystemFacts(
        system=systems[0] if systems else None,
        adversary=adversary,
        labels=labels,
        controls={k: frozenset(v) for k, v in controls.items()},
        treatments=treatments,
        exclusions=exclusions,
    )


def _holds(factor: Factor, threat: ThreatInfo, classes: frozenset[str], adversary: frozenset[str]) -> bool:
    return (
        (factor.component_class is None or factor.component_class in classes)
        and (factor.requires is None or factor.requires in threat.requires)
        and (factor.threat_in is None or factor.threat_in == threat.iri or factor.threat_in in threat.broader)
        and (factor.goal is None or factor.goal in threat.goals)
        and (factor.adversary is None or factor.adversary in adversary)
    )


def _treatment(threat: ThreatInfo, component: str, facts: SystemFacts) -> Treatment | None:
    direct = [t for t in facts.treatments if t.component == component and t.threat == threat.iri]
    broader = [t for t in facts.treatments if t.component == component and t.threat in threat.broader]
    chosen = direct or broader
    return min(chosen, key=lambda t: (t.decision, t.iri)) if chosen else None


Adjustment = tuple[int, int, tuple[str, ...]] | None  # likelihood, impact, notes; None: ruled out


def adjust(threat: ThreatInfo, classes: frozenset[str], know: Knowledge, adversary: Adversary) -> Adjustment:
    """Base likelihood and impact of ``threat`` moved by every risk factor that holds."""
    likelihood = LEVELS.index(threat.likelihood)
    impact = LEVELS.index(threat.impact)
    held = adversary.conditions(threat)
    notes: list[str] = []
    for factor in know.factors:
        if not _holds(factor, threat, classes, held):
            continue
        if factor.rules_out:
            return None
        likelihood += factor.likelihood_delta
        impact += factor.impact_delta
        notes.append(factor.explanation)
    return likelihood, impact, tuple(notes)


def assess_one(
    threat: ThreatInfo, component: str, rules: tuple[str, ...], know: Knowledge,
    adjustment: Adjustment, facts: SystemFacts,
) -> Finding | None:
    """Assess one applicable threat on one component; None when a factor rules it out."""
    if adjustment is None:
        return None
    likelihood, impact, factor_notes = adjustment
    notes = list(factor_notes)
    in_place = tuple(c for c in threat.mitigated_by if c in facts.controls.get(component, ()))
    missing = tuple(c for c in threat.mitigated_by if c not in in_place)
    mitigated = bool(in_place) and len(in_place) >= know.threshold * len(threat.mitigated_by)
    if in_place:
        likelihood += know.partial_delta
        notes.append("mitigating controls in place: likelihood lowered")
    lik: Level = LEVELS[max(0, min(2, likelihood))]
    imp: Level = LEVELS[max(0, min(2, impact))]
    risk: Risk = know.matrix.get((lik, imp), "medium")  # type: ignore[assignment]
    treatment = _treatment(threat, component, facts) if facts.treatments else None
    status: Status
    if component in facts.exclusions or threat.iri in facts.exclusions or threat.broader & facts.exclusions:
        status = "excluded"
    elif treatment is not None:
        status = _DECISIONS.get(treatment.decision, "unmitigated")
    elif mitigated:
        status = "mitigated"
        notes.append("enough mitigating controls in place: mitigated (kgt:DefaultControlRule)")
    else:
        status = "unmitigated"
    return Finding(
        threat=threat.iri, id=threat.id, label=threat.label, catalogs=threat.catalogs,
        categories=threat.categories, component=component, likelihood=lik, impact=imp, risk=risk,
        status=status, controls=in_place, missing_controls=missing,
        component_label=facts.labels.get(component, ""), rules=rules, notes=tuple(notes),
        treatment=treatment.iri if treatment else None,
    )


def assess(pairs: list[Applicability], know: Knowledge, members: Memberships, facts: SystemFacts) -> list[Finding]:
    """Assess every applicable (threat, component) pair; sorted by risk, id, component."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pair in pairs:
        grouped[(pair.threat, pair.component)].append(pair.rule)
    findings = []
    adjustments: dict[tuple[str, frozenset[str]], Adjustment] = {}
    for (threat_iri, component), rules in grouped.items():
        threat = know.threats.get(threat_iri)
        if threat is None:
            continue
        classes = members.classes_of(component)
        key = (threat_iri, classes)
        if key not in adjustments:
            adjustments[key] = adjust(threat, classes, know, facts.adversary)
        finding = assess_one(threat, component, tuple(sorted(set(rules))), know, adjustments[key], facts)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=Finding.sort_key)
    return findings
