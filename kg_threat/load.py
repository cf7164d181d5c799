"""Load step: parse the user's files and the bundled ontology into the working store.

Minimal first version; hardening (limits, every syntax, stdin) follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg_threat.errors import InputError, SourceError
from kg_threat.resources import ontology_files
from kg_threat.vocab import ONTOLOGY_GRAPH

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def load_sources(sources: Sequence[str], store: ox.Store) -> None:
    """Parse each user file into the default graph of ``store``."""
    for source in sources:
        path = Path(source)
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(f"{source}: unknown RDF syntax (use .ttl, .nt, .rdf)")
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        try:
            store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        except SyntaxError as exc:
            raise SourceError(source, str(exc.msg), line=exc.lineno, column=exc.offset) from None


def load_ontology(store: ox.Store) -> None:
    """Load the bundled ontology into its own named graph."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
