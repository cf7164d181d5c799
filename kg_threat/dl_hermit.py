"""The owlready2 side of the DL mode, run as ``python -m kg_threat.dl_hermit WORKDIR``.

:mod:`kg_threat.dl` starts it as the leader of a new process group, so that a timeout kills it
together with the ``java`` it runs. The task comes in as files in WORKDIR (N-Triples and a JSON
header) and the outcome goes back as ``outcome.json``. Every call builds its own
``owlready2.World``: owlready2's default world is process-wide state. owlready2 is imported
only in the child.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

_OWL_THING = "http://www.w3.org/2002/07/owl#Thing"
_OUTCOME = "outcome.json"


def write_task(
    workdir: Path,
    base: bytes,
    data: bytes,
    probes: bytes,
    probe_map: dict[str, str],
    candidates: tuple[str, ...],
    classify: bool,
) -> None:
    """Write a task for the child into ``workdir``."""
    (workdir / "base.nt").write_bytes(base)
    (workdir / "data.nt").write_bytes(data)
    (workdir / "probes.nt").write_bytes(probes)
    header = {"probe_map": probe_map, "candidates": list(candidates), "classify": classify}
    (workdir / "task.json").write_text(json.dumps(header), encoding="utf-8")


def read_outcome(workdir: Path) -> tuple[str, dict[str, Any]] | None:
    """The child's outcome: ``("ok", result)`` or ``("error", {type, message})``; None if absent."""
    path = workdir / _OUTCOME
    if not path.is_file():
        return None
    kind, payload = json.loads(path.read_text(encoding="utf-8"))
    return str(kind), dict(payload)


def _run_task(workdir: Path) -> None:
    header = json.loads((workdir / "task.json").read_text(encoding="utf-8"))
    try:
        outcome: list[Any] = ["ok", reason(
            (workdir / "base.nt").read_bytes(),
            (workdir / "data.nt").read_bytes(),
            (workdir / "probes.nt").read_bytes(),
            dict(header["probe_map"]),
            tuple(header["candidates"]),
            bool(header["classify"]),
        )]
    except Exception as exc:  # every failure goes back to the parent as a message
        outcome = ["error", {"type": type(exc).__name__, "message": str(exc)}]
    (workdir / _OUTCOME).write_text(json.dumps(outcome), encoding="utf-8")


def _world(ntriples: bytes) -> Any:
    import owlready2

    world = owlready2.World()
    world.get_ontology("urn:kg-threat:dl").load(fileobj=io.BytesIO(ntriples), format="ntriples")
    return world


def _hermit(world: Any) -> bool:
    """Run HermiT on ``world``; False when it finds the knowledge base inconsistent."""
    import owlready2

    try:
        owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def _unsatisfiable(world: Any) -> list[str]:
    return sorted(c.iri for c in world.inconsistent_classes() if hasattr(c, "iri"))


def _classes(world: Any, candidates: tuple[str, ...]) -> dict[str, list[str]]:
    """Named classes of each candidate individual, superclasses included, owl:Thing left out."""
    import owlready2

    found: dict[str, list[str]] = {}
    for iri in candidates:
        entity = world[iri]
        if not isinstance(entity, owlready2.Thing):
            continue
        closure: set[str] = set()
        for cls in entity.is_a:
            if isinstance(cls, owlready2.ThingClass):
                ancestors = cls.ancestors()
                closure.update(a.iri for a in ancestors if isinstance(a, owlready2.ThingClass))
        closure.discard(_OWL_THING)
        found[iri] = sorted(closure)
    return found


def reason(
    base: bytes,
    data: bytes,
    probes: bytes,
    probe_map: dict[str, str],
    candidates: tuple[str, ...],
    classify: bool,
) -> dict[str, Any]:
    """Reason over ``base`` + ``data``; when inconsistent, over ``base`` + ``probes``."""
    world = _world(base + b"\n" + data)
    if _hermit(world):
        return {
            "consistent": True,
            "unsatisfiable": _unsatisfiable(world),
            "classes": _classes(world, candidates) if classify else {},
        }
    probing = _world(base + b"\n" + probes)
    if not _hermit(probing):
        return {"consistent": False, "schema_inconsistent": True, "culprits": []}
    culprits = sorted({probe_map[c] for c in _unsatisfiable(probing) if c in probe_map})
    return {"consistent": False, "schema_inconsistent": False, "culprits": culprits}


if __name__ == "__main__":
    _run_task(Path(sys.argv[1]))
