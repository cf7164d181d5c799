"""Full DL mode: the HermiT reasoner, through owlready2, on the ontology and on a system.

HermiT is a Java program. Each call reasons in a child Python process that leads its own
process group, so that a timeout kills the child *and* the ``java`` it started. Each child
builds a fresh ``owlready2.World`` (owlready2's default world is process-wide state).

owlready2 reads N-Triples, not Turtle, and follows ``owl:imports`` over the network: it is
handed N-Triples with every ``owl:imports`` triple removed. After reasoning it records only
the most specific classes of an individual; :func:`classify` adds their superclasses.

When the data is inconsistent HermiT does not say why. To name the culprit, a second run
replaces every individual by a *probe* class (:mod:`kg_threat.dl_probe`) and asks HermiT which
probes are unsatisfiable.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg_threat import dl_hermit, dl_probe
from kg_threat.errors import InputError, LimitExceeded
from kg_threat.resources import ontology_files
from kg_threat.vocab import FINDINGS_GRAPH, ONTOLOGY_GRAPH, OWL, RDF, RDFS

DEFAULT_TIMEOUT = 300.0
"""Seconds one reasoning call may take, JVM start included."""

_OWL_IMPORTS = ox.NamedNode(OWL + "imports")
_RDF_TYPE = ox.NamedNode(RDF + "type")
_CLASS_TYPES = {ox.NamedNode(OWL + "Class"), ox.NamedNode(RDFS + "Class")}


@dataclass(frozen=True)
class DLReport:
    """What HermiT says about a set of axioms and facts."""

    consistent: bool
    unsatisfiable: tuple[str, ...] = ()
    culprits: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class _Task:
    """The work handed to the child process (written to files by :mod:`kg_threat.dl_hermit`)."""

    base: bytes
    data: bytes
    probes: bytes
    probe_map: dict[str, str] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()
    classify: bool = False


def check_ontology(timeout: float = DEFAULT_TIMEOUT) -> DLReport:
    """Check the bundled ontology (every ``ontology/*.ttl``): consistency, unsatisfiable classes."""
    triples = _without_imports(_ontology_triples())
    schema, facts = dl_probe.split_individuals(triples)
    probes, probe_map = dl_probe.probes(facts, schema + facts)
    task = _Task(_nt(schema), _nt(facts), _nt(probes), probe_map)
    result = _run(task, timeout)
    return _report(result, facts)


def classify(
    source: ox.Store | str | bytes, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, set[str]]:
    """Classify the individuals of a system with HermiT.

    ``source`` is a working store (its default and inferred graphs are the data, its ontology
    graph the ontology, or the bundled ontology when that graph is empty) or N-Triples text
    (classified against the bundled ontology). Returns every named individual of the data with
    all the named classes it belongs to, superclasses included, ``owl:Thing`` left out.
    Raises :class:`InputError` when the data contradicts the ontology, naming the individual.
    """
    base, data = _split_source(source)
    base = _without_imports(base)
    data = _without_imports(data)
    probes, probe_map = dl_probe.probes(data, base + data)
    candidates = tuple(sorted(dl_probe.mentioned_iris(data)))
    task = _Task(_nt(base), _nt(data), _nt(probes), probe_map, candidates, classify=True)
    result = _run(task, timeout)
    report = _report(result, data)
    if not report.consistent:
        raise InputError(report.message)
    classes: dict[str, list[str]] = result["classes"]
    return {iri: set(found) for iri, found in sorted(classes.items())}


# ---------------------------------------------------------------------------------------------
# Input preparation (parent process)


def _ontology_triples() -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for path in ontology_files():
        try:
            triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise InputError(f"{path}: {exc.msg}") from None
    return triples


def _split_source(source: ox.Store | str | bytes) -> tuple[list[ox.Triple], list[ox.Triple]]:
    if isinstance(source, ox.Store):
        ontology = ox.NamedNode(ONTOLOGY_GRAPH)
        skipped = {ontology, ox.NamedNode(FINDINGS_GRAPH)}
        base = [q.triple for q in source.quads_for_pattern(None, None, None, ontology)]
        data = [q.triple for q in source if q.graph_name not in skipped]
        return (base or _ontology_triples()), data
    text = source.encode() if isinstance(source, str) else source
    try:
        data = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise InputError(f"N-Triples input, line {exc.lineno}: {exc.msg}") from None
    return _ontology_triples(), data


def _without_imports(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """What owlready2 can be handed: no ``owl:imports`` (it would fetch them over the network)
    and no classes typed as individuals (``kgt:X a owl:Class, kgt:TargetClass``): owlready2
    applies HermiT's subclass results to such punned classes as types, and loses them."""
    triples = list(triples)
    classes = {
        t.subject for t in triples if t.predicate == _RDF_TYPE and t.object in _CLASS_TYPES
    }
    return [
        t for t in triples
        if t.predicate != _OWL_IMPORTS
        and not (t.predicate == _RDF_TYPE and t.subject in classes
                 and t.object not in _CLASS_TYPES)
    ]


def _nt(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


def _report(result: dict[str, Any], facts: list[ox.Triple]) -> DLReport:
    if result["consistent"]:
        unsat = tuple(sorted(result["unsatisfiable"]))
        message = "consistent" if not unsat else "consistent, with unsatisfiable classes: " + (
            ", ".join(unsat)
        )
        return DLReport(True, unsat, (), message)
    culprits = tuple(sorted(result["culprits"]))
    if result["schema_inconsistent"]:
        message = (
            "HermiT finds the ontology inconsistent: its class and property axioms "
            "contradict each other, whatever the individuals"
        )
    elif culprits:
        message = "HermiT finds the data inconsistent with the ontology; contradictory: " + (
            "; ".join(dl_probe.describe(c, dl_probe.asserted_types(facts, c)) for c in culprits)
        )
    else:
        message = (
            "HermiT finds the data inconsistent with the ontology, through facts that involve "
            "several individuals (it does not say which)"
        )
    return DLReport(False, (), culprits, message)


# ---------------------------------------------------------------------------------------------
# The child process


def _run(task: _Task, timeout: float) -> dict[str, Any]:
    """Run ``task`` in a child process group; kill the whole group after ``timeout`` seconds."""
    with tempfile.TemporaryDirectory(prefix="kg-threat-dl-") as name:
        workdir = Path(name)
        dl_hermit.write_task(workdir, task.base, task.data, task.probes, task.probe_map,
                             task.candidates, task.classify)
        env = {**os.environ, "TMPDIR": name}  # owlready2 writes HermiT's input file there
        with (workdir / "stderr.txt").open("wb") as errors:
            child = subprocess.Popen(
                [sys.executable, "-m", "kg_threat.dl_hermit", name],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=env,
                start_new_session=True,
            )
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                raise LimitExceeded(
                    f"the DL reasoner did not finish within {timeout:g} s",
                    hint="give it more time with --timeout, or use the default rule reasoner",
                ) from None
            finally:
                _kill_group(child)
        outcome = dl_hermit.read_outcome(workdir)
        if outcome is None:
            stderr = (workdir / "stderr.txt").read_text(errors="replace")
            raise InputError(
                f"the DL reasoner stopped unexpectedly (exit code {child.returncode})"
                + (f": {_last_line(stderr)}" if stderr.strip() else "")
            )
    kind, payload = outcome
    if kind == "ok":
        return payload
    raise InputError(_explain(str(payload.get("type", "")), str(payload.get("message", ""))))


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """Kill what is left of the child's process group (the child and its ``java``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _explain(kind: str, text: str) -> str:
    if kind == "FileNotFoundError":
        return "the DL reasoner needs Java: install a Java runtime (java on PATH)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("at ")]
    detail = " ".join(lines[:4]) if lines else kind
    return f"the DL reasoner failed: {detail}"


__all__ = ["DEFAULT_TIMEOUT", "DLReport", "check_ontology", "classify"]
