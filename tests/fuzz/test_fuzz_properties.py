"""Property tests: the loaders and the query guard never fail with anything but InputError."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_threat.errors import InputError
from kg_threat.guard import check_query
from kg_threat.limits import Limits
from kg_threat.load import load_sources

sys.path.insert(0, str(Path(__file__).parent))
import contextlib

from fuzz_load import SYNTAXES, corpus, replay

LIMITS = Limits(max_input_size=1024 * 1024, timeout=None)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments of the syntaxes, so that generated documents get past the first byte.
RDF_BITS = st.sampled_from([
    "<http://e/a>", "<http://e/p>", "_:b", "[", "]", "(", ")", "{", "}", ".", ";", ",", " ",
    "\n", '"x"', "'''y'''", "^^", "<http://e/dt>", "@en", "@prefix ex: <http://e/> .", "ex:a",
    "1", "1.5", "true", "#c", "<", ">", "\\u003E", '{"@id": "http://e/a"', '"@context"', ":",
    "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", "</rdf:RDF>",
    "<!DOCTYPE x [<!ENTITY a \"&a;\">]>", "&a;", "GRAPH", "a",
])
SPARQL_BITS = st.sampled_from([
    "SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", ".", "SERVICE", "<http://e/s>", "#",
    "\n", "'", '"', "'''", '"""', "FROM", "LOAD", "ex:a", "PREFIX", "ex:", "(", ")", "\\u0053",
    "ERVICE", "INSERT", "DATA", " ", "<", ">", "FILTER", "\\", "_:b", "@en", "USING",
])


def load_bytes(data: bytes, syntax: str) -> None:
    load_sources(["-"], ox.Store(), fmt=syntax, stdin=io.BytesIO(data), limits=LIMITS)


@FAST
@given(data=st.binary(max_size=2000), syntax=st.sampled_from(SYNTAXES))
def test_any_bytes_load_or_raise_input_error(data: bytes, syntax: str) -> None:
    with contextlib.suppress(InputError):
        load_bytes(data, syntax)


@FAST
@given(parts=st.lists(RDF_BITS, max_size=40), syntax=st.sampled_from(SYNTAXES))
def test_rdf_like_text_loads_or_raises_input_error(parts: list[str], syntax: str) -> None:
    with contextlib.suppress(InputError):
        load_bytes(" ".join(parts).encode(), syntax)


@FAST
@given(text=st.text(max_size=500))
def test_any_text_passes_or_is_refused_by_the_guard(text: str) -> None:
    with contextlib.suppress(InputError):
        check_query(text)


@FAST
@given(parts=st.lists(SPARQL_BITS, max_size=40))
def test_sparql_like_text_passes_or_is_refused_by_the_guard(parts: list[str]) -> None:
    with contextlib.suppress(InputError):
        check_query(" ".join(parts))


@FAST
@given(comment=st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=80),
       literal=st.text(alphabet=st.characters(blacklist_characters="\"\\\r\n"), max_size=80))
def test_comments_and_strings_never_change_the_verdict(comment: str, literal: str) -> None:
    safe = f'#{comment}\nSELECT * WHERE {{ ?s ?p "{literal}" }}'
    check_query(safe)
    unsafe = f'#{comment}\nSELECT * WHERE {{ ?s ?p "{literal}" . SERVICE <http://x/> {{}} }}'
    with pytest.raises(InputError, match="SERVICE"):
        check_query(unsafe)


@FAST
@given(prefix=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
       case=st.sampled_from(["SERVICE", "service", "Service", "sErViCe"]))
def test_service_is_refused_in_any_case_and_through_any_prefix(prefix: str, case: str) -> None:
    query = (f"PREFIX {prefix}: <http://evil.example/> "
             f"SELECT * WHERE {{ {case} {prefix}:sparql {{ ?s ?p ?o }} }}")
    with pytest.raises(InputError, match=r"SERVICE <http://evil\.example/sparql> refused"):
        check_query(query)


def test_the_corpus_replays_without_unexpected_errors() -> None:
    assert replay(corpus([])) == len(corpus([])) * len(SYNTAXES)
