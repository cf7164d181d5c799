"""Diff step: findings added, removed and changed between two analyses of a system."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TextIO

from kg_threat.model import Analysis, Finding


@dataclass(frozen=True)
class Changes:
    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...]


def _changed(a: Finding, b: Finding) -> bool:
    return (a.risk, a.status, a.likelihood, a.impact) != (b.risk, b.status, b.likelihood, b.impact)


def diff_analyses(before: Analysis, after: Analysis) -> Changes:
    """Compare findings by their stable identity (threat, component)."""
    old = {(f.threat, f.component): f for f in before.findings}
    new = {(f.threat, f.component): f for f in after.findings}
    added = tuple(sorted((f for k, f in new.items() if k not in old), key=Finding.sort_key))
    removed = tuple(sorted((f for k, f in old.items() if k not in new), key=Finding.sort_key))
    changed = tuple(
        sorted(
            ((old[k], f) for k, f in new.items() if k in old and _changed(old[k], f)),
            key=lambda pair: pair[1].sort_key(),
        )
    )
    return Changes(added, removed, changed)


def write_json(changes: Changes, out: TextIO) -> None:
    doc = {
        "added": [f.to_json() for f in changes.added],
        "removed": [f.to_json() for f in changes.removed],
        "changed": [{"before": a.to_json(), "after": b.to_json()} for a, b in changes.changed],
    }
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_table(changes: Changes, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"+{len(changes.added)} -{len(changes.removed)} ~{len(changes.changed)}")
    for column in ("change", "risk", "status", "id", "component"):
        table.add_column(column)
    for f in changes.added:
        table.add_row("[green]added[/]", f.risk, f.status, f.id, f.component_label or f.component)
    for f in changes.removed:
        table.add_row("[red]removed[/]", f.risk, f.status, f.id, f.component_label or f.component)
    for a, b in changes.changed:
        table.add_row("[yellow]changed[/]", f"{a.risk} → {b.risk}", f"{a.status} → {b.status}",
                      b.id, b.component_label or b.component)
    Console(file=out, width=140).print(table)
