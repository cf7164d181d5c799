"""Where the package's own data lives: ontology modules, SHACL shapes, SPARQL queries.

In a wheel they are installed under ``kg_threat/data/``; in a source checkout they are the
top-level ``ontology/``, ``shapes/`` and ``queries/`` folders. Nothing outside these is read
unless the user names it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder of bundled data called ``name`` (``ontology``, ``shapes``, ``queries``)."""
    installed = _PACKAGE / "data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"kg-threat is installed without its {name}/ data")


def ontology_files() -> list[Path]:
    """Every Turtle module of the ontology, in a stable order."""
    return sorted(data_dir("ontology").glob("*.ttl"))


def shapes_files() -> list[Path]:
    """Every SHACL shapes file, in a stable order."""
    return sorted(data_dir("shapes").glob("*.ttl"))


def views_dir() -> Path:
    """The folder of bundled risk views (one ``.rq`` per view)."""
    return data_dir("queries") / "views"


def rules_dir() -> Path:
    """The folder of derivation rules (SPARQL CONSTRUCT/SELECT run before applicability)."""
    return data_dir("queries") / "rules"
