"""Read a source document (JSON or YAML) and tell which tool wrote it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import yaml

from kg_threat.errors import InputError, LimitExceeded, SourceError

FORMATS: Final = ("threagile", "threat-dragon", "otm", "tmlib")
MAX_BYTES: Final = 50 * 1024 * 1024


def read_document(path: Path, label: str | None = None) -> Any:
    """Parse ``path`` as JSON (when it looks like JSON) or YAML; errors name line and column."""
    name = label or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LimitExceeded(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SourceError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    return parse_text(text, name, json_hint=path.suffix.lower() == ".json")


def parse_text(text: str, name: str, *, json_hint: bool = False) -> Any:
    """Parse a document's text; JSON first when it looks like JSON, else YAML (a superset)."""
    if json_hint or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(name, f"invalid JSON: {exc.msg}", line=exc.lineno,
                              column=exc.colno) from None
        except RecursionError:
            raise SourceError(name, "invalid JSON: nested too deeply") from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if mark is None:
            raise SourceError(name, f"invalid YAML: {problem}") from None
        raise SourceError(name, f"invalid YAML: {problem}", line=mark.line + 1,
                          column=mark.column + 1) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SourceError(name, f"invalid YAML: {exc}") from None


def detect(document: Any, name: str) -> str:
    """The format of a parsed document, from the keys each tool always writes."""
    if isinstance(document, dict):
        if "threagile_version" in document or "technical_assets" in document:
            return "threagile"
        if "otmVersion" in document:
            return "otm"
        detail = document.get("detail")
        if isinstance(detail, dict) and "diagrams" in detail:
            return "threat-dragon"
        schema = str(document.get("$schema", ""))
        if "threat-model-library" in schema or (
            "trust_zones" in document and "data_flows" in document
        ):
            return "tmlib"
    raise InputError(
        f"{name}: not a model of a known tool",
        hint="expected Threagile YAML, Threat Dragon JSON, OTM or Threat Model Library JSON; "
        "use --from to force a format",
    )
