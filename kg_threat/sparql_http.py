"""HTTP transport of the SPARQL 1.1 protocol: requests built by SPARQLWrapper, sent by us.

SPARQLWrapper encodes the protocol (parameters, media types, credentials); it sends requests
through urllib's process-wide opener with a single optional timeout, no retries, and Basic
credentials forwarded on redirects to other origins. So we let it build the request and send
it through an opener of our own, made per call (no global state), which:

* applies a connect timeout and a separate read timeout (per socket operation);
* strips ``Authorization`` when a redirect leaves the origin of the request;
* retries idempotent requests (queries) with exponential backoff on refused connections and
  HTTP 502/503/504, and never retries updates;
* turns every failure into a one-line :class:`RemoteError`.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.message import Message
from typing import IO, Any, Final

from kg_threat.errors import InputError, LimitExceeded, RemoteError
from kg_threat.terms import origin, redact

ENV_USER: Final = "KG_THREAT_USER"
ENV_PASSWORD: Final = "KG_THREAT_PASSWORD"
ENV_TOKEN: Final = "KG_THREAT_TOKEN"
_RETRY_STATUS: Final = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials for the store: HTTP basic (user, password) or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:  # never show a secret, even in a traceback
        kind = "bearer" if self.token else "basic"
        return f"Auth({kind}, ***)"


def auth_from_env(environ: Mapping[str, str]) -> Auth | None:
    """Credentials from ``KG_THREAT_USER``/``KG_THREAT_PASSWORD`` or ``KG_THREAT_TOKEN``."""
    user, password = environ.get(ENV_USER), environ.get(ENV_PASSWORD)
    token = environ.get(ENV_TOKEN)
    if token and (user or password):
        raise InputError(f"set either {ENV_TOKEN} or {ENV_USER}/{ENV_PASSWORD}, not both")
    if token:
        return Auth(token=token)
    if user or password:
        if not (user and password):
            raise InputError(f"{ENV_USER} and {ENV_PASSWORD} must be set together")
        return Auth(user=user, password=password)
    return None


@dataclass(frozen=True, slots=True)
class RemoteOptions:
    """How to talk to a store. Times are seconds."""

    timeout: float = 60.0  # read timeout: the longest wait for the server to send anything
    connect_timeout: float = 10.0
    attempts: int = 3  # for idempotent requests (queries); updates are sent once
    backoff: float = 0.5  # first pause between attempts; doubles each time
    max_response_bytes: int = 1 << 30
    auth: Auth | None = None

    def given(self, timeout: float | None = None, auth: Auth | None = None) -> RemoteOptions:
        """These options, with a timeout (read, and at most the connect timeout) and/or auth."""
        out = self
        if timeout is not None:
            out = replace(out, timeout=timeout, connect_timeout=min(out.connect_timeout, timeout))
        if auth is not None:
            out = replace(out, auth=auth)
        return out


@dataclass(frozen=True, slots=True)
class Response:
    media_type: str
    headers: Message
    body: bytes


class _ReadTimeout:
    """Sets the read timeout on a connection's socket once it is connected."""

    read_timeout: float

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        sock: socket.socket = self.sock  # type: ignore[attr-defined]
        sock.settimeout(self.read_timeout)


class _HTTPConnection(_ReadTimeout, http.client.HTTPConnection):
    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout


class _HTTPSConnection(_ReadTimeout, http.client.HTTPSConnection):
    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self._read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        conn = functools.partial(_HTTPConnection, read_timeout=self._read_timeout)
        return self.do_open(conn, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__(context=ssl.create_default_context())
        self._read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        conn = functools.partial(_HTTPSConnection, read_timeout=self._read_timeout)
        return self.do_open(conn, req, context=self._context)  # type: ignore[attr-defined]


class _SameOriginCredentials(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but sends credentials only to the origin they were meant for."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin(newurl) != origin(req.full_url):
            new.remove_header("Authorization")
        return new


def _opener(options: RemoteOptions) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _HTTPHandler(options.timeout),
        _HTTPSHandler(options.timeout),
        _SameOriginCredentials(),
    )


def _first_line(body: bytes) -> str:
    text = body[:2000].decode("utf-8", "replace")
    for line in text.splitlines():
        line = "".join(ch for ch in line.strip() if ch.isprintable())
        if line:
            return line[:200]
    return ""


def _http_error(url: str, exc: urllib.error.HTTPError) -> RemoteError:
    where = redact(url)
    try:
        detail = _first_line(exc.read())
    except OSError:
        detail = ""
    detail = f": {detail}" if detail else ""
    code = exc.code
    if code in (401, 403):
        what = "refused the credentials" if code == 403 else "requires credentials"
        return RemoteError(
            f"{where}: the store {what} (HTTP {code})",
            hint=f"set {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN} to an account that may do this",
        )
    if code == 404:
        return RemoteError(f"{where}: no SPARQL endpoint here (HTTP 404)")
    if code >= 500:
        return RemoteError(f"{where}: the store failed (HTTP {code}){detail}")
    return RemoteError(f"{where}: the store rejected the request (HTTP {code}){detail}")


def _network_error(url: str, exc: BaseException, options: RemoteOptions) -> RemoteError:
    where = redact(url)
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return RemoteError(
            f"{where}: no answer within {options.timeout:g} s (timed out)",
            hint="raise --timeout if the store is slow but alive",
        )
    if isinstance(reason, ConnectionRefusedError):
        return RemoteError(f"{where}: unreachable (connection refused)")
    if isinstance(reason, socket.gaierror):
        return RemoteError(f"{where}: unreachable (unknown host)")
    if isinstance(reason, ssl.SSLError):
        return RemoteError(f"{where}: TLS failed ({reason.reason or 'handshake'})")
    text = getattr(reason, "strerror", None) or type(reason).__name__
    return RemoteError(f"{where}: unreachable ({text})")


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in _RETRY_STATUS
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, ConnectionRefusedError | ConnectionResetError)


def _read(resp: http.client.HTTPResponse, url: str, limit: int) -> bytes:
    body = resp.read(limit + 1)
    if len(body) > limit:
        raise LimitExceeded(f"{redact(url)}: response larger than {limit} bytes")
    return body


def send(request: urllib.request.Request, options: RemoteOptions, *, idempotent: bool) -> Response:
    """Send ``request``; retry it only if ``idempotent``; one-line errors."""
    url = request.full_url
    attempts = max(1, options.attempts) if idempotent else 1
    opener = _opener(options)
    for attempt in range(attempts):
        try:
            with opener.open(request, timeout=options.connect_timeout) as resp:
                body = _read(resp, url, options.max_response_bytes)
                return Response(resp.headers.get_content_type(), resp.headers, body)
        except urllib.error.HTTPError as exc:
            if attempt + 1 < attempts and _retryable(exc):
                time.sleep(options.backoff * 2**attempt)
                continue
            raise _http_error(url, exc) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if attempt + 1 < attempts and _retryable(exc):
                time.sleep(options.backoff * 2**attempt)
                continue
            if isinstance(exc, http.client.HTTPException):
                name = type(exc).__name__
                raise RemoteError(f"{redact(url)}: not an HTTP answer ({name})") from None
            raise _network_error(url, exc, options) from None
    raise AssertionError("unreachable")  # pragma: no cover
