"""Checks run on a document before its parser sees it, against inputs that parsers handle badly.

Measured on pyoxigraph 0.5 (see ``docs/security.md``):

* JSON-LD: the time to expand nested objects grows with the square of the depth (depth 3,000:
  8 s) and around 4,000 levels the process crashes on a stack overflow;
* RDF/XML: nested elements cost quadratic time (20,000 levels: 5 s, 40,000: 56 s), and nested
  internal entities are expanded in full ("billion laughs": 48 s, gigabytes of memory).

So JSON-LD and RDF/XML documents are refused beyond a nesting depth (``Limits.max_depth``), and
RDF/XML first goes through expat, whose amplification guard (expat 2.4 and later) stops entity
bombs, and which reports external entity declarations, refused here (they are never fetched).
Turtle, TriG, N-Triples and N-Quads parse in linear time at any depth and need no pre-check.
"""

from __future__ import annotations

import re
from itertools import accumulate
from xml.parsers import expat

from kg_threat.errors import SourceError
from kg_threat.limits import depth_exceeded

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_DEPTH_STEP = {ord("{"): 1, ord("["): 1, ord("}"): -1, ord("]"): -1}
# expat 2.4.0 added the protection against entity amplification (billion laughs).
_EXPAT_GUARDS_AMPLIFICATION = expat.version_info >= (2, 4, 0)


def check_json_depth(data: bytes, source: str, max_depth: int) -> None:
    """Refuse a JSON document whose objects and arrays nest deeper than ``max_depth``."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b'""', data))
    if len(brackets) <= 2 * max_depth:
        return
    if max(accumulate(_DEPTH_STEP[b] for b in brackets)) > max_depth:
        raise depth_exceeded(source, max_depth, "JSON objects and arrays")


def check_xml(data: bytes, source: str, max_depth: int) -> None:
    """Refuse RDF/XML with entity bombs, external entities, or elements nested too deep."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def start(_name: str, _attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise depth_exceeded(source, max_depth, "XML elements")

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def entity(
        name: str,
        _is_parameter: int,
        value: str | None,
        _base: str | None,
        system_id: str | None,
        public_id: str | None,
        _notation: str | None,
    ) -> None:
        if system_id is not None or public_id is not None:
            raise SourceError(
                source,
                f"external entity {name!r} ({system_id or public_id}) refused: "
                "kg-threat never fetches external entities",
                line=parser.CurrentLineNumber,
                column=parser.CurrentColumnNumber + 1,
            )
        if not _EXPAT_GUARDS_AMPLIFICATION and value is not None and "&" in value:
            raise SourceError(
                source,
                f"entity {name!r} refers to other entities; nested entities are refused",
                line=parser.CurrentLineNumber,
                column=parser.CurrentColumnNumber + 1,
            )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) or "malformed XML"
        raise SourceError(source, message, line=exc.lineno, column=exc.offset + 1) from None
