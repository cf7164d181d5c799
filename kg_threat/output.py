"""Where command output goes: standard output, or a file written whole or not at all."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from kg_threat.errors import InputError


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(path: Path | None, writer: Callable[[TextIO], None]) -> None:
    with opened(path) as stream:
        writer(stream)
