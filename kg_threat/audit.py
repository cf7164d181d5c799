"""The I/O policy behind the runtime guard: which hosts and files Python-level code may touch.

:meth:`IoPolicy.refusal` decides, for one audit event (PEP 578), whether it is refused and why;
:meth:`IoPolicy.hook` raises :class:`IoRefused` for it. Events checked: ``socket.connect``,
``socket.sendto``, ``socket.sendmsg``, ``socket.getaddrinfo``, ``socket.gethostbyname``,
``http.client.connect``, ``urllib.Request`` and ``open``.

Readable: the files the user named, Python's installation and import path, the package and
its data, the temporary directory, a few system files libraries read (time zones, TLS
certificates, MIME types). Writable: the outputs the user named, the temporary directory,
``__pycache__`` folders, ``/dev/null``.
"""

from __future__ import annotations

import contextlib
import os
import site
import socket
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kg_threat.errors import InputError

_SYSTEM_READABLE = (
    "/usr/share/zoneinfo", "/usr/share/mime", "/usr/share/ca-certificates", "/etc/ssl",
    "/etc/pki", "/etc/mime.types", "/etc/localtime", "/dev/null", "/dev/urandom", "/dev/random",
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_NET_HINT = "kg-threat only connects to the endpoint you configure (--endpoint, --allow-federation)"


class IoRefused(InputError, PermissionError):
    """I/O refused by the runtime guard; a ``PermissionError`` too, so libraries fail cleanly."""


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


@dataclass(frozen=True)
class IoPolicy:
    """What the process may connect to and open; ``hosts`` holds lower-case names and IPs."""

    hosts: frozenset[str]
    read_roots: tuple[str, ...]
    read_files: frozenset[str]
    write_roots: tuple[str, ...]
    write_files: frozenset[str]

    @classmethod
    def for_process(
        cls,
        allowed_hosts: Sequence[str],
        *,
        readable: Sequence[str] = (),
        writable: Sequence[str] = (),
    ) -> IoPolicy:
        """The policy for this process: its Python, the package, and what the user named."""
        from kg_threat.guard import _host_port
        from kg_threat.resources import data_dir

        hosts: set[str] = set()
        for entry in allowed_hosts:
            found = _host_port(entry)
            if found is None:
                continue
            hosts.add(found[0].strip("[]"))
            # The endpoint was configured by the user: resolving its name is expected.
            with contextlib.suppress(OSError, UnicodeError):
                hosts.update(str(info[4][0]) for info in socket.getaddrinfo(found[0], None))
        roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 *sysconfig.get_paths().values(), *site.getsitepackages(),
                 str(Path(__file__).resolve().parent), tempfile.gettempdir()}
        roots.update(p for p in sys.path if p and Path(p).is_dir() and _real(p) != _real("."))
        for name in ("ontology", "shapes", "queries"):
            with contextlib.suppress(FileNotFoundError):
                roots.add(str(data_dir(name)))
        read_roots = tuple(sorted({_real(r) for r in roots} | set(_SYSTEM_READABLE)))
        return cls(
            hosts=frozenset(hosts),
            read_roots=read_roots,
            read_files=frozenset(_real(p) for p in readable if p != "-"),
            write_roots=(_real(tempfile.gettempdir()), "/dev/null"),
            write_files=frozenset(_real(p) for p in writable if p != "-"),
        )

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        """The audit hook: raise :class:`IoRefused` for a refused event."""
        reason = self.refusal(event, args)
        if reason is not None:
            raise IoRefused(reason)

    def refusal(self, event: str, args: tuple[object, ...]) -> str | None:
        """Why the event is refused, or ``None`` when it is allowed."""
        if event == "open":
            return self._open_refusal(args[0], args[1], args[2])
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            return self._address_refusal(args[1] if len(args) > 1 else None)
        if event in ("socket.getaddrinfo", "socket.gethostbyname"):
            return self._host_refusal(args[0])
        if event == "http.client.connect":
            return self._host_refusal(args[1])
        if event == "urllib.Request":
            return self._url_refusal(str(args[0]))
        return None

    def _host_refusal(self, host: object) -> str | None:
        if host is None or host == "" or host == b"":
            return None
        name = os.fsdecode(host) if isinstance(host, bytes) else str(host)
        if name.strip("[]").lower() in self.hosts:
            return None
        return f"network access to {name} refused: {_NET_HINT}"

    def _address_refusal(self, address: object) -> str | None:
        if isinstance(address, tuple) and address:
            return self._host_refusal(address[0])
        if address is None:
            return None
        return f"connection to local socket {address!r} refused: {_NET_HINT}"

    def _url_refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            return self._open_refusal(parts.path, "r", 0)
        if (parts.hostname or "").lower() in self.hosts:
            return None
        return f"request to {url} refused: {_NET_HINT}"

    def _open_refusal(self, path: object, mode: object, flags: object) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
        real = _real(name)
        if isinstance(mode, str):
            writing = any(c in mode for c in "wax+")
        else:
            writing = isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
        if writing:
            if real in self.write_files or _under(real, self.write_roots):
                return None
            if Path(real).parent.name == "__pycache__" and _under(real, self.read_roots):
                return None
            return f"writing {name} refused: kg-threat writes only the outputs you name"
        if real in self.read_files or real in self.write_files:
            return None
        if _under(real, self.read_roots) or _under(real, self.write_roots):
            return None
        return f"reading {name} refused: kg-threat reads only the files you name"
