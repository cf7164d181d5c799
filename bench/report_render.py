"""Time the report step alone on a synthetic estate: collect the sections, draw, write.

    python bench/report_render.py --components 10000 [--findings-per-component 10]

The system is a generated estate (bench/generate.py) loaded with the ontology; the findings
are made up (a fixed number per component, risks and statuses cycling) so that the time is
that of the report, not of the analysis. Prints one line per phase, in wall seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from kg_threat import load
from kg_threat.model import RISKS, Analysis, Finding
from kg_threat.report import diagram, html, markdown
from kg_threat.report.content import collect

STATUSES = ("unmitigated", "mitigated", "accepted", "unmitigated", "excluded")


@dataclass
class Run:
    store: ox.Store
    analysis: Analysis


def findings_for(store: ox.Store, per_component: int) -> tuple[Finding, ...]:
    query = ("SELECT ?c WHERE { ?s <https://w3id.org/kg-threat/ontology#hasComponent> ?c } "
             "ORDER BY ?c")
    components = [row["c"].value for row in store.query(query)]  # type: ignore[union-attr]
    found = []
    for i, component in enumerate(components):
        for j in range(per_component):
            n = i * per_component + j
            found.append(Finding(
                f"https://w3id.org/kg-threat/atlas#AML.T{j:04d}", f"AML.T{j:04d}",
                f"Technique {j}", ("ATLAS",), (), component, "medium", "high",
                RISKS[n % 4], STATUSES[n % 5],  # type: ignore[arg-type]
                ("https://w3id.org/kg-threat/ontology#Authentication",),
                ("https://w3id.org/kg-threat/ontology#RateLimiting",)))
    return tuple(sorted(found, key=Finding.sort_key))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--components", type=int, default=10000)
    parser.add_argument("--findings-per-component", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ttl = work / "estate.ttl"
        generate(args.components, 1, ttl)
        clock = time.perf_counter()
        store = ox.Store()
        load.load_sources([str(ttl)], store)
        load.load_ontology(store)
        found = findings_for(store, args.findings_per_component)
        result = Run(store, Analysis(None, None, found, True, (str(ttl),)))
        phases = [("load + made-up findings", time.perf_counter() - clock)]
        clock = time.perf_counter()
        report = collect(result)
        phases.append(("collect sections (queries, grouping)", time.perf_counter() - clock))
        clock = time.perf_counter()
        svg = diagram.to_svg(report.diagram, standalone=False)
        phases.append((f"draw diagram (summarised={report.diagram.summarised})",
                       time.perf_counter() - clock))
        clock = time.perf_counter()
        page = html.render(report, svg)
        phases.append((f"render HTML ({len(page) / 1e6:.1f} MB)", time.perf_counter() - clock))
        clock = time.perf_counter()
        text = markdown.render(report, diagram.to_mermaid(report.diagram), "report.svg")
        phases.append((f"render Markdown ({len(text) / 1e6:.1f} MB)",
                       time.perf_counter() - clock))
    print(f"{args.components} components, {len(found)} findings")
    for name, seconds in phases:
        print(f"{seconds:8.2f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
