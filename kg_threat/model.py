"""The value types that flow between the steps of an analysis.

These are plain, immutable records: every step reads them, none of them knows how they
were computed. The JSON shape of :class:`Finding` is the public contract of ``analyze``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Final, Literal

from kg_threat.vocab import FINDING

Level = Literal["low", "medium", "high"]
Risk = Literal["low", "medium", "high", "critical"]
Status = Literal["unmitigated", "mitigated", "accepted", "transferred", "eliminated", "excluded"]

RISK_ORDER: Final[dict[str, int]] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
LEVELS: Final[tuple[Level, ...]] = ("low", "medium", "high")
RISKS: Final[tuple[Risk, ...]] = ("low", "medium", "high", "critical")

_FINDING_NS: Final = uuid.UUID("6f1c8f1e-0d7a-5a53-9b8e-4b67a1f0c2d1")


def finding_iri(threat: str, component: str) -> str:
    """A stable IRI for the finding of ``threat`` on ``component``, the same across runs."""
    return FINDING + str(uuid.uuid5(_FINDING_NS, threat + "\n" + component))


@dataclass(frozen=True, slots=True)
class Applicability:
    """A catalog threat applies to a component because the component is in a target class."""

    threat: str
    component: str
    rule: str  # IRI of the target class (the rule) that matched


@dataclass(frozen=True, slots=True)
class Finding:
    """One catalog threat on one component, assessed."""

    threat: str
    id: str
    label: str
    catalogs: tuple[str, ...]
    categories: tuple[str, ...]
    component: str
    likelihood: Level
    impact: Level
    risk: Risk
    status: Status
    controls: tuple[str, ...]
    missing_controls: tuple[str, ...]
    # Beyond the contract: kept for explain, reports and push.
    component_label: str = ""
    rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    treatment: str | None = None

    @property
    def iri(self) -> str:
        return finding_iri(self.threat, self.component)

    def sort_key(self) -> tuple[int, str, str]:
        return (RISK_ORDER[self.risk], self.id, self.component)

    def to_json(self) -> dict[str, object]:
        """The contract's JSON object for this finding (key order is part of the contract)."""
        return {
            "threat": self.threat,
            "id": self.id,
            "label": self.label,
            "catalogs": list(self.catalogs),
            "categories": list(self.categories),
            "component": self.component,
            "likelihood": self.likelihood,
            "impact": self.impact,
            "risk": self.risk,
            "status": self.status,
            "controls": list(self.controls),
            "missing_controls": list(self.missing_controls),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """The result of ``analyze``: the system, the adversary in force, the findings."""

    system: str | None
    adversary: str | None
    findings: tuple[Finding, ...]
    assumed_strongest_adversary: bool = True
    sources: tuple[str, ...] = field(default=())
