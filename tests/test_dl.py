"""The DL mode: HermiT (through owlready2) on the bundled ontology and on small systems."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_threat import dl
from kg_threat.errors import InputError, LimitExceeded
from kg_threat.load import load_ontology

pytestmark = [
    pytest.mark.dl,
    pytest.mark.skipif(shutil.which("java") is None, reason="the DL mode needs Java"),
]

KGT = "https://w3id.org/kg-threat/ontology#"
SMALL = "https://example.org/dl-small#"
BAD = "https://example.org/dl-bad#"


VOCABULARY_CLASSES = {
    KGT + name
    for name in [
        "System", "Component", "DiagramElement", "ExternalEntity", "Process", "DataStore",
        "DataFlow", "TrustBoundary", "DataSource", "ModelProvider", "User", "Sensor",
        "ToolProvider", "DataIngestion", "LabelingProcess", "TrainingPipeline", "ModelServing",
        "LLMApplication", "AIAgent", "TrainingDataStore", "FeatureStore", "ModelRegistry",
        "VectorStore", "LogStore", "Asset", "TrainingData", "Model", "Prediction",
        "EvaluationMetrics", "Environment", "Documentation", "Credential", "Prompt",
    ]
}


def kgt(*names: str) -> set[str]:
    return {KGT + n for n in names}


def nt_of(path: Path) -> bytes:
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def test_the_bundled_ontology_is_consistent() -> None:
    report = dl.check_ontology()
    assert report.consistent, report.message
    assert report.unsatisfiable == ()
    assert report.message == "consistent"


def test_classification_of_a_small_system(data_dir: Path) -> None:
    store = ox.Store()
    store.bulk_load(path=str(data_dir / "dl" / "small-system.ttl"), format=ox.RdfFormat.TURTLE)
    load_ontology(store)

    classes = dl.classify(store)

    def kinds(individual: str) -> set[str]:
        return classes[SMALL + individual] & VOCABULARY_CLASSES

    element = kgt("Component", "DiagramElement")
    assert kinds("crowd") == element | kgt("ExternalEntity", "DataSource")
    assert kinds("f1") == element | kgt("DataFlow")
    assert kinds("f2") == element | kgt("DataFlow")  # typed only by the domain of kgt:from
    assert kinds("zone") == kgt("Component", "TrustBoundary")
    assert kinds("model") == kgt("Model", "Asset")
    assert kinds("sys") == kgt("System")
    # a user's subclass of a kind is classified under the kind and everything above it
    assert kinds("api") == element | kgt("Process", "ModelServing")
    assert SMALL + "MyServing" in classes[SMALL + "api"]
    assert SMALL + "MyServing" not in classes  # a class, not an individual


def test_contradictions_are_reported_with_their_culprits(data_dir: Path) -> None:
    with pytest.raises(InputError) as caught:
        dl.classify(nt_of(data_dir / "dl" / "contradictions.ttl"))
    message = str(caught.value)
    assert message == (
        "HermiT finds the data inconsistent with the ontology; contradictory: "
        f"<{BAD}both> (asserted: kgt:DataStore, kgt:Process); "
        f"<{BAD}worker> (asserted: kgt:Process)"
    )


def test_bad_ntriples_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^N-Triples input, line 1: "):
        dl.classify(b"<https://example.org/a> <https://example.org/p> .\n")


def test_a_tiny_timeout_is_a_limit() -> None:
    with pytest.raises(LimitExceeded, match=r"^the DL reasoner did not finish within 0.01 s"):
        dl.classify(b"", timeout=0.01)


def _processes_mentioning(marker: str) -> dict[int, str]:
    """Live processes whose command line contains ``marker`` (zombies excluded)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def _big_system(components: int) -> bytes:
    lines = [
        f"<urn:p{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KGT}ModelServing> .\n"
        f"<urn:f{i}> <{KGT}from> <urn:p{i}> .\n<urn:f{i}> <{KGT}to> <urn:p{i + 1}> .\n"
        f"<urn:p{i}> <{KGT}serves> <urn:m{i}> .\n"
        for i in range(components)
    ]
    return "".join(lines).encode()


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_timeout_kills_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The reasoner's working folder (and so HermiT's input file) goes under tmp_path: the
    # java started for this test is the one whose command line mentions it.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    marker = str(tmp_path)
    seen: dict[int, str] = {}
    outcome: list[BaseException] = []

    def reason() -> None:
        try:
            dl.classify(_big_system(10000), timeout=45)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=reason)
    worker.start()
    while worker.is_alive():
        seen.update({
            pid: cmd
            for pid, cmd in _processes_mentioning(marker).items()
            if "org.semanticweb.HermiT" in cmd
        })
        time.sleep(0.2)
    worker.join()

    assert len(outcome) == 1 and isinstance(outcome[0], LimitExceeded), outcome
    assert seen, "java had not started before the timeout; nothing was checked"
    assert all(cmd.split()[0].endswith("java") for cmd in seen.values())
    # neither java nor the child that ran it is left, and the working folder is gone
    assert _processes_mentioning(marker) == {}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.dl
def test_check_ontology_command(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check-ontology")
    assert run.code == 0, run.stderr
    assert "the ontology is consistent" in run.stdout


@pytest.mark.dl
def test_dl_mode_gives_the_same_findings_as_the_rules(cli, example) -> None:  # type: ignore[no-untyped-def]
    rules = cli("analyze", example, "--format", "csv")
    dl_mode = cli("analyze", example, "--format", "csv", "--reasoner", "dl")
    assert dl_mode.code == 0, dl_mode.stderr
    assert dl_mode.stdout == rules.stdout
