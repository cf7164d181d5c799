"""Fuzz the loaders and the query guard: any input either loads or fails with an InputError.

    python tests/fuzz/fuzz_load.py -max_total_time=60     # with atheris (``make fuzz``)
    python tests/fuzz/fuzz_load.py                         # without: replay the corpus

The corpus is ``tests/data/hostile/`` (every reproduction of a known hostile input) plus any
files given on the command line.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg_threat.errors import InputError  # noqa: E402
from kg_threat.guard import check_query  # noqa: E402
from kg_threat.limits import Limits  # noqa: E402
from kg_threat.load import load_sources  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "hostile"
SYNTAXES = ("turtle", "nt", "nq", "trig", "rdfxml", "jsonld")
LIMITS = Limits(max_input_size=4 * 1024 * 1024, timeout=None)


def one_input(data: bytes) -> None:
    """The fuzz target: the first byte picks the syntax, the rest is the document."""
    if not data:
        return
    syntax = SYNTAXES[data[0] % len(SYNTAXES)]
    with contextlib.suppress(InputError):
        load_sources(["-"], ox.Store(), fmt=syntax, stdin=io.BytesIO(data[1:]), limits=LIMITS)
    with contextlib.suppress(InputError):
        check_query(data[1:].decode("utf-8", errors="replace"))


def replay(paths: list[Path]) -> int:
    """Run every corpus file through the target in every syntax; the count of inputs run."""
    runs = 0
    for path in paths:
        body = path.read_bytes()
        for index in range(len(SYNTAXES)):
            one_input(bytes([index]) + body)
            runs += 1
    return runs


def corpus(extra: list[str]) -> list[Path]:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    return files + [Path(p) for p in extra if Path(p).is_file()]


def main(argv: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        runs = replay(corpus([a for a in argv[1:] if not a.startswith("-")]))
        print(f"atheris is not installed: replayed {runs} corpus inputs, no unexpected error")
        return 0
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
