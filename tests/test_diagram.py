"""The data-flow diagram: nodes, zones, crossings, colours, shapes; DOT, SVG and Mermaid."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.report import render_diagram
from kg_threat.report.dfd import Diagram, build, highest_unmitigated_risk
from kg_threat.report.names import Names
from kg_threat.report.styles import KINDS, NO_RISK_COLOUR, RISK_COLOURS
from kg_threat.vocab import KGT

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
FRAUD = "https://example.org/fraud#"
SVG_NS = "{http://www.w3.org/2000/svg}"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KG_THREAT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file (regenerate with KG_THREAT_UPDATE_GOLDEN=1)")


def laid_out(dot: str) -> dict[str, dict[str, str]]:
    """The nodes as Graphviz itself reads the DOT source: name → attributes."""
    proc = subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    objects = json.loads(proc.stdout).get("objects", [])
    return {o["name"]: o for o in objects if not o["name"].startswith("cluster_")}


def drawing(path: Path, *, detailed: bool | None = None) -> Diagram:
    result = pipeline.run([str(path)])
    return build(result.store, Names.fetch(result.store), result.analysis.findings,
                 detailed=detailed)


@pytest.fixture(scope="module")
def example_diagram() -> Diagram:
    return drawing(Path(__file__).resolve().parent.parent / "examples" / "fraud-scoring.ttl")


def test_example_nodes_kinds_and_zones(example_diagram: Diagram) -> None:
    zones = {z.ident: z.label for z in example_diagram.zones}
    assert sorted(zones.values()) == ["Corporate network", "Internet"]
    nodes = {n.key.removeprefix(FRAUD): (n.kind.name, zones[n.zone or ""], n.public)
             for n in example_diagram.nodes}
    assert nodes == {
        "banks": ("data source", "Internet", False),
        "merchants": ("user", "Internet", False),
        "ingest": ("data ingestion", "Corporate network", False),
        "lake": ("training data store", "Corporate network", False),
        "training": ("training pipeline", "Corporate network", False),
        "registry": ("model registry", "Corporate network", False),
        "scoringApi": ("model serving", "Corporate network", True),
    }


def test_flows_that_cross_a_boundary_are_marked(example_diagram: Diagram) -> None:
    by_key = {f.key.removeprefix(FRAUD): f for f in example_diagram.flows}
    assert sorted(by_key) == ["f1", "f2", "f3", "f4", "f5", "f6"]
    assert {k for k, f in by_key.items() if f.crossing} == {"f1", "f6"}
    assert by_key["f1"].label == "Bank feed"
    assert by_key["f2"].label == "Labelled transactions"  # unlabelled: what it carries


def test_nodes_are_coloured_by_their_highest_unmitigated_risk(example: Path) -> None:
    result = pipeline.run([str(example)])
    diagram = build(result.store, Names.fetch(result.store), result.analysis.findings)
    expected = highest_unmitigated_risk(result.analysis.findings)
    assert {n.key: n.risk for n in diagram.nodes} == {n.key: expected.get(n.key)
                                                      for n in diagram.nodes}
    drawn = laid_out(render_diagram(diagram, "dot"))
    for node in diagram.nodes:
        fill = RISK_COLOURS[node.risk].fill if node.risk else NO_RISK_COLOUR.fill
        assert drawn[node.ident]["fillcolor"] == fill


def test_highest_unmitigated_risk_ignores_treated_findings(example: Path) -> None:
    findings = pipeline.run([str(example)]).analysis.findings
    highest = highest_unmitigated_risk(findings)
    order = ["critical", "high", "medium", "low"]
    for component, risk in highest.items():
        open_ = [f.risk for f in findings if f.component == component
                 and f.status == "unmitigated"]
        assert risk == min(open_, key=order.index)
    assert all(f.component in highest for f in findings if f.status == "unmitigated")


def test_ml_component_kinds_have_distinct_shapes() -> None:
    nodes = [k for k in KINDS if k.role == "node"]
    shapes = [k.dot_shape for k in nodes]
    assert len(shapes) == len(set(shapes))
    assert len({k.iri for k in KINDS}) == len(KINDS)


def test_every_kind_is_drawn_with_its_shape_and_zones_nest(data_dir: Path) -> None:
    diagram = drawing(data_dir / "report" / "zones.ttl")
    kinds = {n.label: n.kind.iri.removeprefix(KGT) for n in diagram.nodes}
    assert kinds == {
        "Source": "DataSource", "Provider": "ModelProvider", "User": "User",
        "Camera": "Sensor", "Tools": "ToolProvider", "Ingest": "DataIngestion",
        "Labeling": "LabelingProcess", "Training": "TrainingPipeline", "Serving": "ModelServing",
        "Chat": "LLMApplication", "Agent": "AIAgent", "Training data": "TrainingDataStore",
        "Features": "FeatureStore", "Registry": "ModelRegistry", "Vectors": "VectorStore",
        "Logs": "LogStore",
    }
    zones = {z.ident: z for z in diagram.zones}
    parent = {z.label: zones[z.parent].label if z.parent else None for z in diagram.zones}
    assert parent["Private subnet"] == "VPC"
    assert parent["VPC"] == "Cloud"
    assert parent["Cloud"] is None
    assert None in (parent["Loop A"], parent["Loop B"])  # the cycle is cut once
    drawn = laid_out(render_diagram(diagram, "dot"))
    shape = {k.iri.removeprefix(KGT): k.dot_shape for k in KINDS}
    assert {n.ident: shape[kinds[n.label]] for n in diagram.nodes} == {
        name: attrs["shape"] for name, attrs in drawn.items()}


def test_dot_and_mermaid_of_the_example_match_their_golden_files(
        cli: Callable[..., object], example: Path, tmp_path: Path) -> None:
    for name in ("fraud-scoring.dot", "fraud-scoring.mmd"):
        run = cli("diagram", example, "-o", tmp_path / name, "-q")
        assert run.code == 0, run.stderr  # type: ignore[attr-defined]
        check_golden(name, (tmp_path / name).read_text(encoding="utf-8"))


def test_svg_is_deterministic_and_without_comments(cli: Callable[..., object], example: Path,
                                                   tmp_path: Path) -> None:
    for name in ("a.svg", "b.svg"):
        assert cli("diagram", example, "-o", tmp_path / name, "-q").code == 0  # type: ignore[attr-defined]
    svg = (tmp_path / "a.svg").read_bytes()
    assert svg == (tmp_path / "b.svg").read_bytes()
    assert b"<!--" not in svg
    root = ET.fromstring(svg)
    groups = {g.get("id"): g.get("class") for g in root.iter(f"{SVG_NS}g")}
    assert {k for k, v in groups.items() if v == "cluster"} == {"z1", "z2"}
    assert len([k for k, v in groups.items() if v == "node"]) == 7
    assert len([k for k, v in groups.items() if v == "edge"]) == 6


def test_hostile_labels_stay_labels(data_dir: Path) -> None:
    diagram = drawing(data_dir / "report" / "hostile.ttl")
    drawn = laid_out(render_diagram(diagram, "dot"))
    assert sorted(drawn) == ["n1", "n2"]
    assert sorted(a["label"] for a in drawn.values()) == [
        "<<b>bold</b>> \\\\N \\\\\" -->\n«user»", "<script>alert(1)</script>\n«model serving, public»"]
    svg = render_diagram(diagram, "svg")
    ET.fromstring(svg.encode())  # well-formed: nothing broke out of a text node
    texts = [t.text for t in ET.fromstring(svg.encode()).iter(f"{SVG_NS}text")]
    assert "<script>alert(1)</script>" in texts
    assert "<<b>bold</b>> \\N \\\" -->" in texts
    mermaid = render_diagram(diagram, "mermaid")
    for line in mermaid.splitlines():
        if "[" in line or "(" in line:  # nodes and subgraphs: exactly one quoted label
            assert line.count('"') in (0, 2), line
    assert "```" not in mermaid
    assert not re.search(r"^\s*end\s*$", mermaid.split("end\n")[0], re.MULTILINE)
    assert "<script>" not in mermaid


def big_system(tmp_path: Path, components: int) -> Path:
    lines = ["@prefix kgt: <https://w3id.org/kg-threat/ontology#> .",
             "@prefix : <https://example.org/big#> .",
             ":a a kgt:TrustBoundary . :b a kgt:TrustBoundary .",
             ":sys a kgt:System ."]
    for i in range(components):
        zone = ":a" if i % 2 else ":b"
        lines.append(f":p{i} a kgt:Process ; kgt:inside {zone} . :sys kgt:hasComponent :p{i} .")
        if i:
            lines.append(f":f{i} a kgt:DataFlow ; kgt:from :p{i - 1} ; kgt:to :p{i} .")
    lines.append(":x a kgt:DataStore .")
    path = tmp_path / "big.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_large_systems_are_drawn_one_node_per_boundary(tmp_path: Path) -> None:
    diagram = drawing(big_system(tmp_path, 400))
    assert diagram.summarised
    assert diagram.components == 401
    assert [n.label for n in diagram.nodes] == [
        "a (200 components)", "b (200 components)", "Outside any trust boundary (1 components)"]
    assert [(f.source, f.target, f.label, f.crossing) for f in diagram.flows] == [
        ("n1", "n2", "199 flows", True), ("n2", "n1", "200 flows", True)]
    full = drawing(tmp_path / "big.ttl", detailed=True)
    assert not full.summarised
    assert len(full.nodes) == 401


def test_diagram_detail_option(cli: Callable[..., object], tmp_path: Path) -> None:
    path = big_system(tmp_path, 20)
    assert cli("diagram", path, "-o", tmp_path / "z.mmd", "--detail", "zones", "-q").code == 0  # type: ignore[attr-defined]
    assert "a (10 components)" in (tmp_path / "z.mmd").read_text(encoding="utf-8")
    run = cli("diagram", path, "-o", tmp_path / "z.mmd", "--detail", "some")
    assert (run.code, run.stderr) == (  # type: ignore[attr-defined]
        2, "kg-threat: error: --detail: expected auto, full or zones, got 'some'\n")


def test_unknown_diagram_extension_exits_2(cli: Callable[..., object], example: Path,
                                           tmp_path: Path) -> None:
    run = cli("diagram", example, "-o", tmp_path / "d.png")
    assert run.code == 2  # type: ignore[attr-defined]
    assert "cannot tell the diagram format from the extension (use .dot, .gv, .mmd, .svg)" \
        in run.stderr  # type: ignore[attr-defined]
