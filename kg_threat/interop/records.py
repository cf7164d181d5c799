"""The intermediate model every importer fills and the Turtle writer reads.

Kinds and controls are local names in the ``kgt:`` namespace (``Process``, ``EncryptionAtRest``);
catalog threats are full IRIs. The records are built by one importer in one call and then
read; nothing here is shared between runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

BASE_KINDS: Final = ("ExternalEntity", "Process", "DataStore")


@dataclass
class Element:
    """An external entity, process or data store of the source model."""

    id: str
    name: str
    kind: str  # one of BASE_KINDS
    description: str = ""
    technology: tuple[str, ...] = ()  # declared technology or type, as written in the source
    tags: tuple[str, ...] = ()
    boundaries: list[str] = field(default_factory=list)
    controls: set[str] = field(default_factory=set)
    public: bool | None = None
    out_of_scope: str | None = None  # the reason, when the source marks it out of scope
    processes: list[str] = field(default_factory=list)  # asset ids
    stores: list[str] = field(default_factory=list)  # asset ids
    ml_kind: str | None = None
    ml_reason: str = ""
    placeholder: bool = False
    comments: list[str] = field(default_factory=list)


@dataclass
class Flow:
    """A data flow between two elements (by id)."""

    id: str
    name: str
    source: str
    target: str
    description: str = ""
    controls: set[str] = field(default_factory=set)
    carries: list[str] = field(default_factory=list)  # asset ids
    out_of_scope: str | None = None


@dataclass
class Boundary:
    """A trust zone; ``parent`` is the zone it is nested in, if any."""

    id: str
    name: str
    description: str = ""
    parent: str | None = None
    implicit: bool = False  # the zone of everything outside the declared ones (not in source)


@dataclass
class Asset:
    """A data asset with its classification."""

    id: str
    name: str
    description: str = ""
    sensitivity: str | None = None  # PublicData | InternalData | Confidential | Restricted
    personal: bool | None = None
    kind: str = "Asset"  # Asset or one of its subclasses (TrainingData, Model…)
    kind_reason: str = ""


@dataclass
class Treatment:
    """A recorded decision about one threat on one element or flow."""

    id: str
    threat: str  # IRI of the closest catalog threat
    component: str  # id of an element or a flow
    decision: str  # Mitigate | Eliminate | Transfer | Accept
    title: str = ""
    rationale: str = ""
    owner: str | None = None


@dataclass
class Model:
    """One imported model and the problems met while reading it."""

    format: str
    source: str
    title: str = ""
    description: str = ""
    owner: str | None = None
    stakeholders: list[str] = field(default_factory=list)
    reviewed_on: str | None = None
    elements: dict[str, Element] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    boundaries: dict[str, Boundary] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    treatments: dict[str, Treatment] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Record one problem of the source (reported once, import goes on)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def placeholder(self, ref: str, kind: str, why: str) -> Element:
        """The element ``ref`` names, or a placeholder of ``kind`` standing in for it."""
        found = self.elements.get(ref)
        if found is not None:
            return found
        other = ("a trust boundary" if ref in self.boundaries else "a data flow"
                 if ref in self.flows else "a data asset" if ref in self.assets else None)
        problem = f"is {other}, not an element" if other else "is not declared"
        self.warn(f"{why} '{ref}', which {problem}; added a placeholder {kind}")
        element = Element(id=ref, name=ref, kind=kind, placeholder=True)
        element.comments.append(f"Placeholder added on import: {why} '{ref}', which the "
                                "source does not declare as an element.")
        self.elements[ref] = element
        return element
