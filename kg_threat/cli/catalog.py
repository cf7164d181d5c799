"""Commands of the `catalog` group (registered on the shared typer app)."""

from __future__ import annotations

from kg_threat.cli.app import app  # noqa: F401
