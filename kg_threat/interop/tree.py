"""Reading parsed JSON/YAML documents of other tools, whose values may be missing or mistyped."""

from __future__ import annotations

from typing import Any


def as_text(node: Any) -> str:
    """A value as trimmed text; empty when missing."""
    return "" if node is None else str(node).strip()


def as_dict(node: Any) -> dict[str, Any]:
    """A value that should be an object; empty when it is not."""
    return node if isinstance(node, dict) else {}


def dict_items(node: Any) -> list[dict[str, Any]]:
    """The objects of a value that should be a list of objects; others are skipped."""
    return [n for n in node if isinstance(n, dict)] if isinstance(node, list) else []
