"""Generate a synthetic ML estate as Turtle, and optionally the equivalent pytm model.

    python bench/generate.py --components 10000 --seed 1 --out estate.ttl [--pytm model.py]

The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import build_estate
from estate import Estate
from write_pytm import to_pytm
from write_turtle import to_turtle


def generate(components: int, seed: int, out: Path, pytm: Path | None = None) -> Estate:
    """Write the Turtle (and the pytm script); return the estate that was written."""
    estate = build_estate(components, seed)
    out.write_bytes(to_turtle(estate))
    if pytm is not None:
        pytm.write_text(to_pytm(estate), encoding="utf-8")
    return estate


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--components", type=_positive, required=True,
                        help="number of components (external entities, processes, stores)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="the Turtle file to write")
    parser.add_argument("--pytm", type=Path, help="also write the equivalent pytm script here")
    args = parser.parse_args(argv)
    estate = generate(args.components, args.seed, args.out, args.pytm)
    print(f"{args.out}: {len(estate.components)} components, {len(estate.flows)} flows, "
          f"{len(estate.zones)} zones, {len(estate.assets)} assets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
