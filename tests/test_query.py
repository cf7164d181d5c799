"""Risk views: a golden file per view on the example, --list, parameters, user queries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg_threat import query

GOLDEN = Path(__file__).resolve().parent / "golden" / "views"
VIEWS = [v.name for v in query.views()]


def test_the_bundled_views() -> None:
    assert set(VIEWS) >= {"risk-register", "stride-matrix", "unmitigated", "privacy",
                          "trust-boundary-crossings", "attack-paths", "atlas-coverage"}
    for view in query.views():
        text = view.path.read_text()
        assert text.startswith("#") and "# Parameters:" in text and "# Columns:" in text
        assert "ORDER BY" in text and "PREFIX" in text


@pytest.mark.parametrize("name", VIEWS)
def test_view_golden(cli, example: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("query", example, name, "--format", "csv")
    assert run.code == 0, run.stderr
    golden = GOLDEN / f"{name}.csv"
    if os.environ.get("KG_THREAT_UPDATE_GOLDEN") == "1":
        golden.write_text(run.stdout)
    assert run.stdout == golden.read_text()


def test_list(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("query", "--list")
    assert run.code == 0
    assert [line.split()[0] for line in run.stdout.splitlines()] == VIEWS


def test_unknown_query_exit_2(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("query", example, "no-such-view")
    assert run.code == 2
    assert "unknown query 'no-such-view'" in run.stderr


def test_user_query_with_bound_parameter(cli, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rq = tmp_path / "by-component.rq"
    rq.write_text(
        "PREFIX kgt: <https://w3id.org/kg-threat/ontology#>\n"
        "SELECT ?threat ?component WHERE { ?f kgt:affects ?component ; kgt:aboutThreat ?threat }\n"
        "ORDER BY ?threat\n"
    )
    run = cli("query", example, rq, "--param", "component=https://example.org/fraud#registry", "--format", "csv")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "threat,component"
    assert "https://w3id.org/kg-threat/ontology#ModelStealing,https://example.org/fraud#registry" in lines
    assert all(line.endswith("#registry") for line in lines[1:])


def test_row_limit(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("query", example, "risk-register", "--max-rows", "3")
    assert run.code == 2
    assert "row limit reached: the query returned more than 3 rows" in run.stderr


def test_parameter_must_be_projected(cli, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rq = tmp_path / "hidden.rq"
    rq.write_text("SELECT ?s WHERE { ?s ?p $o } ORDER BY ?s\n")
    run = cli("query", example, rq, "--param", "o=x")
    assert run.code == 2
    assert "list the parameter ?o in the SELECT clause" in run.stderr
