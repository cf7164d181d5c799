"""ATLAS findings against real attacks: the MITRE ATLAS case studies in tests/data/casestudies."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import rdflib

ROOT = Path(__file__).resolve().parent.parent
ATLAS = Path("/work/shared/catalogs/atlas/ATLAS.yaml")
KGT = rdflib.Namespace("https://w3id.org/kg-threat/ontology#")
MEASURED_RECALL = 0.95


def _load_accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy()
CASES = sorted((ROOT / "tests" / "data" / "casestudies").glob("*.ttl"))


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    if not ATLAS.exists():
        pytest.skip("the ATLAS release is not available")
    return {r.case: r for r in accuracy.evaluate_all(ATLAS)}


def _is_llm_system(path: Path) -> bool:
    graph = rdflib.Graph().parse(path, format="turtle")
    kinds = set(graph.objects(None, rdflib.RDF.type))
    return bool(kinds & {KGT.LLMApplication, KGT.AIAgent})


def test_at_least_twelve_cases_of_every_kind() -> None:
    assert len(CASES) >= 12
    llm = [p for p in CASES if _is_llm_system(p)]
    assert 0 < len(llm) < len(CASES)


def test_every_case_study_is_known(results: dict[str, object]) -> None:
    assert sorted(results) == [p.stem for p in CASES]


def test_overall_recall(results: dict[str, object]) -> None:
    assert accuracy.overall_recall(results.values()) >= MEASURED_RECALL


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_no_llm_technique_without_llm(path: Path, results: dict[str, object]) -> None:
    if _is_llm_system(path):
        return
    found = results[path.stem].found  # type: ignore[attr-defined]
    llm_hits = sorted(t for t in found if accuracy.parent(t) in accuracy.LLM_TECHNIQUES)
    assert llm_hits == []


def test_expected_excludes_attacker_preparation() -> None:
    tactics, cases = accuracy.load_catalog(ATLAS) if ATLAS.exists() else pytest.skip("no ATLAS")
    # CS0013: reconnaissance (T0004) and capabilities (T0017.000) are the attacker's own doing,
    # searching app repositories (T0002.001) depends on a model shipped in an app.
    want = accuracy.expected(cases["AML.CS0013"], tactics)
    assert "AML.T0004" not in want
    assert "AML.T0017.000" not in want
    assert "AML.T0002.001" in want
