"""The synthetic-estate generator of the benchmarks (bench/generate.py)."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "bench" / "generate.py"
KGT = "https://w3id.org/kg-threat/ontology#"
SPEC_KINDS = (
    "DataSource", "ModelProvider", "User", "Sensor", "ToolProvider", "DataIngestion",
    "LabelingProcess", "TrainingPipeline", "ModelServing", "LLMApplication", "AIAgent",
    "TrainingDataStore", "FeatureStore", "ModelRegistry", "VectorStore", "LogStore",
    "Process", "DataStore", "ExternalEntity",
)
PREFIX = f"PREFIX kgt: <{KGT}>\n"


def generate(tmp_path: Path, components: int, seed: int,
             *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATE), "--components", str(components), "--seed", str(seed),
         "--out", str(tmp_path / f"estate-{components}-{seed}.ttl"), *extra],
        capture_output=True, text=True, timeout=300,
    )


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def count(store: ox.Store, where: str) -> int:
    rows = list(store.query(PREFIX + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0]["n"].value)


def kind_counts(store: ox.Store) -> dict[str, int]:
    query = PREFIX + "SELECT ?kind (COUNT(?x) AS ?n) WHERE { ?x a ?kind } GROUP BY ?kind"
    return {row["kind"].value.removeprefix(KGT): int(row["n"].value) for row in
            store.query(query)}


@pytest.fixture(scope="module")
def estate_1000(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    tmp = tmp_path_factory.mktemp("estate")
    assert generate(tmp, 1000, 1).returncode == 0
    return load(tmp / "estate-1000-1.ttl")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    assert generate(first, 300, 7).returncode == 0
    assert generate(second, 300, 7).returncode == 0
    assert generate(second, 300, 8).returncode == 0
    a = (first / "estate-300-7.ttl").read_bytes()
    assert a == (second / "estate-300-7.ttl").read_bytes()
    assert a != (second / "estate-300-8.ttl").read_bytes()


def test_every_spec_kind_appears_at_1000(estate_1000: ox.Store) -> None:
    counts = kind_counts(estate_1000)
    missing = [kind for kind in SPEC_KINDS if counts.get(kind, 0) == 0]
    assert missing == []
    assert sum(counts[kind] for kind in SPEC_KINDS) == 1000


def test_estate_has_the_parts_of_a_threat_model(estate_1000: ox.Store) -> None:
    counts = kind_counts(estate_1000)
    assert counts["System"] == 1
    assert counts["ThreatModel"] == 1
    assert counts["Adversary"] == 1
    assert counts["Treatment"] >= 5
    assert counts["Exclusion"] >= 2
    for asset in ("TrainingData", "Model", "Prompt", "Credential", "Prediction"):
        assert counts[asset] > 0
    # one zone per sub-system of 20 to 50 components, plus the internet
    assert 1000 // 50 + 1 <= counts["TrustBoundary"] <= 1000 // 20 + 1
    assert 1800 <= counts["DataFlow"] <= 2200
    assert count(estate_1000, "?x kgt:containsPersonalData true") > 0
    assert count(estate_1000, "?x kgt:hasControl ?c ; a ?k . FILTER(?k != kgt:DataFlow)") > 100
    assert count(estate_1000, "?x kgt:trustLevel kgt:Untrusted") > 0
    assert count(estate_1000, "?x kgt:publiclyAccessible true") > 0
    assert count(estate_1000, "?tm kgt:scope ?x . ?x a kgt:System") == 1


def test_flows_join_declared_components_of_the_system(estate_1000: ox.Store) -> None:
    dangling = count(estate_1000, """
        ?x a kgt:DataFlow .
        { ?x kgt:from ?end } UNION { ?x kgt:to ?end }
        MINUS { <https://example.org/estate#estate> kgt:hasComponent ?end }
    """)
    assert dangling == 0
    assert count(estate_1000, "?x a kgt:DataFlow ; kgt:from ?a ; kgt:to ?b ; kgt:carries ?c") \
        == count(estate_1000, "?x a kgt:DataFlow")


def test_subsystem_sizes_add_up_and_stay_between_20_and_50() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from build import subsystem_sizes
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for n in (7, 20, 49, 51, 70, 71, 1000, 12345):
        sizes = subsystem_sizes(n, random.Random(n))
        assert sum(sizes) == n
        if n >= 20:
            assert all(20 <= size <= 50 for size in sizes), (n, sizes)


def test_small_estates_and_bad_arguments(tmp_path: Path) -> None:
    done = generate(tmp_path, 5, 1)
    assert done.returncode == 0
    assert sum(kind_counts(load(tmp_path / "estate-5-1.ttl")).get(k, 0) for k in SPEC_KINDS) == 5
    bad = generate(tmp_path, 0, 1)
    assert bad.returncode == 2
    assert "--components: must be at least 1" in bad.stderr


@pytest.mark.skipif(importlib.util.find_spec("pytm") is None, reason="pytm is not installed")
def test_pytm_model_runs_with_the_same_elements_and_flows(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    assert generate(tmp_path, 60, 3, "--pytm", str(script)).returncode == 0
    proc = subprocess.run([sys.executable, str(script), "--json", str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    model = json.loads((tmp_path / "out.json").read_text())
    store = load(tmp_path / "estate-60-3.ttl")
    counts = kind_counts(store)
    assert len(model["elements"]) == sum(counts.get(kind, 0) for kind in SPEC_KINDS) == 60
    assert len(model["flows"]) == counts["DataFlow"]
    assert len(model["boundaries"]) == counts["TrustBoundary"]
    assert len(model["findings"]) > 0
