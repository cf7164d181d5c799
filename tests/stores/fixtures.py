"""Fixtures for the remote-store tests (loaded with ``pytest_plugins = ["stores.fixtures"]``).

``sparql_server`` is a real store shared by a test module: Oxigraph always, Virtuoso too
(marked ``integration``, skipped when not installed). ``fresh_oxigraph`` is a server of the
test's own, for tests that kill it. Tests use a graph IRI of their own (``graph_iri``).
"""

from __future__ import annotations

import http.server
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from stores.servers import (
    ScriptedServer,
    SparqlServer,
    oxigraph_server,
    scripted_server,
    virtuoso_server,
)


@pytest.fixture(
    scope="module",
    params=["oxigraph", pytest.param("virtuoso", marks=pytest.mark.integration)],
)
def sparql_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparqlServer]:
    make = oxigraph_server if request.param == "oxigraph" else virtuoso_server
    server = make(tmp_path_factory.mktemp(request.param))
    server.run()
    yield server
    server.stop()


@pytest.fixture
def fresh_oxigraph(tmp_path: Path) -> Iterator[SparqlServer]:
    server = oxigraph_server(tmp_path / "oxigraph")
    (tmp_path / "oxigraph").mkdir(exist_ok=True)
    server.run()
    yield server
    server.stop()


@pytest.fixture
def graph_iri() -> str:
    return f"http://example.org/test/{uuid.uuid4()}"


@pytest.fixture
def scripted() -> Iterator[
    Callable[[Callable[[http.server.BaseHTTPRequestHandler], None]], ScriptedServer]
]:
    """Start loopback HTTP servers that answer with a script; all stopped after the test."""
    running: list[Iterator[ScriptedServer]] = []

    def start(script: Callable[[http.server.BaseHTTPRequestHandler], None]) -> ScriptedServer:
        gen = scripted_server(script)
        running.append(gen)
        return next(gen)

    yield start
    for gen in running:
        for _ in gen:  # runs the generator's cleanup
            pass
