"""Build a synthetic estate from a component count and a seed (``random.Random``, no other state).

Every sub-system is an ML pipeline: sources -> ingestion -> stores -> training -> registry ->
serving -> users, with logs, plain services and partners, and (in most sub-systems) an LLM
assistant with a vector index, an agent and tool servers. The first 19 kinds of a sub-system
cover every kind, so any estate of 19 or more components has all of them.
"""

from __future__ import annotations

import random
from collections import defaultdict

from decisions import add_decisions
from estate import CONTROLS_FOR, KIND_LABEL, Asset, Component, Estate, Flow, Zone

CORE = ("DataSource", "DataIngestion", "TrainingDataStore", "TrainingPipeline", "ModelRegistry",
        "ModelServing", "User", "LogStore", "Process", "DataStore", "ExternalEntity",
        "FeatureStore", "LabelingProcess", "Sensor", "ModelProvider")
LLM_PART = ("LLMApplication", "VectorStore", "AIAgent", "ToolProvider")
# Relative frequency of the kinds that fill a sub-system beyond its core.
FILL = {"DataSource": 6, "Sensor": 2, "User": 4, "ExternalEntity": 3, "DataIngestion": 3,
        "Process": 8, "DataStore": 5, "ModelServing": 2, "TrainingDataStore": 2,
        "FeatureStore": 1, "LogStore": 1, "TrainingPipeline": 1, "LabelingProcess": 1,
        "LLMApplication": 1, "AIAgent": 1, "ToolProvider": 1, "VectorStore": 1}
DOMAINS = ("fraud scoring", "churn prediction", "search ranking", "recommendations",
           "credit risk", "demand forecast", "document triage", "support assistant",
           "visual inspection", "speech transcription", "ad targeting", "pricing")
TRUST = {"DataSource": ("Trusted", "PartiallyTrusted", "Untrusted"),
         "User": ("Untrusted", "Untrusted", "PartiallyTrusted", "Trusted"),
         "Sensor": ("PartiallyTrusted", "Untrusted"), "ModelProvider": ("Trusted",
         "PartiallyTrusted"), "ToolProvider": ("PartiallyTrusted", "Untrusted"),
         "ExternalEntity": ("Trusted", "PartiallyTrusted")}
EXTERNAL = frozenset(TRUST)
FLOWS_PER_COMPONENT = 2
INTERNET = "internet"


def subsystem_sizes(n: int, rng: random.Random) -> list[int]:
    """Sizes of 20 to 50 components that add up to ``n`` (one smaller one when n < 20)."""
    sizes: list[int] = []
    left = n
    while left > 0:
        size = left if left <= 50 else rng.randint(20, min(50, left - 20))
        sizes.append(size)
        left -= size
    return sizes


def plan_kinds(size: int, with_llm: bool, rng: random.Random) -> list[str]:
    base = list(CORE) + (list(LLM_PART) if with_llm else [])
    kinds = base[:size]
    names, weights = list(FILL), list(FILL.values())
    kinds += rng.choices(names, weights, k=size - len(kinds))
    return kinds


class _Subsystem:
    """One pipeline being built; ``by_kind`` lists its component keys per kind."""

    def __init__(self, estate: Estate, index: int, rng: random.Random) -> None:
        self.estate, self.index, self.rng = estate, index, rng
        self.name = f"{DOMAINS[index % len(DOMAINS)]} {index + 1}"
        self.zone = f"zone-{index + 1}"
        self.by_kind: dict[str, list[str]] = defaultdict(list)
        self.pairs: set[tuple[str, str]] = set()
        self.assets: dict[str, str] = {}
        self.flow_count = 0

    def prefix(self) -> str:
        return f"s{self.index + 1}"

    def asset(self, role: str, kind: str, label: str, sensitivity: str,
              personal: bool = False) -> None:
        key = f"{self.prefix()}-{role}"
        self.assets[role] = key
        self.estate.assets.append(Asset(key, kind, f"{label} ({self.name})", sensitivity,
                                        personal))

    def add_component(self, kind: str) -> Component:
        number = len(self.by_kind[kind]) + 1
        key = f"{self.prefix()}-{kind.lower()}-{number}"
        external = kind in EXTERNAL
        comp = Component(key, kind, f"{KIND_LABEL[kind]} {number} ({self.name})",
                         INTERNET if external else self.zone)
        if external:
            comp.trust = self.rng.choice(TRUST[kind])
        elif self.rng.random() < 0.4:
            options = CONTROLS_FOR[kind]
            comp.controls = sorted(self.rng.sample(options, self.rng.randint(1, min(3,
                                                                              len(options)))))
        self.by_kind[kind].append(key)
        self.estate.components.append(comp)
        return comp

    def flow(self, source: str, target: str, role: str) -> bool:
        if source == target or (source, target) in self.pairs:
            return False
        self.pairs.add((source, target))
        self.flow_count += 1
        key = f"{self.prefix()}-flow-{self.flow_count}"
        label = f"flow {self.flow_count} ({self.name})"
        self.estate.flows.append(Flow(key, source, target, self.assets[role], label,
                                      self.rng.random() < 0.5))
        return True

    def pick(self, kind: str) -> str | None:
        keys = self.by_kind.get(kind)
        return self.rng.choice(keys) if keys else None

    def each(self, kind: str) -> list[str]:
        return list(self.by_kind.get(kind, ()))


