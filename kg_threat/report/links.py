"""Public identifiers and pages of catalog terms, for the ids and links in a report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from kg_threat.report.fetch import select
from kg_threat.report.names import Names
from kg_threat.report.sections import Link
from kg_threat.vocab import ATLAS, OWASP, local_name

#: Pages of catalog terms that carry no ``rdfs:seeAlso``, as (namespace, id prefix, page,
#: whether the id is appended to the page). The first matching row wins.
FALLBACK_PAGES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    (ATLAS, "AML.M", "https://atlas.mitre.org/mitigations/", True),
    (ATLAS, "AML.TA", "https://atlas.mitre.org/tactics/", True),
    (ATLAS, "AML.CS", "https://atlas.mitre.org/studies/", True),
    (ATLAS, "AML.T", "https://atlas.mitre.org/techniques/", True),
    (OWASP, "ML", "https://owasp.org/www-project-machine-learning-security-top-10/", False),
    (OWASP, "LLM", "https://genai.owasp.org/llm-top-10/", False),
)


def _safe(href: str) -> str | None:
    return href if href.startswith(("https://", "http://")) else None


@dataclass(frozen=True, slots=True)
class Catalog:
    identifiers: dict[str, str]
    pages: dict[str, str]
    names: Names

    @classmethod
    def fetch(cls, store: ox.Store, names: Names) -> Catalog:
        identifiers: dict[str, str] = {}
        pages: dict[str, str] = {}
        for row in select(store, "catalog-terms"):
            term = row["term"].text
            identifiers.setdefault(term, row["identifier"].text)
            page = _safe(row["page"].text) if "page" in row else None
            if page is not None:
                pages.setdefault(term, page)
        return cls(identifiers, pages, names)

    def identifier(self, term: str) -> str:
        return self.identifiers.get(term) or local_name(term) or term

    def page(self, term: str, identifier: str) -> str | None:
        if term in self.pages:
            return self.pages[term]
        for namespace, prefix, page, append in FALLBACK_PAGES:
            if term.startswith(namespace) and identifier.startswith(prefix):
                return page + identifier if append else page
        return None

    def link(self, term: str, identifier: str | None = None) -> Link:
        """The term's public id, linked to its page when one is known."""
        ident = identifier or self.identifier(term)
        return Link(ident, self.page(term, ident))

    def name(self, term: str) -> str:
        """``id — label`` for a catalog term, the label for anything else."""
        label = self.names.of(term)
        ident = self.identifiers.get(term)
        return f"{ident} — {label}" if ident and ident != label else label

    @staticmethod
    def unknown() -> Link:
        return Link("(no threat)")
