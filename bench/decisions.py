"""Treatments and exclusions of a synthetic estate: a few of each, on real components."""

from __future__ import annotations

import random

from estate import Component, Estate, Exclusion, Treatment

OWNERS = ("ML platform team", "Data protection office", "Security engineering")
# (decision, threat, kind of component it is about, rationale)
PLAN = (
    ("Accept", "ModelDrift", "ModelServing",
     "Weekly retraining bounds drift; analysts watch the score distribution."),
    ("Mitigate", "DataPoisoning", "TrainingPipeline",
     "Provenance checks and data validation gate every training run."),
    ("Transfer", "DenialOfService", "ModelServing",
     "The hosting provider's DDoS protection covers this endpoint."),
    ("Eliminate", "ModelInversion", "ModelServing",
     "The endpoint returns labels only; scores were removed."),
    ("Accept", "Repudiation", "LogStore",
     "Logs are append-only and shipped off-site daily."),
)
REVIEW_DATE = "2026-03-01"


def _by_kind(estate: Estate) -> dict[str, list[Component]]:
    found: dict[str, list[Component]] = {}
    for comp in estate.components:
        found.setdefault(comp.kind, []).append(comp)
    return found


def add_decisions(estate: Estate, rng: random.Random) -> None:
    """One treatment per 200 components (at least 5), one exclusion per 500 (at least 2)."""
    by_kind = _by_kind(estate)
    wanted = max(len(PLAN), len(estate.components) // 200)
    for number in range(wanted):
        decision, threat, kind, rationale = PLAN[number % len(PLAN)]
        candidates = by_kind.get(kind)
        if not candidates:
            continue
        comp = rng.choice(candidates)
        estate.treatments.append(Treatment(
            key=f"treatment-{number + 1}", threat=threat, component=comp.key,
            decision=decision, rationale=rationale, owner=rng.choice(OWNERS),
            transferred_to="Hosting provider" if decision == "Transfer" else None,
            validated_on=REVIEW_DATE if decision == "Mitigate" else None))
    sensors = by_kind.get("Sensor", [])
    for number in range(max(2, len(estate.components) // 500)):
        if number % 2 == 0 and sensors:
            target = rng.choice(sensors).key
            why = "Sensors are tamper-evident hardware, assessed separately."
        else:
            target = "kgt:Linking"
            why = "Pseudonymous identifiers are rotated; linking is assessed by the privacy office."
        estate.exclusions.append(Exclusion(f"exclusion-{number + 1}", target, why))
