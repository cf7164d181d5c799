"""Command ``check-ontology``: the bundled ontology under the DL reasoner (HermiT)."""

from __future__ import annotations

from typing import Annotated

import typer

from kg_threat.cli.app import app


@app.command("check-ontology")
def check_ontology(
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds HermiT may take.", min=1.0)] = 300.0,
) -> None:
    """Check that the bundled ontology is consistent and every class satisfiable (needs Java)."""
    from kg_threat import dl
    from kg_threat.errors import CheckFailed

    report = dl.check_ontology(timeout)
    if not report.consistent:
        raise CheckFailed(report.message or "the ontology is inconsistent")
    if report.unsatisfiable:
        raise CheckFailed("unsatisfiable classes: " + ", ".join(report.unsatisfiable))
    typer.echo("the ontology is consistent; every class is satisfiable")
