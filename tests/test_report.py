"""The threat-model document: golden files of the example, sections, escaping, errors."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg_threat import pipeline, validate
from kg_threat.model import Analysis
from kg_threat.report import markdown, write_report
from kg_threat.report.content import collect
from kg_threat.report.links import Catalog
from kg_threat.report.names import Names
from kg_threat.report.sections import SECTIONS, Gap

GOLDEN = Path(__file__).resolve().parent / "golden" / "report"
DATE = "2026-09-01"
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def without_svg(html: str) -> str:
    """The page with its Graphviz drawing left out: coordinates depend on the Graphviz version."""
    return _SVG.sub("<svg><!-- diagram: see fraud-scoring.dot --></svg>", html)


# The golden reports leave validation out (``--no-validate``): the wording of SHACL messages
# is the validate step's; the gaps section is tested below against kg_threat.validate itself.


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KG_THREAT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.is_file(), f"no golden file {path}: run with KG_THREAT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden file; if the change is intended, "
        "regenerate with KG_THREAT_UPDATE_GOLDEN=1")


@pytest.fixture
def example_copy(example: Path, tmp_path: Path) -> Path:
    target = tmp_path / example.name
    target.write_bytes(example.read_bytes())
    return target


def test_html_report_of_the_example_matches_its_golden_file(
        cli: Callable[..., object], example_copy: Path) -> None:
    run = cli("report", example_copy.name, "-o", "fraud-scoring.html", "--date", DATE,
              "--no-validate", cwd=example_copy.parent)
    assert (run.code, run.stderr) == (0, "kg-threat: wrote fraud-scoring.html\n")  # type: ignore[attr-defined]
    html = (example_copy.parent / "fraud-scoring.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1
    check_golden("fraud-scoring.html", without_svg(html))


def test_markdown_report_of_the_example_matches_its_golden_file_and_has_its_svg(
        cli: Callable[..., object], example_copy: Path) -> None:
    run = cli("report", example_copy.name, "-o", "fraud-scoring.md", "--date", DATE, "-q",
              "--no-validate", cwd=example_copy.parent)
    assert (run.code, run.stderr) == (0, "")  # type: ignore[attr-defined]
    text = (example_copy.parent / "fraud-scoring.md").read_text(encoding="utf-8")
    check_golden("fraud-scoring.md", text)
    svg = (example_copy.parent / "fraud-scoring.svg").read_text(encoding="utf-8")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg')
    assert "<!--" not in svg
    assert "![Data-flow diagram](fraud-scoring.svg)" in text
    assert "```mermaid\nflowchart LR\n" in text


def test_reports_are_the_same_bytes_on_every_run(example: Path, tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        result = pipeline.run([str(example)])
        write_report(result, tmp_path / run / "r.html", date=None)
        write_report(result, tmp_path / run / "r.md", date=None)
        outputs.append([(tmp_path / run / n).read_bytes() for n in ("r.html", "r.md", "r.svg")])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_every_section_is_present_in_order(example: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    write_report(pipeline.run([str(example)]), out)
    text = out.read_text(encoding="utf-8")
    positions = []
    for ident, title in SECTIONS:
        heading = f'<section id="{ident}">\n<h2>{title}</h2>' if suffix == ".html" \
            else f"\n## {title}\n"
        assert heading in text, title
        positions.append(text.index(heading))
    assert positions == sorted(positions)


def test_the_example_report_says_what_the_model_says(example: Path) -> None:
    report = collect(pipeline.run([str(example)]))
    assert report.methodology.date == "2026-09-01"  # the model's kgt:reviewedOn
    assert report.exercise.title == "Fraud scoring threat model"
    assert report.exercise.stakeholders == ("ML platform team", "Security engineering")
    assert report.exercise.owners == ("Head of ML platform",)
    assert report.attacker.name == "Organised fraud ring"
    assert report.attacker.access == ("Scoring API",)
    assert [(a.name, a.sensitivity, a.personal) for a in report.assets] == [
        ("Labelled transactions", "restricted", True),
        ("Fraud model", "confidential", None),
        ("Fraud score", "internal", None),
    ]
    assert "stored in Transaction lake" in report.assets[0].where
    assert "carried by Transaction ingestion → Transaction lake" in report.assets[0].where
    [treatment] = report.treatments
    assert (treatment.threat.text, treatment.component, treatment.decision, treatment.owners) == (
        "ModelDrift", "Scoring API", "accept", ("Head of ML platform",))
    assert treatment.rationale == (
        "Weekly retraining bounds drift; monitored by the fraud analysts.",)
    assert [g.risk for g in report.risks] == sorted(
        (g.risk for g in report.risks), key=["critical", "high", "medium", "low"].index)
    assert report.finding_count == len(pipeline.run([str(example)]).analysis.findings)
    assert report.methodology.ontology_version == "0.1.0"
    assert {name for name, _ in report.methodology.catalogs} >= {"ATLAS", "ML", "STRIDE"}
    assert report.methodology.sources == ("fraud-scoring.ttl",)


def test_findings_are_grouped_by_risk_then_component(example: Path) -> None:
    result = pipeline.run([str(example)])
    report = collect(result)
    seen = {(f.threat.text, c.iri, g.risk) for g in report.risks for c in g.components
            for f in c.findings}
    assert seen == {(f.id, f.component, f.risk) for f in result.analysis.findings}
    for group in report.risks:
        names = [c.name for c in group.components]
        assert names == sorted(names)
        assert all(f.risk == group.risk for c in group.components for f in c.findings)


def test_date_option_wins_over_the_review_date(cli: Callable[..., object], example: Path,
                                                tmp_path: Path) -> None:
    run = cli("report", example, "-o", tmp_path / "r.md", "--date", "2030-01-31", "-q")
    assert run.code == 0  # type: ignore[attr-defined]
    assert "- **Date:** 2030-01-31\n" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_without_an_adversary_the_report_says_the_strongest_was_assumed(
        data_dir: Path, tmp_path: Path) -> None:
    result = pipeline.run([str(data_dir / "report" / "minimal.ttl")])
    write_report(result, tmp_path / "r.html")
    write_report(result, tmp_path / "r.md")
    note = "No adversary is declared: the strongest one was assumed"
    assert note in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"> {note}" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_exclusions_are_listed_with_their_reasons(data_dir: Path) -> None:
    report = collect(pipeline.run([str(data_dir / "report" / "zones.ttl")]))
    assert [(e.excludes, e.rationale) for e in report.exclusions] == [
        (("Repudiation",), ("Audit trail is out of scope for this review.",))]


def test_gaps_are_rendered_when_given(example: Path, tmp_path: Path) -> None:
    gap = Gap("Warning", "https://example.org/fraud#tm", "review is older than a year")
    write_report(pipeline.run([str(example)]), tmp_path / "r.md", gaps=[gap])
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| Warning | https://example.org/fraud#tm | review is older than a year |" in text


HOSTILE_TEXT = ["<script>alert", "<img src=x", "</td></tr><tr><td>injected", "<<b>bold</b>>", "<!-- comment -->"]


def test_html_escapes_every_label(data_dir: Path, tmp_path: Path) -> None:
    write_report(pipeline.run([str(data_dir / "report" / "hostile.ttl")]), tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    for raw in HOSTILE_TEXT:
        assert raw not in html, raw
    assert html.count("<script>") == 1  # ours, at the end
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")


def test_markdown_escapes_every_label(data_dir: Path, tmp_path: Path) -> None:
    write_report(pipeline.run([str(data_dir / "report" / "hostile.ttl")]), tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    for raw in HOSTILE_TEXT:
        assert raw not in text, raw
    assert "- **Owner:** \\[click\\](javascript:alert(1)) \\| broken \\| table\n" in text
    assert "carried by a\\|b&quot;c\\]d\\`e#f;&lt;g&gt;" in text
    assert text.count("```") == 2  # the Mermaid fence only


def test_markdown_escape_is_inert() -> None:
    assert markdown.escape("a|b*c_d[e]`f<g>&h~$") == "a\\|b\\*c\\_d\\[e\\]\\`f&lt;g&gt;&amp;h\\~\\$"
    assert markdown.escape(markdown.Raw("**kept**")) == "**kept**"


def test_links_only_to_web_pages(tmp_path: Path) -> None:
    store = ox.Store()
    store.load(
        b'<https://w3id.org/kg-threat/atlas#AML.T0024> <http://purl.org/dc/terms/identifier> '
        b'"AML.T0024" ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)> .\n'
        b'<https://w3id.org/kg-threat/atlas#AML.M0004> <http://purl.org/dc/terms/identifier> '
        b'"AML.M0004" .\n', format=ox.RdfFormat.TURTLE)
    catalog = Catalog.fetch(store, Names.fetch(store))
    atlas = "https://w3id.org/kg-threat/atlas#"
    assert catalog.link(atlas + "AML.T0024").href == \
        "https://atlas.mitre.org/techniques/AML.T0024"
    assert catalog.link(atlas + "AML.M0004").href == \
        "https://atlas.mitre.org/mitigations/AML.M0004"
    assert catalog.link("https://example.org/x#Other").href is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/r.pdf"], "cannot tell the report format from the extension"),
        (["-o", "{tmp}/missing/r.html"], "no such directory"),
        (["-o", "{tmp}/r.html", "--date", "01/02/2026"],
         "--date: expected a date as YYYY-MM-DD, got '01/02/2026'"),
    ],
)
def test_bad_usage_exits_2_with_a_message(cli: Callable[..., object], example: Path,
                                          tmp_path: Path, args: list[str], message: str) -> None:
    run = cli("report", example, *[a.format(tmp=tmp_path) for a in args])
    assert run.code == 2  # type: ignore[attr-defined]
    assert run.stderr.startswith("kg-threat: error: ")  # type: ignore[attr-defined]
    assert message in run.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in run.stderr  # type: ignore[attr-defined]
    assert list(tmp_path.iterdir()) == []


def test_a_syntax_error_in_the_input_exits_2(cli: Callable[..., object], tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <x#> .\n:a :b \n", encoding="utf-8")
    run = cli("report", bad, "-o", tmp_path / "r.html")
    assert run.code == 2  # type: ignore[attr-defined]
    assert "bad.ttl:" in run.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "r.html").exists()


def test_what_is_missing_comes_from_validating_the_model(example: Path) -> None:
    result = pipeline.run([str(example)])
    report = collect(result)
    checked = validate.validate(result, today=dt.date(2026, 9, 1)).results
    assert report.gaps
    assert sum(g.count for g in report.gaps) == len(checked)
    assert {(g.severity, g.message) for g in report.gaps} == {
        (r.severity, r.message) for r in checked}
    api = [g for g in report.gaps if g.focus == "Scoring API (https://example.org/fraud#scoringApi)"]
    assert [g.severity for g in api] == ["Warning"]


def test_the_model_is_validated_in_a_child_or_here_with_the_same_report(
        example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report validates the model in a child process while it gathers its sections; where
    no child can be forked the validation runs in the process: the report is the same, and
    the analysis's store is left as it was either way."""
    from kg_threat import background

    result = pipeline.run([str(example)])
    before = set(result.store)
    assert background.forkable()
    forked = collect(result, date=dt.date(2026, 9, 1))
    assert set(result.store) == before
    monkeypatch.setattr(background, "forkable", lambda: False)
    monkeypatch.setattr(validate, "forkable", lambda: False)
    here = collect(result, date=dt.date(2026, 9, 1))
    assert set(result.store) == before
    assert forked.gaps and forked == here


