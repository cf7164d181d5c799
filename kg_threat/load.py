"""Load step: parse the user's files and the bundled ontology into the working store.

Parsing is strict (pyoxigraph): an invalid document is refused with ``file:line:col: message``
and nothing of it enters the store. Each source is loaded in one transaction; when a later
source fails, the earlier ones stay loaded, but the error ends the run anyway.

* Syntax by extension (``.ttl .nt .nq .trig .rdf .owl .xml .jsonld .json``), or forced with
  ``fmt``; ``-`` is standard input (Turtle unless ``fmt`` says otherwise).
* Triples in named graphs (TriG, N-Quads, JSON-LD ``@graph`` with an ``@id``) are merged into
  the default graph: a system description is one graph.
* Blank nodes are renamed per document, so ``_:a`` in two files are two nodes.
* Nothing is fetched: ``owl:imports`` is not followed, JSON-LD remote contexts are refused,
  RDF/XML external entities are refused.
* Bounded: total input size, nesting depth of JSON-LD and RDF/XML, wall-clock time
  (:class:`~kg_threat.limits.Limits`).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg_threat.errors import InputError, SourceError
from kg_threat.limits import Limits, size_exceeded
from kg_threat.prescan import check_json_depth, check_xml
from kg_threat.resources import ontology_files
from kg_threat.vocab import ONTOLOGY_GRAPH

STDIN = "-"

_EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}
_NAMES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-quads": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    **{ext.lstrip("."): fmt for ext, fmt in _EXTENSIONS.items()},
}
SYNTAX_NAMES = tuple(sorted(_NAMES))
"""Names accepted by :func:`parse_format` (and ``--input-format``)."""

_DATASET_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)
_LOCATION = re.compile(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ")
_READ_CHUNK = 1 << 20


def parse_format(name: str) -> ox.RdfFormat:
    """The RDF syntax called ``name`` (``turtle``, ``nt``, ``trig``, ``json-ld``, …)."""
    found = _NAMES.get(name.strip().lower())
    if found is None:
        raise InputError(f"unknown RDF syntax {name!r}; use one of: {', '.join(SYNTAX_NAMES)}")
    return found


def format_of(source: str, fmt: ox.RdfFormat | str | None = None) -> ox.RdfFormat:
    """The syntax of ``source``: ``fmt`` if given, else by extension (Turtle for ``-``)."""
    if isinstance(fmt, str):
        return parse_format(fmt)
    if fmt is not None:
        return fmt
    if source == STDIN:
        return ox.RdfFormat.TURTLE
    found = _EXTENSIONS.get(Path(source).suffix.lower())
    if found is None:
        raise InputError(
            f"{source}: unknown RDF syntax; name the file {' '.join(_EXTENSIONS)} "
            "or give --input-format"
        )
    return found


@dataclass
class _Budget:
    """What is left of the input-size limit for this run."""

    limit: int | None
    used: int = 0

    def spend(self, source: str, size: int) -> None:
        self.used += size
        if self.limit is not None and self.used > self.limit:
            raise size_exceeded(source, self.used, self.limit)

    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def load_sources(
    sources: Sequence[str],
    store: ox.Store,
    *,
    fmt: ox.RdfFormat | str | None = None,
    base_iri: str | None = None,
    limits: Limits | None = None,
    stdin: BinaryIO | None = None,
) -> None:
    """Parse each user file (or ``-``, standard input) into the default graph of ``store``.

    ``fmt`` forces the syntax of every source; ``base_iri`` replaces the default base (the
    file's own ``file:`` IRI, or the working directory for standard input); ``stdin`` is the
    stream read for ``-`` (default: the process's standard input).
    """
    limits = limits or Limits()
    budget = _Budget(limits.max_input_size)
    if list(sources).count(STDIN) > 1:
        raise InputError("standard input (-) can be read only once")
    with limits.step("loading"):
        for source in sources:
            if source == STDIN:
                syntax = format_of(source, fmt)
                data: bytes | Path = _read_stream(stdin or sys.stdin.buffer, budget)
                base = base_iri or Path.cwd().resolve().as_uri() + "/"
            else:
                _check_exists(source)
                syntax = format_of(source, fmt)
                data = _check_file(source, budget, read=_needs_prescan(syntax))
                base = base_iri or Path(source).resolve().as_uri()
            _parse_into(store, source, data, syntax, base, limits)


def load_ontology(store: ox.Store) -> None:
    """Load the bundled ontology into its own named graph."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    for path in ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)


def _needs_prescan(syntax: ox.RdfFormat) -> bool:
    return syntax in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)


def _check_exists(source: str) -> None:
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not an RDF file")
    if not path.exists():
        raise InputError(f"{source}: no such file")


def _check_file(source: str, budget: _Budget, *, read: bool) -> bytes | Path:
    """Check that ``source`` is a readable file within the size budget; its bytes if ``read``."""
    path = Path(source)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise InputError(f"{source}: is a directory, not an RDF file")
            if not stat.S_ISREG(info.st_mode):  # a pipe or a device: read it, bounded
                return _read_stream(handle, budget, source=source)
            budget.spend(source, info.st_size)
            return handle.read() if read else path
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not an RDF file") from None
    except PermissionError:
        raise InputError(f"{source}: cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None


def _read_stream(stream: BinaryIO, budget: _Budget, *, source: str = STDIN) -> bytes:
    """Read a stream to its end, never more than the size budget allows."""
    left = budget.left()
    chunks: list[bytes] = []
    size = 0
    while True:
        want = _READ_CHUNK if left is None else min(_READ_CHUNK, left - size + 1)
        chunk = stream.read(want)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if left is not None and size > left:
            budget.spend(_display(source), size)
    budget.spend(_display(source), size)
    if size == 0 and source == STDIN:
        raise InputError("standard input is empty: pipe an RDF document in, or name a file")
    return b"".join(chunks)


def _parse_into(
    store: ox.Store,
    source: str,
    data: bytes | Path,
    syntax: ox.RdfFormat,
    base: str,
    limits: Limits,
) -> None:
    """Parse one document into the default graph, all or nothing."""
    name = _display(source)
    if isinstance(data, bytes):
        if syntax == ox.RdfFormat.RDF_XML:
            check_xml(data, name, limits.max_depth)
        elif syntax == ox.RdfFormat.JSON_LD:
            check_json_depth(data, name, limits.max_depth)
    text = data if isinstance(data, bytes) else None
    path = None if isinstance(data, bytes) else str(data)
    try:
        if syntax in _DATASET_FORMATS:
            default = ox.DefaultGraph()
            quads = [
                ox.Quad(q.subject, q.predicate, q.object, default)
                for q in ox.parse(
                    text, syntax, path=path, base_iri=base, rename_blank_nodes=True
                )
            ]
            store.extend(quads)
        else:
            store.load(text, syntax, path=path, base_iri=base)
    except SyntaxError as exc:
        raise SourceError(name, _message(exc), line=exc.lineno, column=exc.offset) from None
    except (OSError, ValueError) as exc:
        raise SourceError(name, str(exc) or type(exc).__name__) from None


def _display(source: str) -> str:
    return "standard input" if source == STDIN else source


def _message(exc: SyntaxError) -> str:
    message = _LOCATION.sub("", str(exc.msg or exc))
    if "LoadDocumentCallback" in message:
        return "remote JSON-LD contexts are never fetched: put the @context in the document"
    return message
