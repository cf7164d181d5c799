"""The floor of ``kg-threat analyze --format json``: the same process without its reasoning.

    python bench/floor.py prepare ESTATE.ttl CACHE    # once, untimed: analyse, keep the reasoning's results
    python bench/floor.py run ESTATE.ttl CACHE        # timed: start-up, load, assess, JSON to stdout

A ``run`` process does what ``analyze --format json`` does, minus the reasoning step: it starts
like the command (the command line's modules imported and registered, the same collector
settings), loads the estate and the bundled ontology into a store, then, where ``analyze``
derives facts, evaluates the target classes and reads the system's facts, it unpickles what a
``prepare`` run found (memberships, applicable threats, knowledge, facts), and assesses and
writes every finding as JSON, byte for byte what ``analyze`` writes. However fast a reasoner,
``analyze`` cannot take less than this process: the harness's ``floor`` stage measures it
beside the bare load, so the share of the 3x budget left to reasoning is read off one run.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def prepare(estate: Path, cache: Path) -> None:
    from kg_threat import pipeline

    result = pipeline.run([str(estate)])
    kept = (result.applicability, result.knowledge, result.facts, result.analysis.adversary,
            result.analysis.assumed_strongest_adversary)
    cache.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))


def run(estate: Path, cache: Path) -> None:
    import importlib

    from kg_threat.cli import register

    importlib.import_module("kg_threat.cli.app")._tune_garbage_collector()
    register()
    from kg_threat import assess, pipeline
    from kg_threat.formats import writer_for
    from kg_threat.model import Analysis

    store = pipeline.load_store([str(estate)], pipeline.Options())
    pairs, know, facts, adversary, assumed = pickle.loads(cache.read_bytes())
    findings = assess.assess(pairs, know, facts)
    analysis = Analysis(system=facts.system, adversary=adversary, findings=findings,
                        assumed_strongest_adversary=assumed, sources=(str(estate),))
    writer_for("json")(analysis, sys.stdout)
    sys.stdout.flush()
    del store  # held to the end, as analyze holds its store


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("prepare", "run"):
        print("usage: floor.py prepare|run ESTATE.ttl CACHE", file=sys.stderr)
        return 2
    action, estate, cache = argv[0], Path(argv[1]), Path(argv[2])
    (prepare if action == "prepare" else run)(estate, cache)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