def test_a_result_not_from_the_pipeline_is_reported_without_validation(example: Path) -> None:
    @dataclass
    class Handmade:
        store: ox.Store
        analysis: Analysis

    result = pipeline.run([str(example)])
    report = collect(Handmade(result.store, result.analysis))
    assert report.gaps is None


def test_no_validate_leaves_the_model_unchecked(cli: Callable[..., object], example: Path,
                                                tmp_path: Path) -> None:
    run = cli("report", example, "-o", tmp_path / "r.md", "--no-validate", "-q")
    assert run.code == 0  # type: ignore[attr-defined]
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    section = text.split("## What is missing in this threat model\n")[1].split("## ")[0]
    assert section.strip() == "*The model was not checked against its shapes.*"


def test_a_large_group_is_written_in_pieces_with_the_same_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTML page is written piece by piece and a risk group's component blocks in pieces
    of a few hundred: the page is the same whatever the size of the pieces, and the file
    written is the page."""
    import subprocess
    import sys

    from kg_threat.report import diagram, html

    estate = tmp_path / "estate.ttl"
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "bench" / "generate.py"),
                    "--components", "700", "--seed", "5", "--out", str(estate)], check=True, timeout=300)
    result = pipeline.run([str(estate)])
    report = collect(result, date=dt.date(2026, 9, 1), check_model=False)
    assert max(len(group.components) for group in report.risks) > 2 * 500
    svg = diagram.to_svg(report.diagram, standalone=False)
    pages = []
    for size in (1, 7, 500, 10**9):
        monkeypatch.setattr(html, "_BLOCKS_PER_PIECE", size)
        pages.append(html.render(report, svg))
    assert pages[0].count("<details ") == sum(len(g.components) for g in report.risks)
    assert pages[1:] == pages[:1] * 3
    out = tmp_path / "r.html"
    write_report(result, out, date=dt.date(2026, 9, 1), check_model=False)
    assert out.read_text(encoding="utf-8") == pages[0]
