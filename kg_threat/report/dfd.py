"""The data-flow diagram as plain records, built from the store with three queries.

Renderers (:mod:`kg_threat.report.diagram`) only read these records, so the Graphviz and
Mermaid drawings always show the same nodes, zones and flows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg_threat.model import RISK_ORDER, Finding, runs_of
from kg_threat.report.fetch import select, superclasses
from kg_threat.report.names import Names, clean
from kg_threat.report.styles import DETAILED_LIMIT, KINDS, UNKNOWN_KIND, ZONE_SUMMARY_KIND, Kind

_KIND_RANK = {kind.iri: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Zone:
    key: str
    ident: str
    label: str
    parent: str | None  # ident of the enclosing zone


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    ident: str
    label: str
    kind: Kind
    zone: str | None  # ident of its zone
    public: bool
    risk: str | None  # highest risk among its unmitigated findings


@dataclass(frozen=True, slots=True)
class Flow:
    key: str
    ident: str
    label: str
    source: str  # node ident
    target: str
    crossing: bool  # its ends lie in different trust zones
    risk: str | None = None  # highest risk among its unmitigated findings


@dataclass(frozen=True, slots=True)
class Diagram:
    zones: tuple[Zone, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    summarised: bool = False  # one node per trust zone (the system is too large to draw)
    components: int = 0


def highest_unmitigated_risk(findings: Sequence[Finding]) -> dict[str, str]:
    """Component IRI → the highest risk of its unmitigated findings (lookups only: the order of
    the keys is not meaningful)."""
    at: dict[str, set[str]] = defaultdict(set)  # risk -> components with an unmitigated finding of it
    for f, components in runs_of(findings):
        if f.status == "unmitigated":
            at[f.risk].update(components)
    highest: dict[str, str] = {}
    for risk in sorted(at, key=RISK_ORDER.__getitem__, reverse=True):  # a higher risk overwrites a lower one
        highest.update(dict.fromkeys(at[risk], risk))
    return highest


def _max_risk(risks: Iterable[str | None]) -> str | None:
    present = [r for r in risks if r is not None]
    return min(present, key=RISK_ORDER.__getitem__) if present else None


def _zones(store: ox.Store, names: Names) -> dict[str, Zone]:
    parents: dict[str, list[str]] = defaultdict(list)
    for row in select(store, "zones"):
        parent = row.get("parent")
        parents[row["zone"].text]
        if parent is not None and parent.text != row["zone"].text:
            parents[row["zone"].text].append(parent.text)
    order = sorted(parents, key=lambda key: (names.of(key), key))
    idents = {key: f"z{i}" for i, key in enumerate(order, 1)}
    zones: dict[str, Zone] = {}
    for key in order:
        candidates = sorted(parents[key], key=lambda p: (names.of(p), p))
        up = idents[candidates[0]] if candidates else None
        zones[key] = Zone(key, idents[key], names.of(key), up)
    # Drop parent links that close a cycle, so clusters always nest.
    parent_of = {z.ident: z.parent for z in zones.values()}
    for key in order:
        seen = {zones[key].ident}
        current = zones[key].ident
        while (up := parent_of[current]) is not None:
            if up in seen:
                parent_of[current] = None
                break
            seen.add(up)
            current = up
    zones = {k: Zone(z.key, z.ident, z.label, parent_of[z.ident]) for k, z in zones.items()}
    return zones


def build(store: ox.Store, names: Names, findings: Sequence[Finding], *,
          detailed: bool | None = None, supers: dict[str, frozenset[str]] | None = None
          ) -> Diagram:
    """The diagram of the system in ``store``, nodes coloured by ``findings``.

    ``detailed``: True draws every component, False one node per trust zone, None draws every
    component up to :data:`~kg_threat.report.styles.DETAILED_LIMIT`.
    """
    zones = _zones(store, names)
    supers = superclasses(store) if supers is None else supers
    classes: dict[str, set[str]] = defaultdict(set)
    inside: dict[str, set[str]] = defaultdict(set)
    public: set[str] = set()
    for row in select(store, "components"):
        key = row["component"].text
        classes[key]
        if "type" in row:
            asserted = row["type"].text
            classes[key].update(supers.get(asserted, (asserted,)))
        if "zone" in row:
            inside[key].add(row["zone"].text)
        if "public" in row and row["public"].text in ("true", "1"):
            public.add(key)
    risks = highest_unmitigated_risk(findings)
    kinds: dict[str, Kind] = {}
    for key, found in classes.items():
        ranked = sorted((_KIND_RANK[c], c) for c in found if c in _KIND_RANK)
        kinds[key] = KINDS[ranked[0][0]] if ranked else UNKNOWN_KIND
    keys = sorted((k for k in classes if kinds[k].role == "node"), key=lambda k: (names.of(k), k))
    nodes: dict[str, Node] = {}
    for i, key in enumerate(keys, 1):
        zone_keys = sorted((z for z in inside[key] if z in zones), key=lambda z: zones[z].ident)
        zone = zones[zone_keys[0]].ident if zone_keys else None
        nodes[key] = Node(key, f"n{i}", names.of(key), kinds[key], zone, key in public,
                          risks.get(key))
    flows = _flows(store, names, nodes, risks)
    used = _used_zones(zones.values(), nodes.values())
    diagram = Diagram(tuple(z for z in zones.values() if z.ident in used),
                      tuple(nodes.values()), flows, components=len(nodes))
    if detailed is None:
        return fit(diagram)
    return diagram if detailed else summarise(diagram)


def fit(diagram: Diagram) -> Diagram:
    """``diagram`` if it is small enough to draw every component, else its summary."""
    return diagram if len(diagram.nodes) <= DETAILED_LIMIT else summarise(diagram)


def _flows(store: ox.Store, names: Names, nodes: dict[str, Node], risks: dict[str, str]
           ) -> tuple[Flow, ...]:
    ends: dict[str, tuple[str, str]] = {}
    carried: dict[str, list[str]] = defaultdict(list)
    for row in select(store, "flows"):
        key = row["flow"].text
        ends.setdefault(key, (row["source"].text, row["target"].text))
        if "asset" in row:
            carried[key].append(names.of_value(row["asset"]))
    flows: list[tuple[str, str, str, str, str, bool]] = []
    for key, (source, target) in ends.items():
        if source not in nodes or target not in nodes:
            continue
        label = names.labels.get(key) or ", ".join(sorted(set(carried[key])))
        a, b = nodes[source], nodes[target]
        flows.append((a.ident, b.ident, clean(label), key, names.of(key),
                      a.zone != b.zone))
    flows.sort(key=lambda f: (int(f[0][1:]), int(f[1][1:]), f[2], f[4], f[3]))
    return tuple(Flow(key, f"f{i}", label, src, dst, crossing, risks.get(key))
                 for i, (src, dst, label, key, _, crossing) in enumerate(flows, 1))


def flow_names(diagram: Diagram) -> dict[str, str]:
    """A name for every drawn flow: ``source → target``."""
    label = {node.ident: node.label for node in diagram.nodes}
    return {flow.key: f"{label[flow.source]} → {label[flow.target]}"
            for flow in diagram.flows if flow.key}


def _used_zones(zones: Iterable[Zone], nodes: Iterable[Node]) -> set[str]:
    parent = {z.ident: z.parent for z in zones}
    used: set[str] = set()
    for node in nodes:
        current = node.zone
        while current is not None and current not in used:
            used.add(current)
            current = parent.get(current)
    return used


def summarise(diagram: Diagram) -> Diagram:
    """One node per trust zone (and one for components outside any), flows counted between them."""
    members: dict[str | None, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        members[node.zone].append(node)
    labels = {z.ident: z.label for z in diagram.zones}
    nodes: list[Node] = []
    ident_of: dict[str | None, str] = {}
    ordered = sorted(members, key=lambda z: (z is None, labels.get(z or "", ""), z or ""))
    for i, zone in enumerate(ordered, 1):
        group = members[zone]
        name = labels[zone] if zone is not None else "Outside any trust boundary"
        ident_of[zone] = f"n{i}"
        nodes.append(Node(zone or "", f"n{i}", f"{name} ({len(group)} components)",
                          ZONE_SUMMARY_KIND, None, any(n.public for n in group),
                          _max_risk(n.risk for n in group)))
    zone_of = {n.ident: n.zone for n in diagram.nodes}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    risks: dict[tuple[str, str], list[str | None]] = defaultdict(list)
    for flow in diagram.flows:
        a, b = zone_of[flow.source], zone_of[flow.target]
        if a != b:
            counts[(ident_of[a], ident_of[b])] += 1
            risks[(ident_of[a], ident_of[b])].append(flow.risk)
    pairs = sorted(counts, key=lambda p: (int(p[0][1:]), int(p[1][1:])))
    flows = tuple(
        Flow("", f"f{i}", f"{counts[p]} flows" if counts[p] > 1 else "1 flow", p[0], p[1], True,
             _max_risk(risks[p]))
        for i, p in enumerate(pairs, 1)
    )
    return Diagram((), tuple(nodes), flows, summarised=True, components=diagram.components)
