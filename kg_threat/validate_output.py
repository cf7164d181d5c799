"""The validation report as text, JSON or Turtle (a W3C ``sh:ValidationReport``).

Every format lists the results in the report's order (severity, focus node, path, shape), so
the same input and date give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

import pyoxigraph as ox

from kg_threat.errors import InputError
from kg_threat.validate import ValidationReport, ValidationResult
from kg_threat.vocab import KGT, RDF, SH, XSD

FORMATS = ("text", "json", "ttl")


def writer_for(fmt: str) -> Callable[[ValidationReport, TextIO], None]:
    """The writer of format ``fmt`` (text, json, ttl)."""
    writers: dict[str, Callable[[ValidationReport, TextIO], None]] = {
        "text": write_text, "json": write_json, "ttl": write_turtle,
    }
    if fmt not in writers:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writers[fmt]


def _short(iri: str | None) -> str:
    if iri is None:
        return ""
    return "kgt:" + iri[len(KGT):] if iri.startswith(KGT) else iri


def summary(report: ValidationReport) -> str:
    """One line: counts by severity and whether the model conforms."""
    parts = [f"{report.count('Violation')} violation(s)", f"{report.count('Warning')} warning(s)"]
    if report.count("Info"):
        parts.append(f"{report.count('Info')} info(s)")
    verdict = "conforms" if report.conforms else "does not conform"
    return ", ".join(parts) + f": the model {verdict}"


def write_text(report: ValidationReport, out: TextIO) -> None:
    """One block per result: severity, the offending node, the path; then the message."""
    for r in report.results:
        head = f"{r.severity:<9} {r.focus}"
        if r.path:
            head += f"  {_short(r.path)}"
        if r.value is not None and r.value != r.focus:
            head += f"  = {_short(r.value)}"
        out.write(head + "\n")
        out.write(f"          {r.message}\n")
    out.write(summary(report) + "\n")


def write_json(report: ValidationReport, out: TextIO) -> None:
    """``{"conforms", "violations", "warnings", "infos", "results": [...]}``."""
    doc = {
        "conforms": report.conforms,
        "violations": report.count("Violation"),
        "warnings": report.count("Warning"),
        "infos": report.count("Info"),
        "results": [r.to_json() for r in report.results],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _value_term(r: ValidationResult) -> ox.NamedNode | ox.Literal:
    assert r.value is not None
    if r.value_datatype is None:
        return ox.NamedNode(r.value)
    return ox.Literal(r.value, datatype=ox.NamedNode(r.value_datatype))


def write_turtle(report: ValidationReport, out: TextIO) -> None:
    """The report as a SHACL ``sh:ValidationReport``, blank nodes numbered in report order."""
    def sh(name: str) -> ox.NamedNode:
        return ox.NamedNode(SH + name)

    root = ox.BlankNode("report")
    triples = [
        ox.Triple(root, ox.NamedNode(RDF + "type"), sh("ValidationReport")),
        ox.Triple(root, sh("conforms"), ox.Literal(
            "true" if report.conforms else "false", datatype=ox.NamedNode(XSD + "boolean"))),
    ]
    for i, r in enumerate(report.results, start=1):
        node = ox.BlankNode(f"r{i}")
        triples += [
            ox.Triple(root, sh("result"), node),
            ox.Triple(node, ox.NamedNode(RDF + "type"), sh("ValidationResult")),
            ox.Triple(node, sh("resultSeverity"), sh(r.severity)),
            ox.Triple(node, sh("focusNode"), ox.NamedNode(r.focus)),
            ox.Triple(node, sh("resultMessage"), ox.Literal(r.message)),
            ox.Triple(node, sh("sourceShape"), ox.NamedNode(r.shape)),
            ox.Triple(node, sh("sourceConstraintComponent"), ox.NamedNode(r.constraint)),
        ]
        if r.path is not None and r.path_is_iri:
            triples.append(ox.Triple(node, sh("resultPath"), ox.NamedNode(r.path)))
        if r.value is not None:
            triples.append(ox.Triple(node, sh("value"), _value_term(r)))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": SH, "kgt": KGT, "kgts": "https://w3id.org/kg-threat/shapes#",
                                  "xsd": XSD})
    assert data is not None
    out.write(data.decode("utf-8"))
