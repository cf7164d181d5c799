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

_registered: list[str] = []


def register() -> None:
    """Import every command module once, so their commands are registered on ``app``."""
    for name in _COMMAND_MODULES:
        if name not in _registered:
            importlib.import_module(f"kg_threat.cli.{name}")
            _registered.append(name)
