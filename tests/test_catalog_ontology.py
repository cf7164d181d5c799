"""The catalog modules as data: OWASP, NIST and the mitigation map follow sources and rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from kg_threat.load import load_ontology

K = "https://w3id.org/kg-threat/ontology#"
OW = "https://w3id.org/kg-threat/owasp#"
N = "https://w3id.org/kg-threat/nist#"
A = "https://w3id.org/kg-threat/atlas#"
RANK = {"Low": 0, "Medium": 1, "High": 2}
MODULES = ("atlas", "atlas-mitigations", "owasp", "nist")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    load_ontology(s)
    return s


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query("PREFIX kgt: <" + K + ">\n" + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted(tuple(str(getattr(s[n], "value", "")) for n in names) for s in result)


def objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {str(getattr(q.object, "value", q.object)) for q in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def frameworks(shared: Path) -> Any:
    return yaml.safe_load(
        (shared / "catalogs" / "transcribed" / "frameworks.yaml").read_text())


def test_every_mitigation_is_implemented_by_a_defined_control(store: ox.Store) -> None:
    unmapped = rows(store, "SELECT ?m WHERE { ?m a kgt:AtlasMitigation "
                           "MINUS { ?m kgt:implementedBy ?c } }")
    assert unmapped == []
    undefined = rows(store, "SELECT DISTINCT ?c WHERE { ?m kgt:implementedBy ?c "
                            "MINUS { ?c a kgt:Control } }")
    assert undefined == []
    assert len(rows(store, "SELECT DISTINCT ?m WHERE { ?m kgt:implementedBy ?c }")) == 35


def test_every_term_of_our_modules_has_one_label_and_definition(store: ox.Store) -> None:
    for module in MODULES:
        iri = f"https://w3id.org/kg-threat/ontology/{module}"
        counts = rows(store, f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?t (COUNT(DISTINCT ?l) AS ?labels) (COUNT(DISTINCT ?d) AS ?defs) WHERE {{
              ?t rdfs:isDefinedBy <{iri}> .
              OPTIONAL {{ ?t rdfs:label ?l }} OPTIONAL {{ ?t skos:definition ?d }}
            }} GROUP BY ?t""")
        assert counts, module
        bad = [c for c in counts if c[1:] != ("1", "1")]
        assert bad == [], module


def test_owasp_names_and_levels_follow_the_transcription(store: ox.Store, shared: Path) -> None:
    fw = frameworks(shared)
    ml_items = fw["owasp_ml_top10"]["items"]
    for item in ml_items:
        iri = OW + item["id"]
        assert objects(store, iri, "http://www.w3.org/2000/01/rdf-schema#label") == {item["name"]}

        def level(value: int) -> str:
            return K + ("High" if value >= 5 else "Medium" if value >= 3 else "Low")

        assert objects(store, iri, K + "baseLikelihood") == {level(item["exploitability"])}
        assert objects(store, iri, K + "baseImpact") == {level(item["technical"])}
        assert objects(store, iri, K + "inCatalog") == {K + "OWASPMLCatalog"}
    for item in fw["owasp_llm_top10_2025"]["items"]:
        iri = OW + item["id"]
        assert objects(store, iri, "http://www.w3.org/2000/01/rdf-schema#label") == {item["name"]}
        published = {A + t for t in item["atlas"]}
        assert objects(store, iri, K + "relatedTechnique") == published
        for predicate, default in (("baseLikelihood", "Medium"), ("baseImpact", "Medium")):
            levels = [next(iter(objects(store, t, K + predicate))).rsplit("#")[1]
                      for t in published]
            expected = max(levels, key=RANK.__getitem__) if levels else default
            assert objects(store, iri, K + predicate) == {K + expected}, (item["id"], predicate)


def test_every_crosswalk_triple_has_its_provenance(store: ox.Store) -> None:
    missing = rows(store, """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { kgt:inCategory kgt:relatedTechnique }
          ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "https://w3id.org/kg-threat/owasp#"))
          MINUS { ?a owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
                     kgt:crosswalkSource ?src }
        }""")
    assert missing == []
    published = rows(store, """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?s ?o WHERE { ?a owl:annotatedSource ?s ; owl:annotatedTarget ?o ;
                                kgt:crosswalkSource kgt:PublishedCrosswalk }""")
    assert all(s.startswith(OW + "LLM") for s, _ in published)
    assert len(published) == 15


def test_every_system_dependent_atlas_technique_applies_somewhere(store: ox.Store, shared: Path) -> None:
    """Techniques outside the attacker's own preparation (Reconnaissance, Resource Development)
    all have target classes: none can be left out of the findings by an oversight."""
    data = yaml.safe_load((shared / "catalogs" / "atlas" / "ATLAS.yaml").read_text(encoding="utf-8"))
    tactics = {t["id"]: set(t.get("tactics", [])) for m in data["matrices"] for t in m["techniques"]}
    preparation = {"AML.TA0002", "AML.TA0003"}
    unmapped = []
    for ident, own in sorted(tactics.items()):
        own = own or tactics.get(".".join(ident.split(".")[:2]), set())
        if own and own <= preparation:
            continue
        if not objects(store, A + ident, K + "appliesTo"):
            unmapped.append(ident)
    assert unmapped == []


def test_owasp_applicability(store: ox.Store) -> None:
    for i in range(1, 11):
        ml = OW + f"ML{i:02d}"
        classes = objects(store, ml, K + "inCategory") & {
            K + c for c in ("DataPoisoning", "AdversarialExample", "ModelInversion",
                            "ModelStealing", "DataLeakage", "ModelDrift")}
        expected = set().union(*(objects(store, c, K + "appliesTo") for c in classes)) or {
            K + "InferenceEndpoint"}
        assert objects(store, ml, K + "appliesTo") == expected, ml
        llm = objects(store, OW + f"LLM{i:02d}", K + "appliesTo")
        assert llm <= {K + "LLMSystem", K + "ToolUsingAgent", K + "RAGSystem"}
        assert len(llm) == 1


def test_nist_taxonomy_is_complete_and_linked(store: ox.Store, shared: Path) -> None:
    nist = frameworks(shared)["nist_ai_100_2"]
    for group in ("objectives", "attacks"):
        for item in nist[group]:
            iri = N + item["id"]
            assert objects(store, iri, "http://purl.org/dc/terms/identifier") == {item["id"]}
    broader = "http://www.w3.org/2004/02/skos/core#broader"
    assert N + "NISTAML.02" in objects(store, N + "NISTAML.022", broader)
    exact = "http://www.w3.org/2004/02/skos/core#exactMatch"
    assert objects(store, N + "NISTAML.02", exact) == {K + "IntegrityViolation"}
    assert objects(store, N + "WhiteBox", exact) == {K + "WhiteBox"}
    assert objects(store, N + "QueryAccess", K + "accessedThrough") == {
        K + "ModelServing", K + "LLMApplication", K + "AIAgent"}
    capabilities = rows(store, f"SELECT ?c WHERE {{ ?c <{broader}> <{N}AttackerCapabilities> }}")
    assert len(capabilities) == 7
