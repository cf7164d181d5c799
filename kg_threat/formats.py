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


def write_json(analysis: Analysis, out: TextIO) -> None:
    """The contract's JSON object, one finding per line inside the array."""
    out.write("{\n")
    out.write(f'  "system": {json.dumps(analysis.system)},\n')
    out.write(f'  "adversary": {json.dumps(analysis.adversary)},\n')
    out.write(f'  "assumed_strongest_adversary": {json.dumps(analysis.assumed_strongest_adversary)},\n')
    if not analysis.findings:
        out.write('  "findings": []\n}\n')
        return
    out.write('  "findings": [\n')
    last = len(analysis.findings) - 1
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for i, finding in enumerate(analysis.findings):
        out.write("    " + dumps(finding.to_json()) + (",\n" if i < last else "\n"))
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


def write_table(analysis: Analysis, out: TextIO) -> None:
    """A terminal table, grouped: one row per component and risk, threats listed by id."""
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
        ids = ", ".join(sorted({f.id for f in items}))
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
