"""`kg-threat catalog`: list, show, search over the bundled catalogs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg_threat.catalog.browse import Catalog
from kg_threat.errors import InputError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


def test_list_json_has_every_atlas_technique(shared: Path, cli: Callable[..., Any]) -> None:
    data = yaml.safe_load((shared / "catalogs" / "atlas" / "ATLAS.yaml").read_text())
    published = {t["id"] for t in data["matrices"][0]["techniques"]}
    run = cli("catalog", "list", "--format", "json")
    assert run.code == 0, run.stderr
    rows = json.loads(run.stdout)
    listed = {r["id"] for r in rows if r["kind"] in ("technique", "sub-technique")}
    assert len(published) == 170
    assert listed == published
    assert {r["catalog"] for r in rows if r["kind"] == "technique"} == {"ATLAS"}


@pytest.mark.parametrize(("ident", "label", "kind", "catalog_name"), [
    ("AML.T0020", "Poison Training Data", "technique", "ATLAS"),
    ("AML.T0051.001", "Indirect", "sub-technique", "ATLAS"),
    ("AML.M0015", "Adversarial Input Detection", "mitigation", "ATLAS"),
    ("AML.TA0001", "AI Attack Staging", "tactic", "ATLAS"),
    ("LLM01", "Prompt Injection", "owasp-llm", "OWASP-LLM"),
    ("ML05", "Model Theft", "owasp-ml", "OWASP-ML"),
    ("Spoofing", "Spoofing", "stride", "STRIDE"),
    ("DataPoisoning", "Data poisoning", "ml-class", "ML"),
    ("AML.CS0000", "Evasion of Deep Learning Detector for Malware C&C Traffic", "case-study",
     "ATLAS"),
    ("NISTAML.022", "evasion", "nist", None),
])
def test_show_every_id_form(cli: Callable[..., Any], ident: str, label: str, kind: str,
                            catalog_name: str | None) -> None:
    run = cli("catalog", "show", ident, "--format", "json")
    assert run.code == 0, run.stderr
    shown = json.loads(run.stdout)
    assert (shown["id"], shown["label"], shown["kind"], shown["catalog"]) == (
        ident, label, kind, catalog_name)
    text = cli("catalog", "show", ident)
    assert text.code == 0
    assert text.stdout.startswith(f"{ident}  {label}\n")


def test_show_sub_technique_relations(catalog: Catalog) -> None:
    detail = catalog.show("aml.t0051.001")  # any case
    rel = {name: [link.id for link in links] for name, links in detail.relations.items()}
    assert rel["parent"] == ["AML.T0051"]
    assert rel["tactics"] == ["AML.TA0005"]
    assert rel["mitigations"] == ["AML.M0024", "AML.M0033"]
    assert "AML.CS0020" in rel["case_studies"]
    controls = {link.iri.rsplit("#", 1)[1] for link in detail.relations["controls"]}
    assert controls == {"AuditLogging", "InputValidation", "ToolOutputValidation"}
    via = {m.id: [c.rsplit("#", 1)[1] for c, _ in m.via] for m in detail.relations["mitigations"]}
    assert via == {"AML.M0024": ["AuditLogging"],
                   "AML.M0033": ["InputValidation", "ToolOutputValidation"]}
    assert (detail.likelihood, detail.impact, detail.maturity) == ("Medium", "Medium",
                                                                   "demonstrated")
    assert detail.page == "https://atlas.mitre.org/techniques/AML.T0051.001"


def test_show_parent_lists_children(catalog: Catalog) -> None:
    detail = catalog.show("AML.T0051")
    assert [c.id for c in detail.relations["children"]] == [
        "AML.T0051.000", "AML.T0051.001", "AML.T0051.002"]


def test_show_owasp_crosswalks_with_provenance(catalog: Catalog) -> None:
    detail = catalog.show("LLM01")
    related = {(k.id, k.source) for k in detail.relations["related_techniques"]}
    assert related == {("AML.T0051.000", "published"), ("AML.T0051.001", "published"),
                       ("AML.T0054", "published")}
    categories = {(k.iri.rsplit("#", 1)[1], k.source) for k in detail.relations["categories"]}
    assert categories == {("AdversarialExample", "ours"), ("Tampering", "ours"),
                          ("ElevationOfPrivilege", "ours")}
    applies = [k.iri.rsplit("#", 1)[1] for k in detail.relations["applies_to"]]
    assert applies == ["LLMSystem"]


def test_show_case_study_procedure_in_order(catalog: Catalog) -> None:
    detail = catalog.show("AML.CS0000")
    assert [(s.number, s.tactic, s.technique) for s in detail.steps] == [
        (1, "AML.TA0002", "AML.T0000.001"), (2, "AML.TA0003", "AML.T0002.000"),
        (3, "AML.TA0001", "AML.T0005"), (4, "AML.TA0001", "AML.T0043.003"),
        (5, "AML.TA0001", "AML.T0042"), (6, "AML.TA0007", "AML.T0015")]


def test_unknown_id_exits_2_with_close_matches(cli: Callable[..., Any]) -> None:
    run = cli("catalog", "show", "AML.T002")
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr == ("kg-threat: error: unknown catalog id 'AML.T002'\n"
                          "  hint: did you mean AML.T0020, AML.T0021, AML.T0024, "
                          "AML.T0024.000, AML.T0024.001?\n")
    run = cli("catalog", "show", "Spofing")
    assert run.code == 2
    assert "did you mean Spoofing" in run.stderr


def test_list_filters(catalog: Catalog) -> None:
    llm = catalog.entries(catalog="owasp-llm")
    assert [e.id for e in llm] == [f"LLM{i:02d}" for i in range(1, 11)]
    ml = catalog.entries(catalog="OWASP-ML")
    assert [e.id for e in ml] == [f"ML{i:02d}" for i in range(1, 11)]
    assert [e.id for e in catalog.entries(catalog="STRIDE")] == [
        "DenialOfService", "ElevationOfPrivilege", "InformationDisclosure", "Repudiation",
        "Spoofing", "Tampering"]
    staging = catalog.entries(tactic="AML.TA0001")
    assert {e.id for e in staging} >= {"AML.T0005", "AML.T0043", "AML.T0043.004", "AML.T0042"}
    assert all(e.tactics == ("AML.TA0001",) for e in staging)
    assert staging == catalog.entries(tactic="ai attack staging")
    assert [e.id for e in catalog.entries(text="jailbreak", kind="technique")] == ["AML.T0054"]
    assert len(catalog.entries(kind="tactic")) == 16
    assert len(catalog.entries(kind="mitigation")) == 35


@pytest.mark.parametrize(("args", "message"), [
    (["--catalog", "MITRE"], "unknown catalog 'MITRE'"),
    (["--kind", "widget"], "unknown kind 'widget'"),
    (["--tactic", "AML.TA9999"], "unknown ATLAS tactic 'AML.TA9999'"),
    (["--format", "xml"], "unknown format 'xml'"),
])
def test_bad_filters_exit_2(cli: Callable[..., Any], args: list[str], message: str) -> None:
    run = cli("catalog", "list", *args)
    assert run.code == 2
    assert run.stderr.startswith(f"kg-threat: error: {message}")


def test_search_needs_every_word(catalog: Catalog, cli: Callable[..., Any]) -> None:
    found = [e.id for e in catalog.search("prompt INJECTION")]
    assert found[0] == "AML.T0051"
    assert "LLM01" in found and "AML.CS0016" in found
    assert catalog.search("prompt injection zebra") == []
    with pytest.raises(InputError):
        catalog.search("   ")
    run = cli("catalog", "search", "model theft")
    assert run.code == 0
    assert run.stdout.splitlines()[1].split()[:3] == ["ML05", "OWASP-ML", "owasp-ml"]


def test_table_output_is_stable(cli: Callable[..., Any]) -> None:
    one = cli("catalog", "list", "--catalog", "ATLAS")
    two = cli("catalog", "list", "--catalog", "ATLAS")
    assert one.code == 0
    assert one.stdout == two.stdout
    assert one.stdout.splitlines()[0].split() == ["ID", "CATALOG", "KIND", "NAME"]
    assert one.stdout.endswith("\n278 entries\n")
