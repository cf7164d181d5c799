"""Commands of the `interop` group (registered on the shared typer app): import, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg_threat.cli.app import app


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The model to convert ('-': stdin).")],
    output: Annotated[str, typer.Option(
        "-o", "--output", help="Turtle file to write ('-': stdout).")],
    from_: Annotated[str | None, typer.Option(
        "--from", help="Force the format: threagile, threat-dragon, otm, tmlib.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="YAML file of element id -> kind, overriding the guesses.")] = None,
    base: Annotated[str | None, typer.Option(
        "--base", help="Base IRI of the imported components (default: from the title).")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Do not list guesses and warnings.")] = False,
) -> None:
    """Convert another tool's threat model (Threagile, Threat Dragon, OTM, Threat Model
    Library) to the kg-threat vocabulary, guessing ML component kinds."""
    from kg_threat.cli.options import guard_io
    from kg_threat.interop.emit import to_turtle
    from kg_threat.interop.importer import check_base, import_model, read_mapping

    target = None if output == "-" else Path(output)
    guard_io(reads=[file, *([mapping] if mapping else [])], writes=[target])
    overrides = read_mapping(mapping) if mapping is not None else None
    model = import_model(file, from_, overrides)
    turtle = to_turtle(model, check_base(base) if base else None)
    _write(target, turtle)
    if quiet:
        return
    for message in model.warnings:
        typer.echo(f"warning: {message}", err=True)
    if model.guesses:
        typer.echo("ML kinds guessed (confirm them, or override with --mapping):", err=True)
        for guess in model.guesses:
            typer.echo(f"  guess: {guess}", err=True)
    typer.echo(
        f"imported {model.format} model: {len(model.elements)} elements, {len(model.flows)} "
        f"flows, {sum(not b.implicit for b in model.boundaries.values())} trust boundaries, "
        f"{len(model.assets)} assets, {len(model.treatments)} treatments -> {output}",
        err=True,
    )


@app.command("export")
def export(
    files: Annotated[list[str], typer.Argument(metavar="FILE...", help="The system (RDF files).")],
    to: Annotated[str, typer.Option("--to", help="Target format: threat-dragon or otm.")],
    output: Annotated[str, typer.Option(
        "-o", "--output", help="The JSON file to write ('-': stdout).")],
) -> None:
    """Write the system and its findings (status, mitigations) for another tool: a Threat
    Dragon v2 model or an Open Threat Model document."""
    import json

    from kg_threat import pipeline
    from kg_threat.errors import InputError
    from kg_threat.interop import export_otm, export_threat_dragon

    writers = {"threat-dragon": export_threat_dragon.export, "otm": export_otm.export}
    if to not in writers:
        raise InputError(f"--to: unknown format '{to}' (choose threat-dragon or otm)")
    from kg_threat.cli.options import guard_io

    target = None if output == "-" else Path(output)
    guard_io(reads=files, writes=[target])
    result = pipeline.run(files, pipeline.Options())
    document = writers[to](result.store, result.analysis.findings)
    _write(target, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if target is None:
        return
    typer.echo(f"exported {len(result.analysis.findings)} findings as {to} -> {output}", err=True)


def _write(target: Path | None, text: str) -> None:
    """Write ``text`` to stdout or, whole or not at all, to ``target``."""
    from kg_threat import output as out
    from kg_threat.errors import InputError

    try:
        out.write(target, lambda stream: stream.write(text))
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from None
