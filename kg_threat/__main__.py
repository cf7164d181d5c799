"""``python -m kg_threat`` runs the command line."""

from kg_threat.cli import main

main()
