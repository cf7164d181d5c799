"""Import another tool's model: read, detect, map, guess ML kinds, write Turtle."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from kg_threat.errors import InputError
from kg_threat.interop import otm, threagile, threat_dragon, tmlib
from kg_threat.interop.detect import FORMATS, detect, parse_text, read_document
from kg_threat.interop.matching import Matcher
from kg_threat.interop.mlkinds import guess_kinds
from kg_threat.interop.records import Boundary, Model

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_READERS: dict[str, Callable[[dict[str, Any], Model, Matcher], None]] = {
    "threagile": threagile.read,
    "threat-dragon": threat_dragon.read,
    "otm": otm.read,
    "tmlib": tmlib.read,
}


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: YAML or JSON, element id -> kind (``ModelServing``, ``kgt:VectorStore``)."""
    document = read_document(path)
    if document is None:
        return {}
    if not isinstance(document, dict) or not all(
        isinstance(v, str) for v in document.values()
    ):
        raise InputError(f"{path}: a mapping file maps element ids to kinds, "
                         "e.g. 'model-api: ModelServing'")
    return {str(k): v for k, v in document.items()}


def check_base(base: str) -> str:
    """A base IRI given by the user: absolute, without characters IRIs forbid."""
    if not _IRI.match(base):
        raise InputError(f"--base: '{base}' is not an absolute IRI")
    return base


def import_model(path: str | Path, fmt: str | None = None,
                 mapping: Mapping[str, str] | None = None) -> Model:
    """Read ``path`` (``-``: stdin; format detected unless ``fmt``) into a model."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    name = str(path)
    document = parse_text(sys.stdin.read(), "<stdin>") if name == "-" else read_document(
        Path(path))
    found = fmt or detect(document, name)
    if not isinstance(document, dict):
        raise InputError(f"{name}: a {found} model is a JSON or YAML object at the top level")
    model = Model(format=found, source=name)
    matcher = Matcher(model)
    _READERS[found](document, model, matcher)
    guess_kinds(model, matcher.tables, mapping)
    _outside_zone(model)
    return model


OUTSIDE: Final = "outside"


def _outside_zone(model: Model) -> None:
    """Elements in no declared zone go to one implicit zone, so crossings into zones are seen."""
    loose = [e for e in model.elements.values() if not e.boundaries]
    if not loose or not model.boundaries:
        return
    ident = OUTSIDE
    while ident in model.boundaries:
        ident = "_" + ident
    model.boundaries[ident] = Boundary(
        id=ident, name="Outside the declared trust boundaries", implicit=True,
        description="Added on import: the elements the source places in no trust boundary.")
    for element in loose:
        element.boundaries.append(ident)

