"""The ATLAS importer: byte-reproducible output, the published quirk, clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg_threat.catalog.atlas_import import import_atlas
from kg_threat.catalog.atlas_yaml import read_release
from kg_threat.errors import SourceError

ROOT = Path(__file__).resolve().parent.parent
K = "https://w3id.org/kg-threat/ontology#"
A = "https://w3id.org/kg-threat/atlas#"


def _store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {str(getattr(q.object, "value", q.object))
            for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def test_committed_module_is_what_the_importer_makes_from_the_release(shared: Path) -> None:
    result = import_atlas(shared / "catalogs" / "atlas" / "ATLAS.yaml")
    committed = (ROOT / "ontology" / "atlas.ttl").read_text(encoding="utf-8")
    assert result.turtle == committed
    assert result.version == "5.6.0"
    assert result.counts == {"tactics": 16, "techniques": 101, "sub-techniques": 69,
                             "mitigations": 35, "case studies": 57}
    assert result.notes == (
        "AML.M0018: moved technique use AML.T0052.001 from 'ml-lifecycle' to 'techniques'",
        "AML.M0034: moved technique use AML.T0052.001 from 'ml-lifecycle' to 'techniques'",
    )


def test_cli_writes_the_same_bytes_twice(shared: Path, tmp_path: Path,
                                         cli: Callable[..., Any]) -> None:
    source = shared / "catalogs" / "atlas" / "ATLAS.yaml"
    first, second = tmp_path / "one.ttl", tmp_path / "two.ttl"
    run1 = cli("catalog", "import-atlas", source, "-o", first)
    run2 = cli("catalog", "import-atlas", source, "-o", second)
    assert (run1.code, run2.code) == (0, 0)
    assert "ATLAS 5.6.0: 16 tactics, 101 techniques, 69 sub-techniques" in run1.stdout
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == (ROOT / "ontology" / "atlas.ttl").read_bytes()


def test_mini_release_with_the_quirk(data_dir: Path) -> None:
    release = read_release(data_dir / "catalog" / "mini-atlas.yaml")
    assert [m.techniques for m in release.mitigations] == [("AML.T0000.000", "AML.T0029")]
    result = import_atlas(data_dir / "catalog" / "mini-atlas.yaml",
                          data_dir / "catalog" / "mini-map.ttl")
    assert result.notes == (
        "AML.M0004: moved technique use AML.T0000.000 from 'ml-lifecycle' to 'techniques'",
        "AML.M9999: mapped in mini-map.ttl but not in this ATLAS release",
    )
    assert result.turtle.startswith("# ontology/atlas.ttl: GENERATED FILE")
    store = _store(result.turtle)
    sub = A + "AML.T0000.000"
    assert _objects(store, sub, K + "subTechniqueOf") == {A + "AML.T0000"}
    assert _objects(store, sub, K + "tactic") == {A + "AML.TA0002"}  # inherited from parent
    assert _objects(store, sub, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") >= {
        K + "AtlasTechnique", K + "AtlasSubTechnique"}
    # likelihood from maturity, impact from the tactic (atlas_levels.yaml)
    assert _objects(store, sub, K + "baseLikelihood") == {K + "High"}
    assert _objects(store, sub, K + "baseImpact") == {K + "Low"}
    assert _objects(store, A + "AML.T0000", K + "baseLikelihood") == {K + "Low"}
    assert _objects(store, A + "AML.T0029", K + "baseLikelihood") == {K + "Medium"}
    assert _objects(store, A + "AML.T0029", K + "baseImpact") == {K + "High"}
    # the relocated use counts: both techniques are mitigated by the mapped control
    assert _objects(store, A + "AML.M0004", K + "addresses") == {sub, A + "AML.T0029"}
    assert _objects(store, sub, K + "mitigatedBy") == {K + "RateLimiting"}
    assert _objects(store, A + "AML.T0000", K + "mitigatedBy") == set()
    assert _objects(store, A + "AML.T0029", "http://www.w3.org/2000/01/rdf-schema#seeAlso") == {
        "https://atlas.mitre.org/techniques/AML.T0029"}
    # the procedure keeps its order and its repeated step
    steps = store.query(
        "PREFIX kgt: <" + K + "> SELECT ?n ?t WHERE { ?cs kgt:hasStep ?s . "
        "?s kgt:stepNumber ?n ; kgt:usesTechnique ?t } ORDER BY ?n")
    assert isinstance(steps, ox.QuerySolutions)
    assert [(int(s["n"].value), s["t"].value) for s in steps] == [
        (1, sub), (2, A + "AML.T0029"), (3, sub)]


def test_unknown_tactic_is_bad_input(data_dir: Path, tmp_path: Path,
                                     cli: Callable[..., Any]) -> None:
    out = tmp_path / "atlas.ttl"
    run = cli("catalog", "import-atlas", data_dir / "catalog" / "bad-unknown-tactic.yaml",
              "-o", out)
    assert run.code == 2
    assert run.stderr.startswith("kg-threat: error: ")
    assert ("bad-unknown-tactic.yaml: matrices[0].techniques[0] (AML.T0000): refers to "
            "unknown tactic AML.TA0099") in run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists()


def test_yaml_syntax_error_names_line_and_column(data_dir: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_release(data_dir / "catalog" / "bad-syntax.yaml")
    assert (caught.value.line, caught.value.column) == (3, 13)
    assert caught.value.message.endswith(
        "not valid YAML: mapping values are not allowed in this context")


def test_missing_file_is_bad_input(tmp_path: Path, cli: Callable[..., Any]) -> None:
    run = cli("catalog", "import-atlas", tmp_path / "nope.yaml", "-o", tmp_path / "x.ttl")
    assert run.code == 2
    assert "nope.yaml: no such file" in run.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2]", "top level: expected a mapping, found list"),
    ("name: x", "top level: 'version' is missing: is this an ATLAS.yaml?"),
    ("version: 1\nmatrices: []", "top level: 'matrices' is empty"),
    ("version: 1\nmatrices:\n- tactics: []\n  techniques:\n  - {id: T1, name: x}\n"
     "  mitigations: []", "matrices[0].techniques[0]: id 'T1' is not of the form"),
    ("version: 1\nmatrices:\n- tactics:\n  - {id: AML.TA0001, name: x}\n  - {id: AML.TA0001, "
     "name: y}\n  techniques: []\n  mitigations: []", "tactic AML.TA0001 is published twice"),
])
def test_shape_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=message.replace("[", r"\[").replace("]", r"\]")
                       .replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        read_release(path)
