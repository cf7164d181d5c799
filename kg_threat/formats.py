"""Writers of ``analyze`` output: json (the contract), csv, md, table, ttl, sarif.

Each writer streams to a text stream, so tens of thousands of findings are written without
building one large string; the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from kg_threat.model import Analysis, Finding, Run, runs_of
from kg_threat.vocab import local_name

FORMATS = ("table", "json", "csv", "md", "ttl", "sarif")

_CSV_COLUMNS = (
    "risk", "status", "id", "label", "catalogs", "categories", "component", "likelihood",
    "impact", "controls", "missing_controls", "threat",
)


_BATCH = 16_384  # pieces per write


class _Encoded(dict[str, bytes]):
    """Each component as JSON in UTF-8, encoded on first use."""

    def __missing__(self, component: str) -> bytes:
        encoded = self[component] = json.dumps(component, ensure_ascii=False).encode()
        return encoded


_Parts = tuple[bytes, bytes, bytes]  # head, separator between components, tail


class _JsonFindings:
    """Encode findings exactly as ``json.dumps(finding.to_json(), ensure_ascii=False)`` does,
    a run of findings at a time.

    Findings differ in their component and repeat the rest: the head (threat, id, label,
    catalogs, categories) is the same for every finding of a threat, and the tail (levels,
    status, controls) comes from a small set. Each distinct head, component and tail is encoded
    once by the json module; consecutive findings with the same head and tail are then one
    ``join`` over their encoded components (at 10,000 components: 500,000 findings, 50,000
    joins). Everything is UTF-8 already, so the 240 MB of a large analysis are not encoded
    again on their way out.
    """

    def __init__(self) -> None:
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        # A run's prototype is alive while its findings are written, so its id is a safe key.
        self._by_proto: dict[int, _Parts] = {}
        self._by_fields: dict[tuple[object, object], _Parts] = {}
        self.components = _Encoded()

    def parts(self, proto: Finding) -> _Parts:
        found = self._by_proto.get(id(proto))
        if found is None:
            # Finding is a named tuple: its first five fields are the head, the six after the
            # component the tail.
            fields = (proto[:5], proto[6:12])
            found = self._by_fields.get(fields)
            if found is None:  # the same parts, shared: consecutive runs compare by identity
                found = self._by_fields[fields] = self._encoded(proto)
            self._by_proto[id(proto)] = found
        return found

    def _encoded(self, proto: Finding) -> _Parts:
        head = self._encode({
            "threat": proto.threat, "id": proto.id, "label": proto.label,
            "catalogs": list(proto.catalogs), "categories": list(proto.categories),
        })
        tail = self._encode({
            "likelihood": proto.likelihood, "impact": proto.impact, "risk": proto.risk,
            "status": proto.status, "controls": list(proto.controls),
            "missing_controls": list(proto.missing_controls),
        })
        head_bytes = f'    {head[:-1]}, "component": '.encode()
        tail_bytes = f", {tail[1:]}".encode()
        return head_bytes, tail_bytes + b",\n" + head_bytes, tail_bytes

    def lines(self, runs: Iterable[Run]) -> Iterator[tuple[_Parts, list[bytes]]]:
        """Consecutive runs that encode alike, merged, with their components encoded."""
        parts, encoded = self.parts, self.components
        current: _Parts | None = None
        merged: list[str] = []
        for proto, components in runs:
            found = parts(proto)
            if found is not current:
                if current is not None:
                    yield current, [encoded[c] for c in merged]
                current, merged = found, list(components)
            else:
                merged.extend(components)
        if current is not None:
            yield current, [encoded[c] for c in merged]


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
    write = _bytes_writer(out)
    pieces: list[bytes] = []
    between = b""
    for (head, separator, tail), components in _JsonFindings().lines(runs_of(analysis.findings)):
        pieces += (between, head, separator.join(components), tail)
        between = b",\n"
        if len(pieces) >= _BATCH:
            write(pieces)
            pieces.clear()
    write(pieces)
    out.write("\n  ]\n}\n")


def _bytes_writer(out: TextIO) -> Callable[[list[bytes]], object]:
    """Write pieces of UTF-8 to ``out``: straight to its binary buffer when it has one (a
    file, standard output), after what was written as text; else decoded, as text."""
    buffer = getattr(out, "buffer", None)
    if buffer is None or (out.encoding or "").lower().replace("-", "") != "utf8":
        return lambda pieces: out.write(b"".join(pieces).decode())
    out.flush()
    return buffer.writelines  # type: ignore[no-any-return]


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
