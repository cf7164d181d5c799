"""Assess step: likelihood, impact, risk and status of every applicable threat.

The numbers and conditions are data (``ontology/risk.ttl``, read by :mod:`kg_threat.knowledge`):
a threat's base likelihood and impact, adjusted by every risk factor whose conditions hold
(component context, attack requirements, the attacker model), lowered by mitigating controls in
place, then the risk matrix. Treatments and exclusions set the status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg_threat.knowledge import Factor, Knowledge, ThreatInfo
from kg_threat.model import LEVELS, RISK_ORDER, Finding, Findings, Level, Risk, Status
from kg_threat.reason import Applicable, Graph, engine_query, select, select_in
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


Query = Callable[[str], list[ox.QuerySolution]]
"""Runs the text of a SELECT over the analysed graphs (a local store, or a remote one)."""


def find_adversary(store: ox.Store) -> Adversary:
    """The adversary a threat model assumes (else the only one described), or the strongest."""
    return adversary_from(lambda text: select(store, text))


def adversary_from(query: Query) -> Adversary:
    """:func:`find_adversary` over any graphs ``query`` reads."""
    rows = query(engine_query("adversaries"))
    if not rows:
        return Adversary(None)
    first = _value(rows[0]["adversary"])
    goals = frozenset(_value(r["goal"]) for r in rows if _value(r["adversary"]) == first and r["goal"])
    capability = next((_value(r["capability"]) for r in rows if r["capability"]), None)
    return Adversary(first, goals, capability)


def read_system(store: ox.Store, adversary: Adversary, graphs: list[Graph] | None = None) -> SystemFacts:
    """The facts of the system in ``store`` that the assessment needs, read from ``graphs``
    (default: all of them)."""
    return system_facts(lambda text: select_in(store, text, graphs), adversary)


def system_facts(query: Query, adversary: Adversary) -> SystemFacts:
    """:func:`read_system` over any graphs ``query`` reads."""
    systems = [_value(r["system"]) for r in query(engine_query("systems"))]
    labels: dict[str, str] = {}
    controls: dict[str, set[str]] = defaultdict(set)
    for row in query(engine_query("components")):
        component = _value(row["component"])
        if row["label"] is not None:
            labels.setdefault(component, _value(row["label"]))
        if row["control"] is not None:
            controls[component].add(_value(row["control"]))
    treatments = tuple(
        Treatment(_value(r["treatment"]), _value(r["threat"]), _value(r["component"]), _value(r["decision"]))
        for r in query(engine_query("treatments"))
    )
    exclusions = frozenset(_value(r["excluded"]) for r in query(engine_query("exclusions")))
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


def _treatment(threat: ThreatInfo, treatments: list[Treatment]) -> Treatment | None:
    """The treatment in force for ``threat`` among a component's treatments: direct first."""
    direct = [t for t in treatments if t.threat == threat.iri]
    chosen = direct or [t for t in treatments if t.threat in threat.broader]
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


_PARTIAL_NOTE = "mitigating controls in place: likelihood lowered"
_MITIGATED_NOTE = "enough mitigating controls in place: mitigated (kgt:DefaultControlRule)"


