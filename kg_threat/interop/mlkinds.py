"""Guess ML component and asset kinds of a generic model from keyword rules (``mlkinds.yaml``).

Each guess is written to the model with its reason, so that the Turtle records it as inferred
and the command line can show it to the user, who confirms it or overrides it with a mapping
file (element id -> kind).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg_threat.interop.records import Model
from kg_threat.interop.rules import Tables, load_yaml_data, norm


@dataclass(frozen=True)
class KindRule:
    kind: str
    base: str
    regex: re.Pattern[str] | None
    technology: frozenset[str]
    why: str

    def matches(self, texts: tuple[str, ...], technology: frozenset[str]) -> str | None:
        """What matched, or None."""
        hit = self.technology & technology
        if hit:
            return f"'{sorted(hit)[0]}'"
        if self.regex is not None:
            for text in texts:
                found = self.regex.search(text) if text else None
                if found:
                    return f"'{found.group(0)}'"
        return None


def _rules(section: str, bases: Mapping[str, str | None]) -> list[KindRule]:
    data: dict[str, Any] = load_yaml_data("mlkinds.yaml")
    out = []
    for rule in data.get(section, []):
        kind = str(rule["kind"])
        pattern = rule.get("pattern")
        out.append(KindRule(
            kind=kind,
            base=str(bases.get(kind.lower()) or "Asset"),
            regex=re.compile(str(pattern), re.IGNORECASE) if pattern else None,
            technology=frozenset(norm(t) for t in rule.get("technology", [])),
            why=str(rule.get("why", "")),
        ))
    return out


def _guess(rules: list[KindRule], base: str, strong: tuple[str, ...], weak: tuple[str, ...],
           technology: frozenset[str]) -> tuple[str, str] | None:
    candidates = [r for r in rules if r.base == base]
    for texts, where in ((strong, "name, type or tags"), (weak, "description")):
        for rule in candidates:
            hit = rule.matches(texts, technology if where != "description" else frozenset())
            if hit:
                return rule.kind, f"{hit} in its {where}: {rule.why}"
    return None


def guess_kinds(model: Model, tables: Tables, mapping: Mapping[str, str] | None = None) -> None:
    """Set ``ml_kind`` of elements and ``kind`` of assets; ``mapping`` (id -> kind) wins."""
    bases = tables.table("ml_kinds")
    element_rules = _rules("elements", bases)
    asset_rules = _rules("assets", {})
    for element in sorted(model.elements.values(), key=lambda e: e.id):
        if element.ml_kind is not None or element.placeholder:
            continue  # declared by the source (our own export) or unknown
        technology = frozenset(norm(t) for t in (*element.technology, *element.tags))
        strong = (element.name, " ".join(element.technology), " ".join(element.tags))
        found = _guess(element_rules, element.kind, strong, (element.description,), technology)
        if found:
            element.ml_kind, why = found
            element.ml_reason = f"inferred from {why}"
            model.guesses.append(f"{element.id} ({element.name}): kgt:{element.ml_kind}, {why}")
    for asset in sorted(model.assets.values(), key=lambda a: a.id):
        found = _guess(asset_rules, "Asset", (asset.name,), (asset.description,), frozenset())
        if found:
            asset.kind, why = found
            asset.kind_reason = f"inferred from {why}"
            model.guesses.append(f"{asset.id} ({asset.name}): kgt:{asset.kind}, {why}")
    if mapping:
        apply_mapping(model, tables, mapping)


def apply_mapping(model: Model, tables: Tables, mapping: Mapping[str, str]) -> None:
    """Override kinds with the user's choices; a kind is a local name or a ``kgt:`` name."""
    bases = {k: v for k, v in tables.table("ml_kinds").items() if v}
    base_kinds = {"externalentity": "ExternalEntity", "process": "Process",
                  "datastore": "DataStore"}
    for ref, value in sorted(mapping.items()):
        kind = str(value).split("#")[-1].removeprefix("kgt:")
        element = model.elements.get(ref)
        if element is None:
            model.warn(f"mapping: no element with id '{ref}'")
            continue
        if kind.lower() in base_kinds:
            element.kind, element.ml_kind, element.ml_reason = base_kinds[kind.lower()], None, ""
            model.guesses[:] = [g for g in model.guesses if not g.startswith(f"{ref} (")]
            continue
        base = bases.get(kind.lower())
        if base is None:
            model.warn(f"mapping: '{value}' for '{ref}' is not a component kind; ignored")
            continue
        canonical = next(k for k in tables.section("ml_kinds") if str(k).lower() == kind.lower())
        if base != element.kind:
            element.comments.append(f"Declared as {element.kind} in the source; the mapping "
                                    f"file makes it {canonical}.")
            element.kind = base
        element.ml_kind, element.ml_reason = str(canonical), "set by the mapping file"
        model.guesses[:] = [g for g in model.guesses if not g.startswith(f"{ref} (")]
