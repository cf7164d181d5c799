"""CI gating: ``--fail-on LEVEL`` fails the run on unmitigated findings at that risk or more."""

from __future__ import annotations

from kg_threat.errors import CheckFailed, InputError
from kg_threat.model import RISK_ORDER, RISKS, Analysis, Risk, runs_of


def parse_fail_on(value: str | None) -> Risk | None:
    if value is None:
        return None
    for risk in RISKS:
        if value.lower() == risk:
            return risk
    raise InputError(f"--fail-on {value!r}: use one of {', '.join(RISKS)}")


def enforce_fail_on(analysis: Analysis, level: Risk | None) -> None:
    """Raise :class:`CheckFailed` when an unmitigated finding has ``level`` risk or more."""
    if level is None:
        return
    hits = [
        (f, components) for f, components in runs_of(analysis.findings)
        if f.status == "unmitigated" and RISK_ORDER[f.risk] <= RISK_ORDER[level]
    ]
    if hits:
        first, components = hits[0]
        raise CheckFailed(
            f"{sum(len(c) for _, c in hits)} unmitigated finding(s) at {level} risk or more "
            f"(first: {first.id} on {components[0]})"
        )
