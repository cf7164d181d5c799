"""Push, remote analysis and local analysis agree on a 1,000-component generated system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stores.servers import SparqlServer

from kg_threat import pipeline, push

pytest_plugins = ["stores.fixtures"]

ROOT = Path(__file__).resolve().parent.parent


def test_push_then_remote_analysis_gives_the_local_findings(
    fresh_oxigraph: SparqlServer, graph_iri: str, tmp_path: Path
) -> None:
    estate = tmp_path / "estate.ttl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--components", "1000", "--out", str(estate)],
        check=True, capture_output=True,
    )
    local = pipeline.run([str(estate)])
    assert len(local.analysis.findings) > 10_000
    report = push.push(local, fresh_oxigraph.query, graph_iri, update_endpoint=fresh_oxigraph.update,
                       timeout=300)
    assert report.stored == report.triples
    remote = pipeline.run([], pipeline.Options(endpoint=fresh_oxigraph.query, graph=graph_iri))
    assert remote.analysis.findings == local.analysis.findings
    assert remote.analysis.system == local.analysis.system
