"""diff: a change to the system shows exactly the new exposure."""

from __future__ import annotations

import json
from pathlib import Path

LLM_APP = """
@prefix kgt: <https://w3id.org/kg-threat/ontology#> .
@prefix : <https://example.org/fraud#> .
:fraud kgt:hasComponent :assistant, :f7 .
:assistant a kgt:LLMApplication ; kgt:publiclyAccessible true ; kgt:serves :assistantModel ;
    kgt:inside :corp .
:assistantModel a kgt:Model .
:f7 a kgt:DataFlow ; kgt:from :merchants ; kgt:to :assistant .
"""


def test_adding_a_public_llm_application_adds_prompt_injection(cli, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "new.ttl"
    new.write_text(example.read_text() + LLM_APP)
    run = cli("diff", example, new, "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert set(doc) == {"added", "removed", "changed"}
    assert doc["removed"] == []
    added = {(f["id"], f["component"]) for f in doc["added"]}
    assert ("LLM01", "https://example.org/fraud#assistant") in added
    assert all(f["component"] in ("https://example.org/fraud#assistant", "https://example.org/fraud#f7",
                                  "https://example.org/fraud#merchants")
               for f in doc["added"])


def test_same_system_no_changes(cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(cli("diff", example, example, "--format", "json").stdout)
    assert doc == {"added": [], "removed": [], "changed": []}


def test_changed_risk_is_reported(cli, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "new.ttl"
    new.write_text(example.read_text() + "\n:scoringApi <https://w3id.org/kg-threat/ontology#hasControl> "
                   "<https://w3id.org/kg-threat/ontology#RateLimiting>, "
                   "<https://w3id.org/kg-threat/ontology#OutputMinimization> .\n")
    doc = json.loads(cli("diff", example, new, "--format", "json").stdout)
    changed = {(c["after"]["id"], c["before"]["status"], c["after"]["status"]) for c in doc["changed"]}
    assert ("ModelStealing", "unmitigated", "mitigated") in changed
