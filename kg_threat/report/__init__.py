"""Threat-model documents (HTML, Markdown) and data-flow diagrams (SVG, DOT, Mermaid).

``write_report(result, path)`` and ``write_diagram(result, path)`` take the result of
``kg_threat.pipeline.run`` (anything with a ``store`` and an ``analysis``) and choose the
format by the file's extension.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg_threat.errors import InputError
from kg_threat.report import diagram, html, markdown
from kg_threat.report.content import Result, collect
from kg_threat.report.dfd import Diagram, build
from kg_threat.report.names import Names
from kg_threat.report.sections import Gap, Report

__all__ = [
    "DIAGRAM_FORMATS",
    "REPORT_FORMATS",
    "Gap",
    "Report",
    "Result",
    "check_output",
    "render_diagram",
    "write_diagram",
    "write_report",
]

REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
DIAGRAM_FORMATS = {".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid"}


def check_output(path: Path, what: str) -> str:
    """The format of output ``path`` for a ``report`` or a ``diagram``; bad paths are input
    errors, raised before any work is done."""
    return _format(path, REPORT_FORMATS if what == "report" else DIAGRAM_FORMATS, what)


def _format(path: Path, formats: dict[str, str], what: str) -> str:
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(formats))
        raise InputError(f"{path}: cannot tell the {what} format from the extension "
                         f"(use {known})")
    if not path.parent.is_dir():
        raise InputError(f"{path}: no such directory {str(path.parent)!r}")
    return fmt


def _write(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) to ``path`` whole or not at all."""
    from kg_threat.output import write

    pieces = [text] if isinstance(text, str) else text
    try:
        write(path, lambda stream: stream.writelines(pieces))
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def write_report(result: Result, path: Path, *, date: dt.date | None = None,
                 gaps: Sequence[Gap] | None = None, check_model: bool = True) -> list[Path]:
    """Write the threat-model document of ``result`` to ``path`` (``.html`` or ``.md``).

    Markdown gets its diagram as an SVG file beside it (``OUT.svg`` next to ``OUT.md``).
    ``gaps``: the SHACL results to list; by default the model is validated, unless
    ``check_model`` is false. Returns the files written.
    """
    fmt = _format(path, REPORT_FORMATS, "report")
    report = collect(result, date=date, gaps=gaps, check_model=check_model)
    if fmt == "html":
        _write(path, html.render_parts(report, diagram.to_svg(report.diagram, standalone=False)))
        return [path]
    svg_path = path.with_suffix(".svg")
    _write(svg_path, diagram.to_svg(report.diagram))
    _write(path, markdown.render_parts(report, diagram.to_mermaid(report.diagram), svg_path.name))
    return [path, svg_path]


def render_diagram(drawing: Diagram, fmt: str) -> str:
    """The diagram in ``fmt``: ``svg``, ``dot`` or ``mermaid``."""
    if fmt == "svg":
        return diagram.to_svg(drawing)
    if fmt == "dot":
        return diagram.to_dot(drawing)
    return diagram.to_mermaid(drawing)


def write_diagram(result: Result, path: Path, *, detailed: bool | None = None) -> Path:
    """Write the data-flow diagram of ``result`` to ``path`` (``.svg``, ``.dot``, ``.mmd``).

    ``detailed``: True draws every component, False one node per trust boundary, None
    chooses by size.
    """
    fmt = _format(path, DIAGRAM_FORMATS, "diagram")
    store = result.store
    drawing = build(store, Names.fetch(store), result.analysis.findings, detailed=detailed)
    _write(path, render_diagram(drawing, fmt))
    return path
