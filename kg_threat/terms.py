"""Validation of the terms and addresses a user hands us (graph IRIs, endpoint URLs).

Every IRI that ends up in a request we send is a :class:`pyoxigraph.NamedNode`, which refuses
relative IRIs and code points that IRIs may not contain (space, ``<``, ``>``, ``"``, …); so
the text it serialises to cannot close the ``<…>`` it is written in.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from typing import Final

import pyoxigraph as ox

from kg_threat.errors import InputError

SKOLEM_PREFIX: Final = "urn:kg-threat:bnode:"
STAGING_PREFIX: Final = "urn:kg-threat:staging:"


def iri(text: str, what: str = "IRI") -> ox.NamedNode:
    """``text`` as an absolute IRI, or an :class:`InputError` naming ``what`` it was for."""
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"{what} {text!r} is not a valid absolute IRI: {exc}") from None


def endpoint_url(text: str, what: str = "--endpoint") -> str:
    """An ``http(s)`` URL without credentials in it, as given (credentials come from the env)."""
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise InputError(f"{what}: not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what}: expected an http:// or https:// URL, got {redact(text)!r}")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"{what}: credentials are not accepted in URLs",
            hint="set KG_THREAT_USER and KG_THREAT_PASSWORD, or KG_THREAT_TOKEN, instead",
        )
    del port
    iri(text, what)  # the URL is also sent as an IRI (e.g. in error messages): keep it clean
    return text


def redact(url: str) -> str:
    """``scheme://host:port/path`` of ``url``: no user info, query string or fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def origin(url: str) -> tuple[str, str, int | None]:
    """The origin (scheme, host, port) of ``url``, with the scheme's default port filled in."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def skolem_iri(graph: str, label: str) -> ox.NamedNode:
    """The IRI standing for the blank node canonically labelled ``label`` in ``graph``."""
    return ox.NamedNode(SKOLEM_PREFIX + _digest(graph, label))


def staging_graph(graph: str) -> ox.NamedNode:
    """The temporary graph a chunked push to ``graph`` writes into before its final ``MOVE``."""
    return ox.NamedNode(STAGING_PREFIX + _digest(graph))
