"""Shared command-line plumbing (kg_threat/cli/options.py)."""

from __future__ import annotations

import sys

from kg_threat.cli.options import SHACL_MODULES, _import_quietly


def test_preloading_imports_what_it_can_and_leaves_failures_to_the_real_import() -> None:
    _import_quietly(["json", "kg_threat.no_such_module", "colorsys"])
    assert "colorsys" in sys.modules
    assert "kg_threat.no_such_module" not in sys.modules


def test_the_shacl_modules_exist() -> None:
    _import_quietly(SHACL_MODULES)
    assert all(name in sys.modules for name in SHACL_MODULES)
