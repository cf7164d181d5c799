"""Where command output goes: standard output, or a file written whole or not at all."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from kg_threat.errors import InputError


def partial_path(path: Path) -> Path:
    """Where ``path`` is written before it is moved into place (same folder: atomic rename)."""
    return path.with_name(f".{path.name}.partial")


@contextmanager
def opened(path: Path | None) -> Iterator[TextIO]:
    """Yield a text stream; for a file, the file appears only if the writing succeeded."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise InputError(f"{path}: the folder {directory} does not exist")
    tmp = partial_path(path)
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as stream:
            yield stream
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write(path: Path | None, writer: Callable[[TextIO], object]) -> None:
    with opened(path) as stream:
        writer(stream)
