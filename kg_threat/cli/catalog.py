"""Commands of the `catalog` group (registered on the shared typer app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg_threat.cli.app import app

catalog_app = typer.Typer(
    name="catalog",
    help="Browse the threat catalogs (ATLAS, OWASP, STRIDE, LINDDUN, ML) and import ATLAS.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")

ListFormat = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


@catalog_app.command("list")
def list_(
    catalog: Annotated[str | None, typer.Option(
        "--catalog", "-c",
        help="Only this catalog: ATLAS, OWASP-ML, OWASP-LLM, STRIDE, LINDDUN or ML.")] = None,
    tactic: Annotated[str | None, typer.Option(
        "--tactic", "-t", help="Only techniques of this ATLAS tactic (id or name).")] = None,
    text: Annotated[str | None, typer.Option(
        "--text", help="Only entries whose id or name contains this text (any case).")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", "-k",
        help="Only entries of this kind: technique, sub-technique, tactic, mitigation, "
             "case-study, stride, linddun, ml-class, owasp-ml, owasp-llm.")] = None,
    fmt: ListFormat = "table",
) -> None:
    """List catalog entries, filtered by catalog, tactic, kind and text."""
    from kg_threat.catalog import browse, render

    entries = browse.Catalog.bundled().entries(catalog=catalog, tactic=tactic, text=text, kind=kind)
    typer.echo(render.entries(entries, fmt), nl=False)


@catalog_app.command()
def show(
    ident: Annotated[str, typer.Argument(
        metavar="ID", help="AML.T0020, AML.T0051.001, AML.M0015, AML.TA0001, LLM01, ML05, "
                           "Spoofing, DataPoisoning…")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Show one catalog entry with its relations."""
    from kg_threat.catalog import browse, render

    detail = browse.Catalog.bundled().show(ident)
    typer.echo(render.detail(detail, fmt), nl=False)


@catalog_app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to look for in ids and names.")],
    fmt: ListFormat = "table",
) -> None:
    """Find catalog entries whose id or name contains every word of TEXT."""
    from kg_threat.catalog import browse, render

    entries = browse.Catalog.bundled().search(text)
    typer.echo(render.entries(entries, fmt), nl=False)


@catalog_app.command("import-atlas")
def import_atlas(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="An ATLAS.yaml release file.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o",
        help="Where to write the module (default: the bundled ontology/atlas.ttl; - for "
             "standard output).")] = None,
    mitigations: Annotated[Path | None, typer.Option(
        "--mitigations",
        help="Mitigation-to-control map (default: the bundled "
             "ontology/atlas-mitigations.ttl).")] = None,
) -> None:
    """Regenerate the ATLAS ontology module from an ATLAS.yaml release."""
    from kg_threat.catalog.atlas_import import default_output, import_atlas, write_module

    result = import_atlas(source, mitigations)
    for note in result.notes:
        print(f"kg-threat: note: {note}", file=sys.stderr)
    if output is not None and str(output) == "-":
        typer.echo(result.turtle, nl=False)
        return
    target = output or default_output()
    write_module(target, result.turtle)
    summary = ", ".join(f"{n} {what}" for what, n in result.counts.items())
    typer.echo(f"ATLAS {result.version}: {summary} written to {target}")
