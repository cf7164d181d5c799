"""Human-readable names of the nodes of the store, fetched once per report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg_threat.report.fetch import Value, select
from kg_threat.vocab import local_name

_LANGUAGE_RANK = {"en": 0, "": 1}


def clean(text: str) -> str:
    """One line of printable text: control characters and runs of white space become one space."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Names:
    """The preferred ``rdfs:label`` of every labelled node (English, then untagged, then any)."""

    labels: dict[str, str]
    _shown: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def fetch(cls, store: ox.Store) -> Names:
        best: dict[str, tuple[int, str]] = {}
        for row in select(store, "labels"):
            node, label = row["node"].text, row["label"]
            rank = (_LANGUAGE_RANK.get(label.language.split("-")[0], 2), label.text)
            if node not in best or rank < best[node]:
                best[node] = rank
        return cls({node: text for node, (_, text) in best.items()})

    def with_fallbacks(self, fallbacks: dict[str, str]) -> Names:
        """These names plus ``fallbacks`` for the nodes that have no label."""
        return Names({**fallbacks, **self.labels})

    def of(self, node: str) -> str:
        """The label of ``node``, else the local name of its IRI; never a blank node's id."""
        shown = self._shown.get(node)
        if shown is None:
            label = self.labels.get(node)
            if label and clean(label):
                shown = clean(label)
            elif node.startswith("_:"):
                shown = "(unnamed)"
            else:
                shown = local_name(node) or node
            self._shown[node] = shown
        return shown

    def of_value(self, value: Value) -> str:
        """A literal's text, or the name of a node."""
        if value.is_iri or value.is_blank:
            return self.of(value.text)
        return clean(value.text)
