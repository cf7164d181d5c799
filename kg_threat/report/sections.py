"""The content of a threat-model document, section by section, as plain records.

:mod:`kg_threat.report.content` fills them from the store and the findings; the Markdown and
HTML writers only lay them out. All text here is the user's, unescaped: writers escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg_threat.report.dfd import Diagram


@dataclass(frozen=True, slots=True)
class Link:
    """A named thing with an optional public page (``http`` or ``https`` only)."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Exercise:
    """Scope and stakeholders: the ``kgt:ThreatModel``."""

    title: str
    system: str | None
    scope: tuple[str, ...]
    stakeholders: tuple[str, ...]
    owners: tuple[str, ...]
    reviewed_on: str | None


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    kinds: tuple[str, ...]
    sensitivity: str | None
    personal: bool | None
    where: tuple[str, ...]  # "stored in Transaction lake", "carried by Bank feed"…


@dataclass(frozen=True, slots=True)
class Attacker:
    """The adversary in force; ``name`` is None when the strongest one was assumed."""

    name: str | None
    knowledge: tuple[str, ...]
    capability: tuple[str, ...]
    access: tuple[str, ...]
    goals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FindingRow:
    threat: Link
    label: str
    catalogs: tuple[str, ...]
    categories: tuple[str, ...]
    likelihood: str
    impact: str
    risk: str
    status: str
    controls: tuple[str, ...]
    missing_controls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComponentFindings:
    anchor: str  # stable HTML id
    name: str
    iri: str
    findings: tuple[FindingRow, ...]
    unmitigated: int


@dataclass(frozen=True, slots=True)
class RiskGroup:
    risk: str
    total: int
    unmitigated: int
    components: tuple[ComponentFindings, ...]


@dataclass(frozen=True, slots=True)
class Treatment:
    threat: Link
    component: str
    decision: str
    rationale: tuple[str, ...]
    owners: tuple[str, ...]
    transferred_to: tuple[str, ...]
    evidence: tuple[str, ...]  # "Red-team exercise (2026-05-02)"


@dataclass(frozen=True, slots=True)
class Exclusion:
    excludes: tuple[str, ...]
    rationale: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """A SHACL result on the model: something missing or wrong in the threat model itself."""

    severity: str
    focus: str  # the node's name and IRI
    message: str
    count: int = 1  # how many results say the same of that node (one per finding, say)


@dataclass(frozen=True, slots=True)
class Methodology:
    catalogs: tuple[tuple[str, str], ...]  # (catalog, version or "")
    ontology_version: str
    tool_version: str
    date: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    exercise: Exercise
    assets: tuple[Asset, ...]
    attacker: Attacker
    diagram: Diagram
    risks: tuple[RiskGroup, ...]
    treatments: tuple[Treatment, ...]
    exclusions: tuple[Exclusion, ...]
    gaps: tuple[Gap, ...] | None  # None: model validation is not available
    methodology: Methodology

    @property
    def finding_count(self) -> int:
        return sum(group.total for group in self.risks)


#: Section ids and titles, in document order (the table of contents of both formats).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("scope", "Scope and stakeholders"),
    ("assets", "Assets"),
    ("attacker", "Attacker model"),
    ("diagram", "Data-flow diagram"),
    ("findings", "Findings"),
    ("treatments", "Treatments"),
    ("exclusions", "Exclusions"),
    ("gaps", "What is missing in this threat model"),
    ("methodology", "Methodology"),
)