def _describe(sub: _Subsystem, comps: list[Component]) -> None:
    """Set the ML behaviour properties of each component of a sub-system."""
    rng, a = sub.rng, sub.assets
    for comp in comps:
        kind = comp.kind
        if kind in ("TrainingDataStore", "VectorStore"):
            comp.stores = [a["data"]]
        elif kind == "FeatureStore":
            comp.stores = [a["features"]]
        elif kind == "ModelRegistry":
            comp.stores = [a["model"]]
        elif kind == "LogStore":
            comp.stores = [a["prediction"]]
        elif kind == "DataStore":
            comp.stores = [a["credential"]]
        elif kind in ("DataIngestion", "LabelingProcess"):
            comp.processes = [a["data"]]
        elif kind == "TrainingPipeline":
            comp.trains, comp.processes = a["model"], [a["data"]]
            comp.learns_online = rng.random() < 0.2
        elif kind == "ModelServing":
            comp.serves = a["model"]
            comp.public = rng.random() < 0.5
            comp.confidence_scores = rng.random() < 0.5
            comp.client_device = rng.random() < 0.1
        elif kind in ("LLMApplication", "AIAgent"):
            comp.serves, comp.processes = a["llm"], [a["prompt"]]
            comp.public = kind == "LLMApplication" and rng.random() < 0.7
            comp.retrieves_from = sub.each("VectorStore")[:1]
            comp.uses_tool = sub.each("ToolProvider")[:2]
        elif kind == "Process":
            comp.processes = [a["credential"]]


def _wire(sub: _Subsystem) -> None:
    """The pipeline's flows; then random flows inside the sub-system up to ~2 per component."""
    pick, each, flow = sub.pick, sub.each, sub.flow
    for src in each("DataSource") + each("Sensor"):
        if (ingest := pick("DataIngestion")) is not None:
            flow(src, ingest, "data")
    for ingest in each("DataIngestion"):
        for store_kind, role in (("TrainingDataStore", "data"), ("FeatureStore", "features")):
            if (store := pick(store_kind)) is not None:
                flow(ingest, store, role)
    for label in each("LabelingProcess"):
        if (store := pick("TrainingDataStore")) is not None:
            flow(store, label, "data")
            flow(label, store, "data")
    for store_kind, role in (("TrainingDataStore", "data"), ("FeatureStore", "features"),
                             ("ModelProvider", "llm")):
        for src in each(store_kind):
            if (train := pick("TrainingPipeline")) is not None:
                flow(src, train, role)
    registry = pick("ModelRegistry")
    for train in each("TrainingPipeline"):
        if registry is not None:
            flow(train, registry, "model")
    for serving in each("ModelServing"):
        if registry is not None:
            flow(registry, serving, "model")
        if (logs := pick("LogStore")) is not None:
            flow(serving, logs, "prediction")
    for user in each("User"):
        if (api := pick("ModelServing")) is not None:
            flow(user, api, "prediction")
            flow(api, user, "prediction")
        if (app := pick("LLMApplication")) is not None:
            flow(user, app, "prompt")
    for app in each("LLMApplication"):
        if (index := pick("VectorStore")) is not None:
            flow(index, app, "data")
        if (agent := pick("AIAgent")) is not None:
            flow(app, agent, "prompt")
    for agent in each("AIAgent"):
        if (tool := pick("ToolProvider")) is not None:
            flow(agent, tool, "credential")
            flow(tool, agent, "prompt")
    for service in each("Process"):
        if (db := pick("DataStore")) is not None:
            flow(service, db, "credential")
    for partner in each("ExternalEntity"):
        if (target := pick("Process")) is not None:
            flow(partner, target, "prediction")
    _pad(sub)


def _pad(sub: _Subsystem) -> None:
    inner = [k for kind, keys in sorted(sub.by_kind.items()) if kind not in EXTERNAL
             for k in keys]
    want = FLOWS_PER_COMPONENT * sum(len(v) for v in sub.by_kind.values())
    roles = sorted(sub.assets)
    attempts = 0
    while sub.flow_count < want and len(inner) > 1 and attempts < 20 * want:
        attempts += 1
        sub.flow(sub.rng.choice(inner), sub.rng.choice(inner), sub.rng.choice(roles))


def build_estate(n: int, seed: int) -> Estate:
    """An estate of exactly ``n`` components (plus flows, zones, assets), the same for a seed."""
    rng = random.Random(seed)
    estate = Estate(n, seed, zones=[Zone(INTERNET, "Internet")])
    registries: list[tuple[_Subsystem, str]] = []
    for index, size in enumerate(subsystem_sizes(n, rng)):
        sub = _Subsystem(estate, index, rng)
        estate.zones.append(Zone(sub.zone, f"{sub.name} network"))
        personal = rng.random() < 0.6
        sub.asset("data", "TrainingData", "training data",
                  "Restricted" if personal else "Confidential", personal)
        sub.asset("features", "TrainingData", "features", "InternalData")
        sub.asset("model", "Model", "model", "Confidential")
        sub.asset("prediction", "Prediction", "predictions", "InternalData")
        sub.asset("credential", "Credential", "service credentials", "Restricted")
        sub.asset("prompt", "Prompt", "prompts", "Confidential", rng.random() < 0.3)
        sub.asset("llm", "Model", "foundation model", "Confidential")
        start = len(estate.components)
        for kind in plan_kinds(size, index == 0 or rng.random() < 0.7, rng):
            sub.add_component(kind)
        comps = estate.components[start:]
        providers = sub.each("ModelProvider")
        if providers:
            estate.assets[-1].pretrained_by = providers[0]
        _describe(sub, comps)
        _wire(sub)
        registry = sub.pick("ModelRegistry")
        if registries and (serving := sub.pick("ModelServing")) and rng.random() < 0.3:
            other, other_registry = rng.choice(registries)
            estate.flows.append(Flow(f"{sub.prefix()}-shared-model", other_registry, serving,
                                     other.assets["model"], f"shared model ({sub.name})", True))
        if registry is not None:
            registries.append((sub, registry))
        estate.adversary_access += [c.key for c in comps if c.public]
    add_decisions(estate, rng)
    return estate
