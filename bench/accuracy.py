"""Recall of the ATLAS findings against real attacks (MITRE ATLAS case studies).

Each file `tests/data/casestudies/<AML.CSxxxx>.ttl` describes the target of one case study as
its owner would. The engine's ATLAS findings on it are compared with the techniques the attack
used that depend on the system (see `expected`). Run from the repository root:

    .venv/bin/python bench/accuracy.py [ATLAS.yaml]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "data" / "casestudies"
DEFAULT_ATLAS = Path("/work/shared/catalogs/atlas/ATLAS.yaml")

# Reconnaissance and Resource Development describe the attacker's preparation; these few of
# them depend on the system (see the header of ontology/atlas-applicability.ttl).
PREPARATION_TACTICS = frozenset({"AML.TA0002", "AML.TA0003"})
PREPARATION_KEPT = frozenset({
    "AML.T0019", "AML.T0058", "AML.T0060", "AML.T0065", "AML.T0066", "AML.T0104",
    "AML.T0002.001", "AML.T0008.003",
})
# Obtaining capabilities, establishing accounts, user execution and acquiring infrastructure:
# the attacker's doing whatever the system is.
UNRELATED = ("AML.T0016", "AML.T0017", "AML.T0021", "AML.T0008")

# Techniques that only make sense against an LLM application or an agent. Three ids in the
# T0051-T0094 block are not LLM-specific and are left out: Phishing (T0052; its Deepfake-Assisted
# sub-technique targets face and voice checks), Unsecured Credentials (T0055; ShadowRay, CS0023,
# found them on a training cluster) and Discover AI Model Outputs (T0063; used against malware
# and e-mail classifiers in CS0003 and CS0008).
_LLM_NUMBERS = (
    51, 53, 54, 56, 57, 61, 62, 64, 65, 66, 67, 68, 69, 70, 71, 77,
    80, 81, 82, 83, 84, 85, 86, 92, 93, 94,
)
LLM_TECHNIQUES = frozenset(f"AML.T{n:04d}" for n in _LLM_NUMBERS)


@dataclass(frozen=True)
class CaseResult:
    case: str
    expected: frozenset[str]
    found: frozenset[str]
    missed: tuple[str, ...]
    findings: int
    components: int

    @property
    def recall(self) -> float:
        if not self.expected:
            return 1.0
        return (len(self.expected) - len(self.missed)) / len(self.expected)


def parent(technique: str) -> str:
    return ".".join(technique.split(".")[:2])


def load_catalog(path: Path) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Tactics of every technique, and the case studies by id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tactics: dict[str, list[str]] = {}
    for matrix in data["matrices"]:
        for technique in matrix["techniques"]:
            tactics[technique["id"]] = list(technique.get("tactics", []))
    cases = {case["id"]: case for case in data["case-studies"]}
    return tactics, cases


def expected(case: dict[str, Any], tactics: dict[str, list[str]]) -> frozenset[str]:
    """The system-dependent techniques a case study's procedure used."""
    kept: set[str] = set()
    for step in case["procedure"]:
        technique = step["technique"]
        if parent(technique) in UNRELATED:
            continue
        own = tactics.get(technique) or tactics.get(parent(technique), [])
        preparation = bool(own) and set(own) <= PREPARATION_TACTICS
        if preparation and technique not in PREPARATION_KEPT:
            continue
        kept.add(technique)
    return frozenset(kept)


def covered(technique: str, found: Iterable[str]) -> bool:
    """Found exactly: a finding has this very id (a parent or a sub-technique does not count)."""
    return technique in set(found)


def evaluate(path: Path, case: dict[str, Any], tactics: dict[str, list[str]]) -> CaseResult:
    from kg_threat.pipeline import run

    result = run([str(path)])
    findings = result.analysis.findings
    found = frozenset(f.id for f in findings if "ATLAS" in f.catalogs)
    want = expected(case, tactics)
    missed = tuple(sorted(t for t in want if not covered(t, found)))
    components = len({f.component for f in findings})
    return CaseResult(case["id"], want, found, missed, len(findings), components)


def evaluate_all(atlas: Path = DEFAULT_ATLAS) -> list[CaseResult]:
    tactics, cases = load_catalog(atlas)
    return [
        evaluate(path, cases[path.stem], tactics) for path in sorted(CASES_DIR.glob("*.ttl"))
    ]


def overall_recall(results: Iterable[CaseResult]) -> float:
    """Micro-averaged: techniques found over techniques expected, across all cases."""
    rows = list(results)
    total = sum(len(r.expected) for r in rows)
    hit = sum(len(r.expected) - len(r.missed) for r in rows)
    return hit / total if total else 1.0


def table(results: list[CaseResult]) -> str:
    lines = [
        "| case | expected | found | recall | findings per component | missed |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        per = r.findings / r.components if r.components else 0.0
        lines.append(
            f"| {r.case} | {len(r.expected)} | {len(r.expected) - len(r.missed)} "
            f"| {r.recall:.0%} | {per:.1f} | {', '.join(r.missed) or '-'} |"
        )
    mean = sum(r.findings / max(r.components, 1) for r in results) / max(len(results), 1)
    lines.append("")
    lines.append(f"Overall recall: {overall_recall(results):.1%} over {len(results)} cases")
    lines.append(f"Mean findings per component: {mean:.1f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    atlas = Path(argv[1]) if len(argv) > 1 else DEFAULT_ATLAS
    print(table(evaluate_all(atlas)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
