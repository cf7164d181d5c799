"""Namespace IRIs of the public vocabulary (``../spec/system-model.md``) and of our outputs."""

from __future__ import annotations

from typing import Final

KGT: Final = "https://w3id.org/kg-threat/ontology#"
ATLAS: Final = "https://w3id.org/kg-threat/atlas#"
OWASP: Final = "https://w3id.org/kg-threat/owasp#"
NIST: Final = "https://w3id.org/kg-threat/nist#"
FINDING: Final = "https://w3id.org/kg-threat/finding/"
ONTOLOGY_IRI: Final = "https://w3id.org/kg-threat/ontology"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
SH: Final = "http://www.w3.org/ns/shacl#"

# Named graphs of the working store. The user's system is in the default graph.
ONTOLOGY_GRAPH: Final = "urn:kg-threat:graph:ontology"
INFERRED_GRAPH: Final = "urn:kg-threat:graph:inferred"
FINDINGS_GRAPH: Final = "urn:kg-threat:graph:findings"

PREFIXES: Final[dict[str, str]] = {
    "kgt": KGT,
    "atlas": ATLAS,
    "owasp": OWASP,
    "nist": NIST,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
}


def kgt(local: str) -> str:
    """The full IRI of a term of the core namespace."""
    return KGT + local


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri
