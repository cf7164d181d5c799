"""A real HTTP server on 127.0.0.1 that counts the requests it receives (for no-I/O tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Counter(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        body = b'{"@context": {"name": "http://xmlns.com/foaf/0.1/name"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class CountingServer:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[str]:
        return list(self._server.paths)  # type: ignore[attr-defined]


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CountingServer(server)
    finally:
        server.shutdown()
        server.server_close()
