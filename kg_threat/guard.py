"""No implicit I/O: the guard on user queries, and the runtime backstop on sockets and files.

:func:`check_query` refuses, in a user's SPARQL text, every construct that makes an engine read
a file or a URL (``SERVICE``, ``LOAD``, ``FROM``, ``FROM NAMED``, ``USING``) and every update
(``INSERT``, ``DELETE``, ``CLEAR``, ``DROP``, ``CREATE``, ``WITH``, ``ADD``, ``COPY``, ``MOVE``)
unless the caller is an update path. ``SERVICE`` to a host the user allowed
(``--allow-federation HOST``) passes. The text is lexed (:mod:`kg_threat.sparql_lex`), so
comments, strings, IRIs and prefixed names cannot hide or fake a keyword.

:func:`install_network_guard` is the backstop, installed by the command-line shell: an audit hook
(:func:`sys.addaudithook`) that refuses Python-level connections to any host but the configured
ones and Python-level file opens outside the allowed set (:mod:`kg_threat.audit`). It cannot see
I/O done by native code (pyoxigraph's own HTTP client): that is what :func:`check_query` is for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from urllib.parse import urljoin, urlsplit

from kg_threat.audit import IoPolicy, IoRefused
from kg_threat.errors import InputError
from kg_threat.sparql_lex import Kind, Token, decode_escapes, tokens

__all__ = ["IoPolicy", "IoRefused", "check_query", "host_allowed", "install_network_guard"]

_READS = {
    "LOAD": "LOAD reads a document from a URL or a file",
    "FROM": "FROM and FROM NAMED make the engine read other graphs, files or URLs",
    "USING": "USING makes the engine read other graphs, files or URLs",
}
_UPDATES = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "WITH", "ADD", "COPY", "MOVE")
_FEDERATION_HINT = "federated queries are off; allow a host with --allow-federation HOST"


def check_query(
    text: str,
    allow_federation: Sequence[str] = (),
    *,
    allow_update: bool = False,
    source: str = "query",
) -> None:
    """Raise :class:`InputError` when ``text`` would read outside the store, or write to it.

    ``allow_federation`` lists hosts (``host`` or ``host:port``) that ``SERVICE`` may call.
    ``allow_update`` admits ``INSERT``/``DELETE``/``CLEAR``/``DROP``/``CREATE``/``WITH``
    (never ``LOAD``, ``USING``, ``ADD``, ``COPY``, ``MOVE``).
    """
    _check_tokens(list(tokens(text, source=source)), allow_federation, allow_update, source)
    if "\\u" in text or "\\U" in text:
        # Section 19.2: an engine may decode escapes before parsing. Check that reading too.
        try:
            decoded = list(tokens(decode_escapes(text), source=source))
        except InputError:
            return  # not SPARQL once decoded, so no engine that decodes would run it
        _check_tokens(decoded, allow_federation, allow_update, source)


def host_allowed(url: str, allowed: Iterable[str]) -> bool:
    """Whether ``url`` (http or https) goes to one of ``allowed`` (``host`` or ``host:port``)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    for entry in allowed:
        found = _host_port(entry)
        if found is not None and found[0] == host and found[1] in (None, port):
            return True
    return False


def _host_port(entry: str) -> tuple[str, int | None] | None:
    """``host``, ``host:port``, ``[v6]:port`` or a URL, as (lower-case host, port or None)."""
    entry = entry.strip().lower()
    if "://" in entry:
        entry = urlsplit(entry).netloc
    if entry.count(":") > 1 and not entry.startswith("["):
        return entry, None
    try:
        parts = urlsplit("//" + entry)
        return (parts.hostname, parts.port) if parts.hostname else None
    except ValueError:
        return None


def install_network_guard(
    allowed_hosts: Sequence[str] = (),
    *,
    readable: Sequence[str] = (),
    writable: Sequence[str] = (),
) -> IoPolicy:
    """Install the audit hook for the rest of the process (it cannot be removed).

    ``allowed_hosts``: hosts of the configured endpoint(s) and of ``--allow-federation``;
    ``readable``: the files the user named; ``writable``: the outputs the user named. Python's
    own files, the package and its data, and the temporary directory stay usable.
    """
    policy = IoPolicy.for_process(allowed_hosts, readable=readable, writable=writable)
    sys.addaudithook(policy.hook)
    return policy


def _check_tokens(
    toks: list[Token], allowed: Sequence[str], allow_update: bool, source: str
) -> None:
    prefixes: dict[str, str] = {}
    base = ""
    for index, tok in enumerate(toks):
        if tok.kind is not Kind.WORD:
            continue
        word = tok.value.upper()
        where = f"{source}:{tok.line}"
        if word == "PREFIX" and index + 2 < len(toks) and toks[index + 1].kind is Kind.PNAME:
            prefixes[toks[index + 1].value[:-1]] = urljoin(base, toks[index + 2].value)
        elif word == "BASE" and index + 1 < len(toks) and toks[index + 1].kind is Kind.IRI:
            base = urljoin(base, toks[index + 1].value)
        elif word == "SERVICE":
            _check_service(toks, index, prefixes, base, allowed, where)
        elif word in _READS:
            raise InputError(f"{where}: {word} refused: {_READS[word]}; kg-threat queries "
                             "only the loaded graphs")
        elif word in _UPDATES and not (allow_update and word not in ("ADD", "COPY", "MOVE")):
            raise InputError(f"{where}: {word} refused: queries are read-only; "
                             "an update cannot run here")


def _check_service(
    toks: list[Token],
    index: int,
    prefixes: dict[str, str],
    base: str,
    allowed: Sequence[str],
    where: str,
) -> None:
    rest = toks[index + 1 : index + 3]
    if rest and rest[0].kind is Kind.WORD and rest[0].value.upper() == "SILENT":
        rest = rest[1:]
    target = rest[0] if rest else None
    iri: str | None = None
    if target is not None and target.kind is Kind.IRI:
        iri = urljoin(base, target.value)
    elif target is not None and target.kind is Kind.PNAME:
        prefix, _, local = target.value.partition(":")
        if prefix in prefixes:
            iri = prefixes[prefix] + local.replace("\\", "")
    if iri is None:
        raise InputError(f"{where}: SERVICE refused: its endpoint is not a fixed IRI",
                         hint=_FEDERATION_HINT)
    if not allowed or not host_allowed(iri, allowed):
        raise InputError(f"{where}: SERVICE <{iri}> refused: {_FEDERATION_HINT}")
