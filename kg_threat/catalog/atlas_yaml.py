"""Read and check a MITRE ATLAS release file (``ATLAS.yaml``) into plain records.

Only facts are kept: ids, names, relations, maturity. Description prose is dropped on reading.
Every problem with the file's shape is an :class:`~kg_threat.errors.SourceError` naming the
file and the place of the problem, so a newer release with a changed layout fails clearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from kg_threat.errors import InputError, SourceError

TACTIC_ID: Final = re.compile(r"AML\.TA\d{4}")
TECHNIQUE_ID: Final = re.compile(r"AML\.T\d{4}(\.\d{3})?")
MITIGATION_ID: Final = re.compile(r"AML\.M\d{4}")
CASE_STUDY_ID: Final = re.compile(r"AML\.CS\d{4}")


@dataclass(frozen=True, slots=True)
class Tactic:
    id: str
    name: str
    position: int  # 1-based column of the tactic in the ATLAS matrix


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    tactics: tuple[str, ...]  # as published; empty for sub-techniques
    parent: str | None  # the parent technique of a sub-technique
    maturity: str | None  # feasible | demonstrated | realized, when published


@dataclass(frozen=True, slots=True)
class Mitigation:
    id: str
    name: str
    techniques: tuple[str, ...]  # the techniques it addresses, sorted, no duplicates


@dataclass(frozen=True, slots=True)
class Step:
    tactic: str
    technique: str


@dataclass(frozen=True, slots=True)
class CaseStudy:
    id: str
    name: str
    kind: str | None  # exercise | incident
    steps: tuple[Step, ...]  # the procedure, in published order


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    tactics: tuple[Tactic, ...]
    techniques: tuple[Technique, ...]
    mitigations: tuple[Mitigation, ...]
    case_studies: tuple[CaseStudy, ...]
    notes: tuple[str, ...]  # quirks of the file that were repaired on reading

    def tactics_of(self, technique: Technique) -> tuple[str, ...]:
        """The tactics of a technique; a sub-technique has those of its parent."""
        if technique.parent is None:
            return technique.tactics
        parent = next(t for t in self.techniques if t.id == technique.parent)
        return parent.tactics


class _Reader:
    """Checks one parsed file; ``where`` strings locate problems like ``techniques[3]``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[str] = []

    def fail(self, where: str, message: str) -> SourceError:
        return SourceError(self.source, f"{where}: {message}")

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {type(value).__name__}")
        return value

    def items(self, parent: dict[str, Any], key: str, where: str, *,
              required: bool = True) -> list[Any]:
        value = parent.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"'{key}' must be a list")
        return value

    def text(self, entry: dict[str, Any], key: str, where: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{key}' must be a non-empty string")
        return " ".join(value.split())

    def ident(self, entry: dict[str, Any], where: str, pattern: re.Pattern[str]) -> str:
        value = self.text(entry, "id", where)
        if not pattern.fullmatch(value):
            raise self.fail(where, f"id {value!r} is not of the form {pattern.pattern}")
        return value


def read_release(path: Path) -> Release:
    """Parse ``path`` and check its shape; raise :class:`SourceError` on any problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise SourceError(source, f"not valid YAML: {exc.problem}", line=line,
                          column=column) from None
    except yaml.YAMLError as exc:
        raise SourceError(source, f"not valid YAML: {exc}") from None
    return _release(_Reader(source), data)


def _release(r: _Reader, data: object) -> Release:
    top = r.mapping(data, "top level")
    version = top.get("version")
    if not isinstance(version, str | int | float) or not str(version).strip():
        raise r.fail("top level", "'version' is missing: is this an ATLAS.yaml?")
    matrices = r.items(top, "matrices", "top level")
    if not matrices:
        raise r.fail("top level", "'matrices' is empty")
    tactics: list[Tactic] = []
    raw_techniques: list[tuple[str, dict[str, Any]]] = []
    raw_mitigations: list[tuple[str, dict[str, Any]]] = []
    for m, matrix_value in enumerate(matrices):
        where = f"matrices[{m}]"
        matrix = r.mapping(matrix_value, where)
        for i, value in enumerate(r.items(matrix, "tactics", where)):
            w = f"{where}.tactics[{i}]"
            entry = r.mapping(value, w)
            tactics.append(Tactic(r.ident(entry, w, TACTIC_ID), r.text(entry, "name", w),
                                  len(tactics) + 1))
        for i, value in enumerate(r.items(matrix, "techniques", where)):
            w = f"{where}.techniques[{i}]"
            raw_techniques.append((w, r.mapping(value, w)))
        for i, value in enumerate(r.items(matrix, "mitigations", where)):
            w = f"{where}.mitigations[{i}]"
            raw_mitigations.append((w, r.mapping(value, w)))
    _unique(r, "tactic", [t.id for t in tactics])
    techniques = _techniques(r, raw_techniques, {t.id for t in tactics})
    known = {t.id for t in techniques}
    mitigations = tuple(_mitigation(r, w, e, known) for w, e in raw_mitigations)
    _unique(r, "mitigation", [m.id for m in mitigations])
    cases = tuple(
        _case_study(r, f"case-studies[{i}]", r.mapping(v, f"case-studies[{i}]"), known,
                    {t.id for t in tactics})
        for i, v in enumerate(r.items(top, "case-studies", "top level", required=False))
    )
    _unique(r, "case study", [c.id for c in cases])
    return Release(str(version).strip(), tuple(tactics), techniques, mitigations, cases,
                   tuple(r.notes))


def _unique(r: _Reader, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise r.fail("top level", f"{kind} {ident} is published twice")
        seen.add(ident)


def _techniques(r: _Reader, raw: list[tuple[str, dict[str, Any]]],
                tactic_ids: set[str]) -> tuple[Technique, ...]:
    out: list[Technique] = []
    for where, entry in raw:
        ident = r.ident(entry, where, TECHNIQUE_ID)
        w = f"{where} ({ident})"
        parent = entry.get("subtechnique-of")
        tactics = tuple(str(t) for t in r.items(entry, "tactics", w, required=parent is None))
        if parent is None and not tactics:
            raise r.fail(w, "a technique needs at least one tactic")
        for tactic in tactics:
            if tactic not in tactic_ids:
                raise r.fail(w, f"refers to unknown tactic {tactic}")
        if parent is not None and (not isinstance(parent, str) or
                                   not ident.startswith(parent + ".")):
            raise r.fail(w, f"'subtechnique-of' {parent!r} is not the parent of {ident}")
        maturity = entry.get("maturity")
        if maturity is not None and not isinstance(maturity, str):
            raise r.fail(w, "'maturity' must be a string")
        out.append(Technique(ident, r.text(entry, "name", w), tactics, parent, maturity))
    _unique(r, "technique", [t.id for t in out])
    ids = {t.id for t in out}
    for t in out:
        if t.parent is not None and t.parent not in ids:
            raise r.fail(f"technique {t.id}", f"its parent {t.parent} is not published")
    return tuple(out)


def _mitigation(r: _Reader, where: str, entry: dict[str, Any], known: set[str]) -> Mitigation:
    ident = r.ident(entry, where, MITIGATION_ID)
    w = f"{where} ({ident})"
    uses = list(r.items(entry, "techniques", w, required=False))
    # Known quirk (ATLAS 5.6.0, AML.M0018 and AML.M0034): technique uses misplaced in the
    # 'ml-lifecycle' list. They are mappings with an 'id'; lifecycle stages are strings.
    for stage in r.items(entry, "ml-lifecycle", w, required=False):
        if isinstance(stage, dict):
            uses.append(stage)
            r.notes.append(f"{ident}: moved technique use {stage.get('id')} from 'ml-lifecycle'"
                           " to 'techniques'")
    addressed: set[str] = set()
    for i, use in enumerate(uses):
        target = r.ident(r.mapping(use, f"{w}.techniques[{i}]"), f"{w}.techniques[{i}]",
                         TECHNIQUE_ID)
        if target not in known:
            raise r.fail(w, f"addresses unknown technique {target}")
        addressed.add(target)
    return Mitigation(ident, r.text(entry, "name", w), tuple(sorted(addressed)))


def _case_study(r: _Reader, where: str, entry: dict[str, Any], known: set[str],
                tactic_ids: set[str]) -> CaseStudy:
    ident = r.ident(entry, where, CASE_STUDY_ID)
    w = f"{where} ({ident})"
    steps: list[Step] = []
    for i, value in enumerate(r.items(entry, "procedure", w)):
        sw = f"{w}.procedure[{i}]"
        step = r.mapping(value, sw)
        technique = r.text(step, "technique", sw)
        tactic = r.text(step, "tactic", sw)
        if technique not in known:
            raise r.fail(sw, f"uses unknown technique {technique}")
        if tactic not in tactic_ids:
            raise r.fail(sw, f"refers to unknown tactic {tactic}")
        steps.append(Step(tactic, technique))
    kind = entry.get("case-study-type")
    return CaseStudy(ident, r.text(entry, "name", w), kind if isinstance(kind, str) else None,
                     tuple(steps))
