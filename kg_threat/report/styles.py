"""How the data-flow diagram draws things: the table of component kinds and the risk colours.

The kind table is data: a component is drawn as the first kind in :data:`KINDS` among the
classes it belongs to (most specific kinds come first). Each ML component kind has its own
Graphviz shape; Mermaid has fewer shapes, so there the kind's name is written under the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from kg_threat.vocab import KGT

Role = Literal["node", "flow", "zone"]


@dataclass(frozen=True, slots=True)
class Kind:
    """A class of component and how to draw it."""

    iri: str
    name: str  # shown under the label and in the legend
    role: Role
    dot_shape: str
    mermaid_open: str  # Mermaid node delimiters around the quoted label
    mermaid_close: str


def _kind(local: str, name: str, dot_shape: str, mermaid: str, role: Role = "node") -> Kind:
    half = len(mermaid) // 2
    return Kind(KGT + local, name, role, dot_shape, mermaid[:half], mermaid[half:])


KINDS: Final[tuple[Kind, ...]] = (
    # Machine-learning kinds first: they are subclasses of the element kinds below.
    _kind("DataSource", "data source", "parallelogram", "[//]"),
    _kind("ModelProvider", "model provider", "house", "[[]]"),
    _kind("User", "user", "box", "[]"),
    _kind("Sensor", "sensor", "invtrapezium", "[\\/]"),
    _kind("ToolProvider", "tool provider", "component", ">]"),
    _kind("DataIngestion", "data ingestion", "invhouse", "[\\\\]"),
    _kind("LabelingProcess", "labeling process", "octagon", "{}"),
    _kind("TrainingPipeline", "training pipeline", "hexagon", "{{}}"),
    _kind("ModelServing", "model serving", "doubleoctagon", "(())"),
    _kind("LLMApplication", "LLM application", "septagon", "()"),
    _kind("AIAgent", "AI agent", "pentagon", "((()))"),
    _kind("TrainingDataStore", "training data store", "folder", "[()]"),
    _kind("FeatureStore", "feature store", "tab", "[()]"),
    _kind("ModelRegistry", "model registry", "box3d", "[()]"),
    _kind("VectorStore", "vector store", "Msquare", "[()]"),
    _kind("LogStore", "log store", "note", "[()]"),
    # The element kinds of a data-flow diagram.
    _kind("ExternalEntity", "external entity", "rect", "[]"),
    _kind("Process", "process", "ellipse", "([])"),
    _kind("DataStore", "data store", "cylinder", "[()]"),
    _kind("DataFlow", "data flow", "none", "", role="flow"),
    _kind("TrustBoundary", "trust boundary", "none", "", role="zone"),
)

#: A component of no known kind.
UNKNOWN_KIND: Final = Kind("", "component", "node", "box", "[", "]")
#: A trust boundary drawn as one node when a system is too large to draw every component.
ZONE_SUMMARY_KIND: Final = Kind("", "trust boundary", "node", "box3d", "[[", "]]")

#: Above this many components the diagram shows one node per trust boundary.
DETAILED_LIMIT: Final = 300


@dataclass(frozen=True, slots=True)
class Colour:
    fill: str
    line: str


#: Node colours by the highest risk among the component's unmitigated findings.
RISK_COLOURS: Final[dict[str, Colour]] = {
    "critical": Colour("#f2a7a7", "#8b0000"),
    "high": Colour("#f8c99b", "#b34700"),
    "medium": Colour("#fbe99a", "#8a6d00"),
    "low": Colour("#d4ebc9", "#2f6b1f"),
}
NO_RISK_COLOUR: Final = Colour("#ffffff", "#555555")

FLOW_COLOUR: Final = "#444444"
CROSSING_COLOUR: Final = "#c62828"
ZONE_COLOUR: Final = "#c62828"
FONT: Final = "Helvetica"
