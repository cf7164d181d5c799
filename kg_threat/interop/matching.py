"""Match source texts and values to our vocabulary, through the tables of ``vocabulary.yaml``."""

from __future__ import annotations

from kg_threat.interop.records import Model
from kg_threat.interop.rules import Tables, all_matches, first_match, norm
from kg_threat.vocab import KGT


class Matcher:
    """The tables of one import, compiled once."""

    def __init__(self, model: Model, tables: Tables | None = None) -> None:
        self.model = model
        self.tables = tables or Tables()
        self._types = self.tables.table("threat_types")
        self._ids = self.tables.patterns("catalog_ids", key="namespace")
        self._words = self.tables.patterns("threat_words", key="threat")
        self._controls = self.tables.patterns("control_words", key="control")
        self._personal = self.tables.patterns("personal_data", key="value")

    def enum(self, table: dict[str, str | None], value: object, what: str,
             default: str | None = None) -> str | None:
        """Look ``value`` up; an unknown value is a warning and gives ``default``."""
        if value is None or value == "":
            return default
        key = norm(value)
        if key in table:
            return table[key]
        self.model.warn(f"{what}: unknown value '{value}'")
        return default

    def known(self, values: frozenset[str], value: object, what: str) -> None:
        """Warn when ``value`` is not one of ``values`` (an enum of the source format)."""
        if value not in (None, "") and norm(value) not in values:
            self.model.warn(f"{what}: unknown value '{value}'")

    def threat(self, category: str | None, title: str = "", description: str = "") -> str | None:
        """IRI of the closest catalog threat: an id in the title, the category, or the words."""
        for pattern in self._ids:
            found = pattern.regex.search(title or "")
            if found:
                return pattern.value + found.group(1)
        if category:
            local = self._types.get(norm(category))
            if local:
                return KGT + local
        rule = first_match(self._words, title) or first_match(self._words, description)
        return KGT + rule.value if rule else None

    def controls(self, *texts: str) -> set[str]:
        """Our controls that a text describing a control in place names."""
        return {p.value for p in all_matches(self._controls, *texts)}

    def personal(self, *texts: str) -> bool | None:
        return True if first_match(self._personal, *texts) else None
