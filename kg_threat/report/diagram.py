"""Draw the data-flow diagram: Graphviz DOT and SVG, and Mermaid.

Trust zones are clusters (Mermaid subgraphs), flows that cross a zone are drawn red and thick,
nodes are filled by the highest risk among their unmitigated findings, and each component kind
has its own shape (:mod:`kg_threat.report.styles`). Every label is user input: DOT labels go
through ``graphviz.escape`` and Mermaid labels are written as entity codes.
"""

from __future__ import annotations

import re
from collections import defaultdict

import graphviz

from kg_threat.errors import KgThreatError
from kg_threat.report.dfd import Diagram, Flow, Node
from kg_threat.report.styles import (
    CROSSING_COLOUR,
    FLOW_COLOUR,
    FONT,
    NO_RISK_COLOUR,
    RISK_COLOURS,
    ZONE_COLOUR,
)

_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_PROLOG = re.compile(r"<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*", re.DOTALL)
_MERMAID_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-_/'()")


def _flow_label(flow: Flow) -> str:
    return f"{flow.label} ({flow.risk})" if flow.risk else flow.label


def _subtitle(node: Node) -> str:
    return "«" + node.kind.name + (", public" if node.public else "") + "»"


def to_dot(diagram: Diagram) -> str:
    """The diagram as Graphviz DOT source."""
    graph = graphviz.Digraph(
        "dfd",
        graph_attr={"rankdir": "LR", "fontname": FONT, "fontsize": "11", "nodesep": "0.35",
                    "ranksep": "0.6", "newrank": "true"},
        node_attr={"fontname": FONT, "fontsize": "10", "style": "filled", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": FLOW_COLOUR,
                   "fontcolor": FLOW_COLOUR},
    )
    children: dict[str | None, list[str]] = defaultdict(list)
    for zone in diagram.zones:
        children[zone.parent].append(zone.ident)
    members: dict[str | None, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        members[node.zone].append(node)
    labels = {zone.ident: zone.label for zone in diagram.zones}

    def fill(target: graphviz.Digraph, zone: str | None) -> None:
        for child in children[zone]:
            with target.subgraph(name=f"cluster_{child}") as cluster:
                cluster.attr(label=graphviz.escape(labels[child]), style="dashed,rounded",
                             color=ZONE_COLOUR, fontcolor=ZONE_COLOUR, id=child)
                fill(cluster, child)
        for node in members[zone]:
            colour = RISK_COLOURS.get(node.risk or "", NO_RISK_COLOUR)
            target.node(node.ident, label=graphviz.escape(f"{node.label}\n{_subtitle(node)}"),
                        shape=node.kind.dot_shape, fillcolor=colour.fill, color=colour.line,
                        tooltip=graphviz.escape(node.key or node.label), id=node.ident)

    fill(graph, None)
    for flow in diagram.flows:
        style = ({"color": CROSSING_COLOUR, "fontcolor": CROSSING_COLOUR, "penwidth": "2.2"}
                 if flow.crossing else {})
        graph.edge(flow.source, flow.target, label=graphviz.escape(_flow_label(flow)),
                   id=flow.ident, tooltip=graphviz.escape(flow.key or flow.label),
                   **style)
    source: str = graph.source
    return source


def to_svg(diagram: Diagram, *, standalone: bool = True) -> str:
    """The diagram drawn by Graphviz ``dot`` as SVG, without comments (no tool version).

    ``standalone=False`` leaves out the XML prolog and doctype, for inlining in HTML.
    """
    try:
        svg = graphviz.Source(to_dot(diagram)).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise KgThreatError(
            "cannot draw the diagram: the Graphviz 'dot' program is not installed",
            hint="install Graphviz (Debian: apt-get install graphviz), or write .dot or .mmd",
        ) from None
    except graphviz.CalledProcessError as exc:
        raise KgThreatError(f"Graphviz failed to draw the diagram: {exc.stderr!r}") from None
    assert isinstance(svg, str)
    svg = _COMMENT.sub("", svg)
    body = _PROLOG.sub("", svg)
    if standalone:
        return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body
    return body


def _mermaid_text(text: str) -> str:
    return "".join(c if c in _MERMAID_SAFE else f"#{ord(c)};" for c in text)


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid flowchart."""
    lines = ["flowchart LR"]
    children: dict[str | None, list[str]] = defaultdict(list)
    for zone in diagram.zones:
        children[zone.parent].append(zone.ident)
    members: dict[str | None, list[Node]] = defaultdict(list)
    for node in diagram.nodes:
        members[node.zone].append(node)
    labels = {zone.ident: zone.label for zone in diagram.zones}

    def fill(zone: str | None, depth: int) -> None:
        pad = "    " * depth
        for child in children[zone]:
            lines.append(f'{pad}subgraph {child}["{_mermaid_text(labels[child])}"]')
            fill(child, depth + 1)
            lines.append(f"{pad}end")
        for node in members[zone]:
            kind = node.kind
            text = f"{_mermaid_text(node.label)}<br/><i>{_mermaid_text(_subtitle(node))}</i>"
            lines.append(f'{pad}{node.ident}{kind.mermaid_open}"{text}"{kind.mermaid_close}')

    fill(None, 1)
    crossing: list[str] = []
    for index, flow in enumerate(diagram.flows):
        arrow = "==>" if flow.crossing else "-->"
        text = _flow_label(flow)
        label = f'|"{_mermaid_text(text)}"|' if text else ""
        lines.append(f"    {flow.source} {arrow}{label} {flow.target}")
        if flow.crossing:
            crossing.append(str(index))
    for zone in diagram.zones:
        lines.append(f"    style {zone.ident} fill:none,stroke:{ZONE_COLOUR},"
                     "stroke-dasharray:5 4")
    by_risk: dict[str, list[str]] = defaultdict(list)
    for node in diagram.nodes:
        by_risk[node.risk or "none"].append(node.ident)
    for risk, colour in [*RISK_COLOURS.items(), ("none", NO_RISK_COLOUR)]:
        if by_risk[risk]:
            lines.append(f"    classDef {risk} fill:{colour.fill},stroke:{colour.line}")
            lines.append(f"    class {','.join(by_risk[risk])} {risk}")
    if crossing:
        lines.append(f"    linkStyle {','.join(crossing)} stroke:{CROSSING_COLOUR},"
                     "stroke-width:2px")
    return "\n".join(lines) + "\n"
