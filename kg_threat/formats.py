"""Writers of ``analyze`` output: json (the contract), csv, md, table, ttl, sarif.

Each writer streams to a text stream, so tens of thousands of findings are written without
building one large string; the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import TextIO

from kg_threat.model import Analysis, Finding
from kg_threat.vocab import local_name

FORMATS = ("table", "json", "csv", "md", "ttl", "sarif")

_CSV_COLUMNS = (
    "risk", "status", "id", "label", "catalogs", "categories", "component", "likelihood",
    "impact", "controls", "missing_controls", "threat",
)


_BATCH = 2048  # findings per write


class _JsonFindings:
    """Encode findings exactly as ``json.dumps(finding.to_json(), ensure_ascii=False)`` does.

    Most of a finding repeats: the head (threat, id, label, catalogs, categories) is the same
    for every finding of a threat, and the tail (levels, status, controls) comes from a small
    set. Each distinct head, component and tail is encoded once by the json module and
    reused, so a line costs three dictionary look-ups and two concatenations.
    """

    def __init__(self) -> None:
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        self._heads: dict[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], str] = {}
        self._components: dict[str, str] = {}
        self._tails: dict[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]], str] = {}

    def _head(self, key: tuple[str, str, str, tuple[str, ...], tuple[str, ...]]) -> str:
        threat, ident, label, catalogs, categories = key
        encoded = self._encode({
            "threat": threat, "id": ident, "label": label,
            "catalogs": list(catalogs), "categories": list(categories),
        })
        head = encoded[:-1] + ', "component": '
        self._heads[key] = head
        return head

    def _tail(self, key: tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]) -> str:
        likelihood, impact, risk, status, controls, missing = key
        encoded = self._encode({
            "likelihood": likelihood, "impact": impact, "risk": risk, "status": status,
            "controls": list(controls), "missing_controls": list(missing),
        })
        tail = self._tails[key] = ", " + encoded[1:]
        return tail

    def line(self, f: Finding) -> str:
        """The finding's JSON object, with the same bytes as the json module writes."""
        # Finding is a named tuple: its first five fields are the head, the six after the
        # component the tail (slicing is one C call; building the keys field by field was not).
        head: tuple[str, str, str, tuple[str, ...], tuple[str, ...]] = f[:5]
        tail: tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]] = f[6:12]
        component = f.component
        return (
            (self._heads.get(head) or self._head(head))
            + (self._components.get(component) or self._component(component))
            + (self._tails.get(tail) or self._tail(tail))
        )

    def _component(self, component: str) -> str:
        encoded = self._components[component] = self._encode(component)
        return encoded


def write_json(analysis: Analysis, out: TextIO) -> None:
    """The contract's JSON object, one finding per line inside the array."""
    out.write("{\n")
    out.write(f'  "system": {json.dumps(analysis.system)},\n')
    out.write(f'  "adversary": {json.dumps(analysis.adversary)},\n')
    out.write(f'  "assumed_strongest_adversary": {json.dumps(analysis.assumed_strongest_adversary)},\n')
    findings = analysis.findings
    if not findings:
        out.write('  "findings": []\n}\n')
        return
    out.write('  "findings": [\n')
    line = _JsonFindings().line
    for start in range(0, len(findings), _BATCH):
        out.write(",\n".join(["    " + line(f) for f in findings[start:start + _BATCH]]))
        out.write(",\n" if start + _BATCH < len(findings) else "\n")
    out.write("  ]\n}\n")


def _row(f: Finding) -> list[str]:
    return [
        f.risk, f.status, f.id, f.label, " ".join(f.catalogs), " ".join(f.categories),
        f.component, f.likelihood, f.impact, " ".join(f.controls), " ".join(f.missing_controls),
        f.threat,
    ]


def write_csv(analysis: Analysis, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for finding in analysis.findings:
        writer.writerow(_row(finding))


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _name(f: Finding) -> str:
    return f.component_label or local_name(f.component)


def write_md(analysis: Analysis, out: TextIO) -> None:
    out.write(f"# Findings ({len(analysis.findings)})\n\n")
    if analysis.assumed_strongest_adversary:
        out.write("No adversary is declared: the strongest one was assumed.\n\n")
    out.write("| risk | status | id | threat | component | L | I | missing controls |\n")
    out.write("|---|---|---|---|---|---|---|---|\n")
    for f in analysis.findings:
        missing = ", ".join(local_name(c) for c in f.missing_controls)
        cells = (f.risk, f.status, f.id, f.label, _name(f), f.likelihood, f.impact, missing)
        out.write("| " + " | ".join(_md_cell(c) for c in cells) + " |\n")


def compact_ids(ids: set[str]) -> str:
    """Threat ids of one group, a technique's sub-techniques folded under it:
    ``AML.T0024 (.000 .001 .002)``; a sub-technique without its parent is listed in full."""
    children: dict[str, list[str]] = {}
    for found in ids:
        parent, dot, suffix = found.rpartition(".")
        if found.startswith("AML.T") and found.count(".") == 2 and parent in ids:
            children.setdefault(parent, []).append(dot + suffix)
    folded = {p + "." + c[1:] for p, cs in children.items() for c in cs}
    parts = []
    for found in sorted(ids - folded):
        subs = sorted(children.get(found, ()))
        parts.append(f"{found} ({' '.join(subs)})" if subs else found)
    return ", ".join(parts)


def write_table(analysis: Analysis, out: TextIO) -> None:
    """A terminal table, grouped: one row per component, risk and status; sub-techniques are
    folded under their technique."""
    from rich.console import Console
    from rich.table import Table

    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in analysis.findings:
        groups.setdefault((f.risk, _name(f), f.status), []).append(f)
    table = Table(title=f"{len(analysis.findings)} findings", show_lines=False)
    for column in ("risk", "component", "status", "threats"):
        table.add_column(column)
    colours = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}
    for (risk, name, status), items in groups.items():
        ids = compact_ids({f.id for f in items})
        table.add_row(f"[{colours[risk]}]{risk}[/]", name, status, ids)
    console = Console(file=out, width=140, soft_wrap=False)
    if analysis.assumed_strongest_adversary:
        console.print("[italic]No adversary is declared: the strongest one was assumed.[/]")
    console.print(table)


def writer_for(fmt: str) -> Callable[[Analysis, TextIO], None]:
    if fmt == "sarif":
        from kg_threat.sarif import write_sarif

        return write_sarif
    return {"json": write_json, "csv": write_csv, "md": write_md, "table": write_table}[fmt]
