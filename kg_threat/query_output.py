"""Writers of query results: table, csv, json (a list of objects, one per row)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import TextIO

import pyoxigraph as ox

from kg_threat.query import cell

Row = Sequence[ox.NamedNode | ox.BlankNode | ox.Literal | None]


def write_rows(columns: list[str], rows: Sequence[Row], fmt: str, out: TextIO, *, title: str = "") -> None:
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(t) for t in row])
    elif fmt == "json":
        json.dump([{c: cell(t) for c, t in zip(columns, row, strict=True)} for row in rows], out,
                  indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{title} ({len(rows)} rows)")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(cell(t) for t in row))
        Console(file=out, width=160).print(table)