_Runs = list[tuple[Finding, list[str]]]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A threat on any component with the same classes and controls, before treatments and
    exclusions. ``proto`` is its finding on an untreated component (component left empty);
    ``runs`` collects the findings of its risk and id, in output order."""

    threat: ThreatInfo
    likelihood: Level
    impact: Level
    risk: Risk
    in_place: tuple[str, ...]
    notes: tuple[str, ...]
    proto: Finding
    runs: _Runs


def _outcome(
    threat: ThreatInfo, rules: tuple[str, ...], controls: frozenset[str], know: Knowledge,
    adjustment: tuple[int, int, tuple[str, ...]], excluded: bool, runs_of: Callable[[Risk, str], _Runs],
    protos: dict[Finding, Finding],
) -> _Outcome:
    likelihood, impact, notes = adjustment
    in_place = tuple(c for c in threat.mitigated_by if c in controls)
    missing = tuple(c for c in threat.mitigated_by if c not in in_place)
    mitigated = bool(in_place) and len(in_place) >= know.threshold * len(threat.mitigated_by)
    if in_place:
        likelihood += know.partial_delta
        notes += (_PARTIAL_NOTE,)
    lik: Level = LEVELS[max(0, min(2, likelihood))]
    imp: Level = LEVELS[max(0, min(2, impact))]
    risk: Risk = know.matrix.get((lik, imp), "medium")  # type: ignore[assignment]
    status: Status = "excluded" if excluded else "mitigated" if mitigated else "unmitigated"
    proto = Finding(
        threat.iri, threat.id, threat.label, threat.catalogs, threat.categories, "", lik, imp, risk, status,
        in_place, missing, "", rules, (*notes, _MITIGATED_NOTE) if status == "mitigated" else notes, None,
    )
    # Outcomes of different profiles often find the same: sharing one prototype lets their
    # components join one run (at 10,000 components, 420,000 runs become 170,000).
    proto = protos.setdefault(proto, proto)
    return _Outcome(threat, lik, imp, risk, in_place, notes, proto, runs_of(risk, threat.id))


def _decided(o: _Outcome, treatment: Treatment | None, excluded: bool) -> Finding:
    """The finding of outcome ``o`` on a component with its own treatments or exclusion."""
    if excluded or o.proto.status == "excluded":
        status: Status = "excluded"
    elif treatment is not None:
        status = _DECISIONS.get(treatment.decision, "unmitigated")
    else:
        return o.proto
    if treatment is None and status == o.proto.status:
        return o.proto
    return o.proto._replace(status=status, notes=o.notes, treatment=treatment.iri if treatment else None)


def assess(applicable: Applicable, know: Knowledge, facts: SystemFacts) -> Findings:
    """Assess every applicable (threat, component) pair; sorted by risk, id, component.

    Components are visited in order and their threats by IRI, so each (risk, id) bucket fills
    in output order (ties on component keep threat order) and no sort of findings is needed.
    Everything but the treatment and exclusions is computed once per threat, classes and
    mitigating controls in place, and a component adds itself to its outcome's run: no record
    per finding.
    """
    buckets: dict[tuple[int, str], _Runs] = {}

    def runs_of(risk: Risk, threat_id: str) -> _Runs:
        return buckets.setdefault((RISK_ORDER[risk], threat_id), [])

    # A threat's adjustment depends on a component's classes only through the classes the
    # risk factors test, and its outcome on the rules it applies by and the controls in
    # place that mitigate it: outcomes are shared by every profile that agrees on those.
    tested = frozenset(f.component_class for f in know.factors if f.component_class is not None)
    adjustments: dict[tuple[str, frozenset[str]], Adjustment] = {}
    outcome_of: dict[tuple[str, tuple[str, ...], frozenset[str], frozenset[str]], _Outcome | None] = {}
    mitigators = {iri: frozenset(t.mitigated_by) for iri, t in know.threats.items()}
    profiles: dict[tuple[frozenset[str], frozenset[str]], list[_Outcome]] = {}
    protos: dict[Finding, Finding] = {}
    treatments: dict[str, list[Treatment]] = defaultdict(list)
    for t in facts.treatments:
        treatments[t.component].append(t)
    exclusions = facts.exclusions
    excluded_threats = {iri for iri, t in know.threats.items() if iri in exclusions or t.broader & exclusions}
    no_controls: frozenset[str] = frozenset()
    by_component = applicable.members.by_component
    for component in sorted(by_component):
        classes = by_component[component]
        controls = facts.controls.get(component, no_controls)
        outcomes = profiles.get((classes, controls))
        if outcomes is None:
            outcomes = profiles[(classes, controls)] = []
            factor_classes = classes & tested
            for threat_iri, rules in applicable.by_profile[classes]:
                threat = know.threats.get(threat_iri)
                if threat is None:
                    continue
                key = (threat_iri, rules, controls & mitigators[threat_iri], factor_classes)
                if key in outcome_of:
                    outcome = outcome_of[key]
                else:
                    pair = (threat_iri, factor_classes)
                    if pair not in adjustments:
                        adjustments[pair] = adjust(threat, factor_classes, know, facts.adversary)
                    adjustment = adjustments[pair]
                    outcome = outcome_of[key] = None if adjustment is None else _outcome(
                        threat, rules, controls, know, adjustment, threat_iri in excluded_threats, runs_of, protos)
                if outcome is not None:
                    outcomes.append(outcome)
        excluded = component in exclusions
        own = treatments.get(component)
        for o in outcomes:
            proto = o.proto if not (excluded or own) else _decided(o, _treatment(o.threat, own or []), excluded)
            runs = o.runs
            if runs and runs[-1][0] is proto:
                runs[-1][1].append(component)
            else:
                runs.append((proto, [component]))
    return Findings((run for key in sorted(buckets) for run in buckets[key]), facts.labels)
