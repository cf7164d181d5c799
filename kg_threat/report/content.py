"""Fill the report's sections from the working store and the assessed findings.

Each kind of data comes from one query (``queries/report/*.rq``) over the whole store and is
grouped here in dictionaries: the work is linear in the size of the system and its findings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg_threat import __version__
from kg_threat.background import Background
from kg_threat.model import RISK_ORDER, Analysis, Finding, Findings, runs_of
from kg_threat.report import dfd
from kg_threat.report.fetch import Value, most_specific, select, superclasses
from kg_threat.report.links import Catalog
from kg_threat.report.names import Names
from kg_threat.report.sections import (
    Asset,
    Attacker,
    ComponentFindings,
    Exclusion,
    Exercise,
    FindingRow,
    Gap,
    Methodology,
    Report,
    RiskGroup,
    Treatment,
)
from kg_threat.vocab import KGT, RDFS

_SENSITIVITY_RANK = {KGT + "Restricted": 0, KGT + "Confidential": 1, KGT + "InternalData": 2,
                     KGT + "PublicData": 3}
_WHERE = {KGT + "stores": "stored in", KGT + "processes": "processed by",
          KGT + "carries": "carried by", KGT + "trains": "trained by", KGT + "serves": "served by"}
_NOT_A_KIND = {"http://www.w3.org/2002/07/owl#NamedIndividual", KGT + "Asset"}


class Result(Protocol):
    """What a report needs of an analysis run (``kg_threat.pipeline.run``'s result)."""

    @property
    def store(self) -> ox.Store: ...

    @property
    def analysis(self) -> Analysis: ...


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _grouped(rows: Iterable[dict[str, Value]], key: str) -> dict[str, list[dict[str, Value]]]:
    groups: dict[str, list[dict[str, Value]]] = defaultdict(list)
    for row in rows:
        groups[row[key].text].append(row)
    return groups


def _column(rows: Sequence[dict[str, Value]], var: str, show: Callable[[Value], str]
            ) -> tuple[str, ...]:
    return _unique(show(row[var]) for row in rows if var in row)


def exercise(store: ox.Store, names: Names, system: str | None) -> tuple[Exercise, list[str]]:
    """The first threat model (by IRI), and its ``kgt:reviewedOn`` dates."""
    by_model = _grouped(select(store, "threat-model"), "model")
    rows = by_model[min(by_model)] if by_model else []
    values: dict[str, list[Value]] = defaultdict(list)
    for row in rows:
        values[row["property"].text].append(row["value"])

    def shown(prop: str) -> tuple[str, ...]:
        return _unique(names.of_value(v) for v in values[KGT + prop])

    reviewed = sorted(v.text for v in values[KGT + "reviewedOn"])
    title = names.of_value(values[RDFS + "label"][0]) if values[RDFS + "label"] else (
        names.of(system) if system else "System")
    exercise = Exercise(title, names.of(system) if system else None, shown("scope"),
                        shown("stakeholder"), shown("owner"), reviewed[-1] if reviewed else None)
    return exercise, reviewed


def assets(store: ox.Store, names: Names, supers: dict[str, frozenset[str]]
           ) -> tuple[Asset, ...]:
    where: dict[str, set[str]] = defaultdict(set)
    for row in select(store, "asset-holders"):
        where[row["asset"].text].add(
            f"{_WHERE[row['relation'].text]} {names.of(row['holder'].text)}")
    found: list[tuple[int, str, str, Asset]] = []
    for key, rows in _grouped(select(store, "assets"), "asset").items():
        levels = sorted({r["sensitivity"].text for r in rows if "sensitivity" in r},
                        key=lambda s: (_SENSITIVITY_RANK.get(s, 9), s))
        personal = {r["personal"].text in ("true", "1") for r in rows if "personal" in r}
        types = most_specific({r["type"].text for r in rows if "type" in r}, supers)
        kinds = _unique(names.of(t) for t in types - _NOT_A_KIND)
        asset = Asset(names.of(key), kinds, names.of(levels[0]) if levels else None,
                      (True in personal) if personal else None, _unique(where[key]))
        rank = _SENSITIVITY_RANK.get(levels[0], 9) if levels else 9
        found.append((rank, asset.name, key, asset))
    return tuple(a for *_, a in sorted(found, key=lambda t: t[:3]))


def attacker(store: ox.Store, names: Names, adversary: str | None) -> Attacker:
    if adversary is None:
        return Attacker(None, (), (), (), ())
    rows = list(select(store, "adversary", {"adversary": adversary}))
    by: dict[str, list[dict[str, Value]]] = defaultdict(list)
    for row in rows:
        by[row["property"].text].append(row)
    show = names.of_value
    return Attacker(names.of(adversary), _column(by[KGT + "knowledge"], "value", show),
                    _column(by[KGT + "capability"], "value", show),
                    _column(by[KGT + "canAccess"], "value", show),
                    _column(by[KGT + "goal"], "value", show))


def findings(found: Sequence[Finding], names: Names, catalog: Catalog) -> tuple[RiskGroup, ...]:
    """Findings grouped by risk (critical first), then by component (by name).

    The findings come in output order (risk, id, component), as runs of one assessment on
    several components; each run's row object is made once and shared, so the work per
    finding is a list append.
    """
    tree: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for proto, on in runs_of(found):
        by_component = tree[proto.risk]
        for component in on:
            by_component[component].append(proto)
    labels = found.labels if isinstance(found, Findings) else {}
    anchors = {c: f"c{i}" for i, c in enumerate(
        sorted({c for by_component in tree.values() for c in by_component}, key=lambda c: (names.of(c), c)), 1)}
    by_proto: dict[int, FindingRow] = {}  # the prototypes are alive while the rows are made
    shared: dict[tuple[object, ...], FindingRow] = {}

    def row(f: Finding) -> FindingRow:
        made = by_proto.get(id(f))
        if made is None:
            key = (f.threat, f.id, f.label, f.catalogs, f.categories, f.likelihood, f.impact,
                   f.risk, f.status, f.controls, f.missing_controls)
            made = shared.get(key)
            if made is None:
                made = shared[key] = FindingRow(
                    catalog.link(f.threat, f.id), f.label or names.of(f.threat), f.catalogs,
                    f.categories, f.likelihood, f.impact, f.risk, f.status,
                    tuple(names.of(c) for c in f.controls),
                    tuple(names.of(c) for c in f.missing_controls))
            by_proto[id(f)] = made
        return made

    groups: list[RiskGroup] = []
    for risk in sorted(tree, key=RISK_ORDER.__getitem__):
        components: list[ComponentFindings] = []
        for component, items in tree[risk].items():
            open_ = sum(f.status == "unmitigated" for f in items)
            name = labels.get(component) or next((f.component_label for f in items if f.component_label), "") \
                or names.of(component)
            components.append(ComponentFindings(f"{risk}-{anchors[component]}", name,
                                                component, tuple(map(row, items)), open_))
        components.sort(key=lambda c: (c.name, c.iri))
        groups.append(RiskGroup(risk, sum(len(c.findings) for c in components),
                                sum(c.unmitigated for c in components), tuple(components)))
    return tuple(groups)


def treatments(store: ox.Store, names: Names, catalog: Catalog) -> tuple[Treatment, ...]:
    found: list[Treatment] = []
    for rows in _grouped(select(store, "treatments"), "treatment").values():
        threats = sorted({r["threat"].text for r in rows if "threat" in r})
        evidence = _unique(
            names.of(r["evidence"].text) + (f" ({r['validatedOn'].text})"
                                            if "validatedOn" in r else "")
            for r in rows if "evidence" in r)
        show = names.of_value
        found.append(Treatment(
            catalog.link(threats[0]) if threats else catalog.unknown(),
            ", ".join(_column(rows, "component", show)) or "(no component)",
            ", ".join(_column(rows, "decision", show)) or "(no decision)",
            _column(rows, "rationale", show), _column(rows, "owner", show),
            _column(rows, "transferredTo", show), evidence))
    return tuple(sorted(found, key=lambda t: (t.component, t.threat.text, t.decision,
                                              t.rationale, t.owners)))


def exclusions(store: ox.Store, names: Names, catalog: Catalog) -> tuple[Exclusion, ...]:
    found = [Exclusion(_unique(catalog.name(r["excluded"].text) for r in rows if "excluded" in r),
                       _column(rows, "rationale", names.of_value))
             for rows in _grouped(select(store, "exclusions"), "exclusion").values()]
    return tuple(sorted(found, key=lambda e: (e.excludes, e.rationale)))


def methodology(store: ox.Store, date: str, sources: Iterable[str]) -> Methodology:
    catalogs: dict[str, set[str]] = defaultdict(set)
    ontology = ""
    for row in select(store, "methodology"):
        version = row["version"].text if "version" in row else ""
        if row["kind"].text == "ontology":
            ontology = version
        else:
            catalogs[row["name"].text].add(version)
    return Methodology(tuple((name, ", ".join(sorted(v for v in versions if v)))
                             for name, versions in sorted(catalogs.items())),
                       ontology, __version__, date, tuple(Path(s).name for s in sources))


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def model_results(result: Result, day: str, *, in_place: bool = False
                  ) -> list[tuple[str, str, str]] | None:
    """(severity, focus node, message) of each SHACL result on the model as of ``day``; None
    when ``result`` did not come from the pipeline. ``in_place``: the analysis's store
    becomes the validation store (in a child process, whose store is its own copy)."""
    from kg_threat import pipeline, validate

    if not isinstance(result, pipeline.Result):
        return None
    report = validate.validate(result, today=dt.date.fromisoformat(day), in_place=in_place)
    return [(found.severity, found.focus, found.message) for found in report.results]


def gaps_of(results: Iterable[tuple[str, str, str]], names: Names) -> tuple[Gap, ...]:
    """The report's gaps: SHACL results counted per severity, node (shown by name) and message."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for severity, focus, message in results:
        shown = names.of(focus) if focus.startswith("_:") else f"{names.of(focus)} ({focus})"
        counts[(severity, shown, message)] += 1
    ordered = sorted(counts, key=lambda k: (_SEVERITY_ORDER.get(k[0], 9), k))
    return tuple(Gap(severity, focus, message, counts[(severity, focus, message)])
                 for severity, focus, message in ordered)


def report_date(given: dt.date | None, reviewed: Sequence[str]) -> str:
    """``--date``, else the latest review date of the model, else today."""
    if given is not None:
        return given.isoformat()
    for text in reversed(reviewed):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            continue
    return dt.date.today().isoformat()


def collect(result: Result, *, date: dt.date | None = None,
            gaps: Sequence[Gap] | None = None, check_model: bool = True) -> Report:
    """Every section of the report of ``result``; ``gaps`` default to validating the model
    (when ``result`` comes from ``kg_threat.pipeline.run`` and ``check_model`` is true)."""
    store, analysis = result.store, result.analysis
    names = Names.fetch(store)
    day = report_date(date, exercise(store, names, analysis.system)[1])
    # The model is validated in a child process while the sections are gathered here (both
    # hold the interpreter lock; at 10,000 components each takes a few seconds).
    checking = Background(partial(model_results, result, day, in_place=True),
                          here=partial(model_results, result, day)) \
        if gaps is None and check_model else None
    try:
        supers = superclasses(store)
        drawing = dfd.build(store, names, analysis.findings, detailed=True, supers=supers)
        names = names.with_fallbacks(dfd.flow_names(drawing))
        drawing = dfd.fit(drawing)
        catalog = Catalog.fetch(store, names)
        report = Report(
            exercise=exercise(store, names, analysis.system)[0],
            assets=assets(store, names, supers),
            attacker=attacker(store, names, analysis.adversary),
            diagram=drawing,
            risks=findings(analysis.findings, names, catalog),
            treatments=treatments(store, names, catalog),
            exclusions=exclusions(store, names, catalog),
            gaps=tuple(gaps) if gaps is not None else None,
            methodology=methodology(store, day, analysis.sources),
        )
        if checking is not None:
            results = checking.result()
            report = replace(report, gaps=None if results is None else gaps_of(results, names))
    finally:
        if checking is not None:
            checking.cancel()
    return report
