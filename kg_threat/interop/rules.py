"""Read the mapping tables and keyword rules (YAML files beside this module).

The tables are data: which source value maps to which term of our vocabulary, which words
suggest which ML kind or control. Python only looks them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg_threat.errors import InputError

_HERE = Path(__file__).resolve().parent
_SEPARATORS = re.compile(r"[\s_-]+")


def norm(value: object) -> str:
    """A source value as the tables key it: lower case, ``-``/``_``/spaces as one space."""
    return _SEPARATORS.sub(" ", str(value).strip().lower())


@dataclass(frozen=True)
class Pattern:
    """A compiled keyword rule: a regular expression and what it stands for."""

    regex: re.Pattern[str]
    value: str
    why: str


def load_yaml_data(name: str) -> dict[str, Any]:
    """One bundled YAML table by file name (``vocabulary.yaml``, ``mlkinds.yaml``)."""
    path = _HERE / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # a broken installation, not bad user input
        raise InputError(f"cannot read the bundled table {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"the bundled table {path} is not a mapping")
    return data


class Tables:
    """Typed access to ``vocabulary.yaml``."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data = data if data is not None else load_yaml_data("vocabulary.yaml")

    def section(self, *path: str) -> Any:
        node: Any = self._data
        for key in path:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return node

    def table(self, *path: str) -> dict[str, str | None]:
        """A mapping of lower-case source values to local names (``None``: no decision)."""
        node = self.section(*path)
        return {norm(k): (None if v is None else str(v)) for k, v in node.items()}

    def words(self, *path: str) -> frozenset[str]:
        node = self.section(*path)
        return frozenset(norm(v) for v in node) if isinstance(node, list) else frozenset()

    def patterns(self, *path: str, key: str) -> list[Pattern]:
        """Rules ``[{pattern: REGEX, KEY: VALUE}]`` compiled case-insensitively, in file order."""
        node = self.section(*path)
        out: list[Pattern] = []
        for rule in node if isinstance(node, list) else []:
            out.append(
                Pattern(re.compile(str(rule["pattern"]), re.IGNORECASE), str(rule[key]),
                        str(rule.get("why", rule["pattern"])))
            )
        return out


def first_match(patterns: list[Pattern], *texts: str) -> Pattern | None:
    """The first rule whose expression occurs in one of ``texts``."""
    for pattern in patterns:
        if any(pattern.regex.search(text) for text in texts if text):
            return pattern
    return None


def all_matches(patterns: list[Pattern], *texts: str) -> list[Pattern]:
    """Every rule whose expression occurs in one of ``texts`` (one per value)."""
    seen: set[str] = set()
    out: list[Pattern] = []
    for pattern in patterns:
        if pattern.value not in seen and any(pattern.regex.search(t) for t in texts if t):
            seen.add(pattern.value)
            out.append(pattern)
    return out
