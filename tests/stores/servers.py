"""Real SPARQL servers on 127.0.0.1 for the tests: Oxigraph (always), Virtuoso (if installed),
and tiny scripted HTTP servers of our own for the fault cases (slow, 401, 500, redirects)."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")


DATA = Path(__file__).resolve().parent.parent / "data" / "stores"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_http(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 120) -> None:
    """Wait until ``url`` answers (any HTTP status); fail if the process died."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


@dataclass
class SparqlServer:
    """A SPARQL store running in a child process."""

    kind: str
    query: str
    update: str
    start: Callable[[], subprocess.Popen[bytes]]
    proc: subprocess.Popen[bytes] | None = None

    def run(self) -> None:
        self.proc = self.start()

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def oxigraph_server(location: Path) -> SparqlServer:
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_http(f"{base}/", proc)
        return proc

    return SparqlServer("oxigraph", f"{base}/query", f"{base}/update", start)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""

# Let the anonymous SPARQL account update, as a store set up for kg-threat would be.
_VIRTUOSO_GRANTS = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
)


def virtuoso_server(location: Path) -> SparqlServer:
    if VIRTUOSO is None or ISQL is None:
        pytest.skip("Virtuoso is not installed (Debian package virtuoso-opensource)")
    sql, http_port = free_port(), free_port()
    base = f"http://127.0.0.1:{http_port}"
    ini = location / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(d=location, sql=sql, http=http_port), encoding="utf-8")

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_http(f"{base}/sparql", proc)
        for statement in _VIRTUOSO_GRANTS:
            subprocess.run(
                [ISQL, f"127.0.0.1:{sql}", "dba", "dba", f"exec={statement}"],
                check=True,
                capture_output=True,
                timeout=60,
            )
        return proc

    return SparqlServer("virtuoso", f"{base}/sparql", f"{base}/sparql", start)


@dataclass
class Seen:
    """What a scripted server received."""

    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


Script = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class ScriptedServer:
    url: str
    seen: Seen


def scripted_server(script: Script) -> Iterator[ScriptedServer]:
    """A loopback HTTP server answering every GET and POST with ``script``."""
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            seen.paths.append(self.path)
            seen.headers.append({k.lower(): v for k, v in self.headers.items()})
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            script(self)

        do_GET = _any
        do_POST = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ScriptedServer(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


def sparql(server: SparqlServer, query: str) -> bytes:
    """Run a query as a plain protocol client (not ours): N-Triples or SPARQL JSON back."""
    accept = "application/n-triples" if "CONSTRUCT" in query else "application/sparql-results+json"
    url = server.query + "?" + urllib.parse.urlencode({"query": query})
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=60) as resp:
        body: bytes = resp.read()
        return body


def sparql_update(server: SparqlServer, text: str) -> None:
    req = urllib.request.Request(
        server.update,
        data=urllib.parse.urlencode({"update": text}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    urllib.request.urlopen(req, timeout=60).close()


def graph_triples(server: SparqlServer, graph: str) -> set[ox.Triple]:
    """The triples of ``graph``, read with a plain client (``graph`` is a trusted test IRI)."""
    body = sparql(server, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}


def graph_names(server: SparqlServer) -> set[str]:
    body = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}
