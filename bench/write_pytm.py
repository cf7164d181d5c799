"""Write an estate as the equivalent pytm 1.4.0 model: one Python statement per element.

Mapping: trust zones -> ``Boundary``; external entities -> ``Actor``; inference APIs and LLM
assistants -> ``Server``; other processes -> ``Process``; data stores -> ``Datastore``;
assets -> ``Data``; flows -> ``Dataflow``. Controls with a pytm counterpart set the matching
``controls`` flag; ML-specific controls (differential privacy, watermarking...) have none.
Treatments, exclusions and the adversary have no pytm counterpart and are left out.
"""

from __future__ import annotations

from estate import Component, Estate

SERVER_KINDS = frozenset({"ModelServing", "LLMApplication"})
CLASSIFICATION = {"PublicData": "PUBLIC", "InternalData": "RESTRICTED",
                  "Confidential": "SENSITIVE", "Restricted": "SECRET"}
PYTM_CONTROL = {"Authentication": ("authenticatesSource", "implementsAuthenticationScheme"),
                "AccessControl": ("hasAccessControl", "authorizesSource"),
                "InputValidation": ("validatesInput", "sanitizesInput"),
                "EncryptionAtRest": ("isEncryptedAtRest",),
                "RateLimiting": ("handlesResourceConsumption",),
                "ModelIntegrityVerification": ("providesIntegrity", "usesCodeSigning"),
                "DataValidation": ("checksInputBounds",),
                "AuditLogging": ("tracksExecutionFlow",)}


def var(key: str) -> str:
    """A Python identifier for an estate key."""
    return "e_" + key.replace("-", "_")


def pytm_class(comp: Component) -> str:
    if comp.element == "ExternalEntity":
        return "Actor"
    if comp.element == "DataStore":
        return "Datastore"
    return "Server" if comp.kind in SERVER_KINDS else "Process"


def _component(comp: Component) -> list[str]:
    name = var(comp.key)
    extra = ""
    if comp.element == "DataStore":
        extra = f", storesSensitiveData=True, isEncrypted={'EncryptionAtRest' in comp.controls}"
    lines = [f"{name} = {pytm_class(comp)}({comp.label!r}, inBoundary={var(comp.zone)}{extra})"]
    if comp.public:
        lines.append(f"{name}.description = 'publicly accessible {comp.kind}'")
    for control in comp.controls:
        for flag in PYTM_CONTROL.get(control, ()):
            lines.append(f"{name}.controls.{flag} = True")
    return lines


def to_pytm(estate: Estate) -> str:
    """The pytm script, deterministic for an estate; ``python SCRIPT --json OUT`` runs it."""
    out = [
        "#!/usr/bin/env python3",
        f'"""Synthetic ML estate ({estate.components_requested} components, seed '
        f'{estate.seed}) as a pytm model. Written by bench/generate.py."""',
        "",
        "from pytm import TM, Actor, Boundary, Classification, Data, Dataflow, Datastore, "
        "Process, Server",
        "",
        f"tm = TM({'Synthetic estate, ' + str(estate.components_requested) + ' components'!r})",
        "tm.description = 'Synthetic ML estate: pipelines, LLM assistants and agents.'",
        "tm.isOrdered = False",
        "",
    ]
    for zone in estate.zones:
        out.append(f"{var(zone.key)} = Boundary({zone.label!r})")
    out.append("")
    for asset in estate.assets:
        out.append(
            f"{var(asset.key)} = Data({asset.label!r}, "
            f"classification=Classification.{CLASSIFICATION[asset.sensitivity]}, "
            f"isPII={asset.personal}, isCredentials={asset.kind == 'Credential'})")
    out.append("")
    for comp in estate.components:
        out.extend(_component(comp))
    out.append("")
    for flow in estate.flows:
        out.append(f"{var(flow.key)} = Dataflow({var(flow.source)}, {var(flow.target)}, "
                   f"{flow.label!r}, data={var(flow.asset)})")
        if flow.encrypted:
            out.append(f"{var(flow.key)}.controls.isEncrypted = True")
    out += ["", 'if __name__ == "__main__":', "    tm.process()", ""]
    return "\n".join(out)
