"""The records of a synthetic ML estate, shared by the Turtle and the pytm writers.

An estate is a list of sub-systems (pipelines of 20 to 50 components), each in its own trust
zone, plus an internet zone that holds every external entity. Keys are local names in the
estate namespace and are valid Turtle local names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

NS: Final = "https://example.org/estate#"

# Each ML kind of the public vocabulary, with the element kind it specialises.
ELEMENT_OF: Final[dict[str, str]] = {
    "DataSource": "ExternalEntity",
    "ModelProvider": "ExternalEntity",
    "User": "ExternalEntity",
    "Sensor": "ExternalEntity",
    "ToolProvider": "ExternalEntity",
    "ExternalEntity": "ExternalEntity",
    "DataIngestion": "Process",
    "LabelingProcess": "Process",
    "TrainingPipeline": "Process",
    "ModelServing": "Process",
    "LLMApplication": "Process",
    "AIAgent": "Process",
    "Process": "Process",
    "TrainingDataStore": "DataStore",
    "FeatureStore": "DataStore",
    "ModelRegistry": "DataStore",
    "VectorStore": "DataStore",
    "LogStore": "DataStore",
    "DataStore": "DataStore",
}

ALL_KINDS: Final = tuple(ELEMENT_OF)

# Human-readable names of the kinds, used in labels.
KIND_LABEL: Final[dict[str, str]] = {
    "DataSource": "data source",
    "ModelProvider": "model provider",
    "User": "users",
    "Sensor": "sensor",
    "ToolProvider": "tool server",
    "ExternalEntity": "partner",
    "DataIngestion": "ingestion",
    "LabelingProcess": "labelling",
    "TrainingPipeline": "training",
    "ModelServing": "inference API",
    "LLMApplication": "assistant",
    "AIAgent": "agent",
    "Process": "service",
    "TrainingDataStore": "training data",
    "FeatureStore": "feature store",
    "ModelRegistry": "model registry",
    "VectorStore": "vector index",
    "LogStore": "logs",
    "DataStore": "database",
}

# Controls that make sense on each kind; a fraction of components gets a few of them.
CONTROLS_FOR: Final[dict[str, tuple[str, ...]]] = {
    "Process": ("Authentication", "AccessControl", "InputValidation", "AuditLogging",
                "RateLimiting", "AnomalyDetection"),
    "DataIngestion": ("DataValidation", "DataProvenanceTracking", "Authentication",
                      "InputValidation"),
    "LabelingProcess": ("DataValidation", "AccessControl", "AuditLogging"),
    "TrainingPipeline": ("DataValidation", "DataProvenanceTracking", "DifferentialPrivacy",
                         "AdversarialTraining", "ModelIntegrityVerification"),
    "ModelServing": ("Authentication", "RateLimiting", "OutputMinimization", "InputValidation",
                     "AdversarialTraining", "ModelWatermarking", "DriftMonitoring",
                     "AnomalyDetection"),
    "LLMApplication": ("Authentication", "RateLimiting", "InputValidation", "AuditLogging",
                       "AnomalyDetection"),
    "AIAgent": ("AccessControl", "AuditLogging", "InputValidation"),
    "DataStore": ("EncryptionAtRest", "AccessControl", "AuditLogging"),
    "TrainingDataStore": ("EncryptionAtRest", "AccessControl", "Anonymization",
                          "DataProvenanceTracking"),
    "FeatureStore": ("EncryptionAtRest", "AccessControl"),
    "ModelRegistry": ("ModelIntegrityVerification", "EncryptionAtRest", "AccessControl"),
    "VectorStore": ("EncryptionAtRest", "AccessControl", "Anonymization"),
    "LogStore": ("EncryptionAtRest", "AccessControl", "Anonymization"),
}


@dataclass(frozen=True)
class Zone:
    key: str
    label: str


@dataclass
class Asset:
    key: str
    kind: str  # TrainingData, Model, Prediction, Prompt, Credential
    label: str
    sensitivity: str  # PublicData, InternalData, Confidential, Restricted
    personal: bool = False
    pretrained_by: str | None = None


@dataclass
class Component:
    key: str
    kind: str
    label: str
    zone: str
    trust: str | None = None
    public: bool = False
    controls: list[str] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    trains: str | None = None
    serves: str | None = None
    learns_online: bool = False
    confidence_scores: bool = False
    client_device: bool = False
    uses_tool: list[str] = field(default_factory=list)
    retrieves_from: list[str] = field(default_factory=list)

    @property
    def element(self) -> str:
        return ELEMENT_OF[self.kind]


@dataclass
class Flow:
    key: str
    source: str
    target: str
    asset: str
    label: str
    encrypted: bool = False


@dataclass
class Treatment:
    key: str
    threat: str  # local name of a kgt: threat, category or attack class
    component: str
    decision: str  # Mitigate, Eliminate, Transfer, Accept
    rationale: str
    owner: str
    transferred_to: str | None = None
    validated_on: str | None = None  # xsd:date of the evidence, for Mitigate


@dataclass
class Exclusion:
    key: str
    target: str  # a component key, or "kgt:" + a threat or category local name
    rationale: str


@dataclass
class Estate:
    components_requested: int
    seed: int
    zones: list[Zone] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    treatments: list[Treatment] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    adversary_access: list[str] = field(default_factory=list)
