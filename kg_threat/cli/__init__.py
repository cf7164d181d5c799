"""The command line: one module per command group, each registering on :data:`app.app`.

Heavy libraries are imported inside the commands, so ``kg-threat --help`` starts fast.
"""

from __future__ import annotations

import importlib

from kg_threat.cli.app import app, main

__all__ = ["app", "main", "register"]

_COMMAND_MODULES = (
    "analyze",  # analyze, explain, diff
    "validate",
    "query",
    "catalog",
    "report",  # report, diagram
    "push",
    "interop",  # import, export
    "ontology",  # check-ontology
)

def register() -> None:
    """Import every command module, so their commands are registered on ``app`` (Python imports
    a module once, so calling this again registers nothing twice)."""
    for name in _COMMAND_MODULES:
        importlib.import_module(f"kg_threat.cli.{name}")
