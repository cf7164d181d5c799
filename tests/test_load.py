"""Strict loading: every syntax, standard input, errors with locations, bounds, hostile input."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from loopback_server import counting_server

from kg_threat.errors import InputError, LimitExceeded, SourceError
from kg_threat.limits import Limits
from kg_threat.load import format_of, load_ontology, load_sources, parse_format
from kg_threat.vocab import ONTOLOGY_GRAPH

HOSTILE = Path(__file__).parent / "data" / "hostile"
EX = "http://example.org/s#"
TRIPLE_TTL = f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\n"

# One document per syntax, each holding the same single triple ex:a ex:p ex:b.
SAME_TRIPLE = {
    ".ttl": TRIPLE_TTL,
    ".nt": f"<{EX}a> <{EX}p> <{EX}b> .\n",
    ".nq": f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n",
    ".trig": f"@prefix ex: <{EX}> .\nex:g {{ ex:a ex:p ex:b }}\n",
    ".rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        f' xmlns:ex="{EX}">\n<rdf:Description rdf:about="{EX}a"><ex:p rdf:resource="{EX}b"/>'
        "</rdf:Description>\n</rdf:RDF>\n"
    ),
    ".jsonld": f'{{"@id": "{EX}a", "{EX}p": {{"@id": "{EX}b"}}}}\n',
}
SAME_TRIPLE[".owl"] = SAME_TRIPLE[".xml"] = SAME_TRIPLE[".rdf"]
SAME_TRIPLE[".json"] = SAME_TRIPLE[".jsonld"]
EXPECTED = {ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "b"))}


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def loaded(*sources: str, **options: object) -> ox.Store:
    store = ox.Store()
    load_sources(list(sources), store, **options)  # type: ignore[arg-type]
    return store


@pytest.mark.parametrize("suffix", sorted(SAME_TRIPLE))
def test_every_syntax_loads_into_the_default_graph(tmp_path: Path, suffix: str) -> None:
    store = loaded(write(tmp_path, "system" + suffix, SAME_TRIPLE[suffix]))
    assert set(store) == EXPECTED


def test_the_example_loads(example: Path) -> None:
    store = loaded(str(example))
    assert len(store) > 50
    assert all(q.graph_name == ox.DefaultGraph() for q in store)


def test_standard_input_is_turtle_by_default() -> None:
    store = loaded("-", stdin=io.BytesIO(TRIPLE_TTL.encode()))
    assert set(store) == EXPECTED


def test_fmt_forces_the_syntax_of_standard_input_and_files(tmp_path: Path) -> None:
    store = loaded("-", fmt="json-ld", stdin=io.BytesIO(SAME_TRIPLE[".jsonld"].encode()))
    assert set(store) == EXPECTED
    odd = write(tmp_path, "system.data", SAME_TRIPLE[".nt"])
    assert set(loaded(odd, fmt=ox.RdfFormat.N_TRIPLES)) == EXPECTED


def test_format_names() -> None:
    assert parse_format("Turtle") == ox.RdfFormat.TURTLE
    assert parse_format("rdfxml") == ox.RdfFormat.RDF_XML
    assert format_of("a.TTL") == ox.RdfFormat.TURTLE
    with pytest.raises(InputError, match="unknown RDF syntax 'n3'"):
        parse_format("n3")


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "rel.ttl", "<#a> <#p> <b> .\n")
    (quad,) = loaded(path)
    assert quad.subject == ox.NamedNode(Path(path).resolve().as_uri() + "#a")
    (quad,) = loaded(path, base_iri="http://example.org/base/x")
    assert quad.object == ox.NamedNode("http://example.org/base/b")


def test_named_graphs_are_merged_into_the_default_graph(tmp_path: Path) -> None:
    trig = f"@prefix ex: <{EX}> .\nex:g1 {{ ex:a ex:p ex:b }}\nex:g2 {{ ex:a ex:p ex:b }}\n"
    store = loaded(write(tmp_path, "two.trig", trig))
    assert set(store) == EXPECTED


def test_blank_nodes_of_two_files_stay_apart(tmp_path: Path) -> None:
    first = write(tmp_path, "one.ttl", f"_:x <{EX}p> 1 .\n")
    second = write(tmp_path, "two.nq", f"_:x <{EX}p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
    assert len(loaded(first, second)) == 2


def test_the_ontology_goes_to_its_own_graph() -> None:
    store = ox.Store()
    load_ontology(store)
    assert len(store) > 0
    assert {q.graph_name for q in store} == {ox.NamedNode(ONTOLOGY_GRAPH)}


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c ;\n  ex:d \"x\" .\n ex:e\n",
         ":5:1: Unexpected end"),
        (".nt", "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n",
         ":2:"),
        (".nq", "<http://e/a> <http://e/b> <http://e/c> <http://e/g> <http://e/h> .\n", ":1:"),
        (".trig", "<http://e/g> { <http://e/a> <http://e/b> }}\n", ":1:"),
        (".jsonld", '{"@id": "http://e/a", "http://e/b": }', ""),
        (".rdf", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<x", ":2:"),
    ],
)
def test_syntax_errors_name_file_line_and_column(
    tmp_path: Path, suffix: str, text: str, message: str
) -> None:
    path = write(tmp_path, "bad" + suffix, text)
    with pytest.raises(SourceError) as caught:
        loaded(path)
    assert str(caught.value).startswith(path + message)
    assert "Parser error" not in str(caught.value)


def test_the_turtle_error_message_is_exact(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", "<http://e/a> <http://e/b> <http://e/c>\n")
    with pytest.raises(SourceError) as caught:
        loaded(path)
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert str(caught.value) == f"{path}:2:1: Unexpected end"


def test_a_failed_document_leaves_nothing_behind(tmp_path: Path) -> None:
    for suffix in (".ttl", ".trig"):
        good = "<http://e/a> <http://e/b> <http://e/c> .\n" * 100
        path = write(tmp_path, "half" + suffix, good + "<http://e/a> <http://e/b> .\n")
        store = ox.Store()
        with pytest.raises(SourceError):
            load_sources([path], store)
        assert len(store) == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: str(d / "missing.ttl"), "missing.ttl: no such file"),
        (lambda d: str(d), ": is a directory, not an RDF file"),
        (lambda d: write(d, "system.n3", "x"), "system.n3: unknown RDF syntax; name the file"),
    ],
)
def test_unreadable_sources(
    tmp_path: Path, make: Callable[[Path], str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        loaded(make(tmp_path))


def test_empty_standard_input_is_an_error() -> None:
    with pytest.raises(InputError, match="standard input is empty"):
        loaded("-", stdin=io.BytesIO(b""))


def test_standard_input_only_once() -> None:
    with pytest.raises(InputError, match="can be read only once"):
        loaded("-", "-", stdin=io.BytesIO(b""))


def test_an_empty_file_is_an_empty_system(tmp_path: Path) -> None:
    assert len(loaded(write(tmp_path, "empty.ttl", ""))) == 0


def test_syntax_error_on_standard_input_names_it() -> None:
    with pytest.raises(SourceError, match=r"^standard input:1:27: \. is not a valid RDF object$"):
        loaded("-", stdin=io.BytesIO(b"<http://e/a> <http://e/b> ."))


# --- bounds --------------------------------------------------------------------------------


def test_size_limit_counts_all_sources(tmp_path: Path) -> None:
    one = write(tmp_path, "one.ttl", TRIPLE_TTL)
    size = len(TRIPLE_TTL.encode())
    assert len(loaded(one, limits=Limits(max_input_size=size))) == 1
    two = write(tmp_path, "two.ttl", TRIPLE_TTL)
    with pytest.raises(LimitExceeded) as caught:
        loaded(one, two, limits=Limits(max_input_size=size + 1))
    assert str(caught.value).startswith(f"input too large: {two} brings the input to")
    assert "--max-input-size" in str(caught.value)


def test_size_limit_on_standard_input() -> None:
    with pytest.raises(LimitExceeded, match="input too large: standard input"):
        loaded("-", stdin=io.BytesIO(TRIPLE_TTL.encode() * 50), limits=Limits(max_input_size=100))


def test_depth_limit_is_configurable(tmp_path: Path) -> None:
    doc = '{"@id": "http://e/a", "http://e/p": ' * 3 + '"x"' + "}" * 3
    path = write(tmp_path, "deep.jsonld", doc)
    assert len(loaded(path, limits=Limits(max_depth=3))) == 2
    with pytest.raises(LimitExceeded, match="nested more than 2 levels deep"):
        loaded(path, limits=Limits(max_depth=2))
    xml = SAME_TRIPLE[".rdf"]
    path = write(tmp_path, "deep.rdf", xml)
    assert len(loaded(path, limits=Limits(max_depth=3))) == 1
    with pytest.raises(LimitExceeded, match="XML elements nested more than 2 levels deep"):
        loaded(path, limits=Limits(max_depth=2))


def test_brackets_inside_json_strings_do_not_count(tmp_path: Path) -> None:
    doc = '{"@id": "http://e/a", "http://e/p": "' + "[{" * 1000 + '\\"' + "}]" * 1000 + '"}'
    assert len(loaded(write(tmp_path, "strings.jsonld", doc))) == 1


# --- hostile input (tests/data/hostile) ------------------------------------------------------


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(SourceError, match="amplification"):
        loaded(str(HOSTILE / "billion-laughs.rdf"))


def test_nested_blank_nodes_load() -> None:
    assert len(loaded(str(HOSTILE / "nested-bnodes-5000.ttl"))) == 5001


def test_deeply_nested_json_ld_is_refused() -> None:
    with pytest.raises(LimitExceeded, match="nested more than 256 levels deep"):
        loaded(str(HOSTILE / "nested-objects.jsonld"))


def test_a_two_megabyte_literal_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "long.nt", f'<{EX}a> <{EX}p> "{"x" * 2_000_000}" .\n')
    (quad,) = loaded(path)
    assert isinstance(quad.object, ox.Literal)
    assert len(quad.object.value) == 2_000_000


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"])
def test_a_hostile_datatype_iri_is_refused_in_every_syntax(suffix: str) -> None:
    path = HOSTILE / f"datatype-injection{suffix}"
    with pytest.raises(SourceError, match="Invalid IRI code point '>'"):
        loaded(str(path))


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"])
def test_loaded_terms_serialise_without_extra_triples(tmp_path: Path, suffix: str) -> None:
    """Whatever loads round-trips through N-Triples to the same triples, no more."""
    store = loaded(write(tmp_path, "system" + suffix, SAME_TRIPLE[suffix]))
    text = ox.serialize(store, format=ox.RdfFormat.N_QUADS)
    assert set(ox.parse(text, ox.RdfFormat.N_QUADS)) == set(store)


def test_no_request_for_remote_or_file_json_ld_contexts(tmp_path: Path) -> None:
    with counting_server() as server:
        for context in (f"{server.url}/context.jsonld", "file:///etc/passwd"):
            doc = f'{{"@context": "{context}", "@id": "http://e/a", "name": "x"}}'
            path = write(tmp_path, "remote.jsonld", doc)
            with pytest.raises(SourceError, match="remote JSON-LD contexts are never fetched"):
                loaded(path)
        assert server.requests == []


def test_no_request_for_an_rdf_xml_external_entity(tmp_path: Path) -> None:
    with counting_server() as server:
        text = (HOSTILE / "external-entity.rdf").read_text().replace(
            "http://127.0.0.1:9", server.url
        )
        with pytest.raises(SourceError, match=r"external entity 'secret'.*refused"):
            loaded(write(tmp_path, "xxe.rdf", text))
        assert server.requests == []


def test_owl_imports_is_not_followed(tmp_path: Path) -> None:
    with counting_server() as server:
        text = (HOSTILE / "owl-imports.ttl").read_text().replace("http://127.0.0.1:9", server.url)
        assert len(loaded(write(tmp_path, "imports.ttl", text))) == 3
        assert server.requests == []


# --- the command line on the hostile corpus ---------------------------------------------------

CLEAN_EXIT = {
    "billion-laughs.rdf": 2,
    "nested-bnodes-5000.ttl": 0,
    "nested-objects.jsonld": 2,
    "remote-context.jsonld": 2,
    "file-context.jsonld": 2,
    "external-entity.rdf": 2,
    "owl-imports.ttl": 0,
    "datatype-injection.ttl": 2,
    "datatype-injection.rdf": 2,
    "datatype-injection.jsonld": 2,
}


@pytest.mark.parametrize(("name", "code"), sorted(CLEAN_EXIT.items()))
def test_analyze_ends_cleanly_on_hostile_files(
    name: str, code: int, cli: Callable[..., object]
) -> None:
    run = cli("analyze", HOSTILE / name, "--format", "json")
    assert run.code == code, run.stderr  # type: ignore[attr-defined]
    stderr: str = run.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    if code == 2:
        assert stderr.startswith(f"kg-threat: error: {HOSTILE / name}")


def test_analyze_reads_a_two_megabyte_literal(tmp_path: Path, cli: Callable[..., object]) -> None:
    path = write(tmp_path, "long.nt", f'<{EX}a> <{EX}p> "{"x" * 2_000_000}" .\n')
    run = cli("analyze", path, "--format", "json")
    assert run.code == 0, run.stderr  # type: ignore[attr-defined]


def test_analyze_reads_standard_input(cli: Callable[..., object], example: Path) -> None:
    run = cli("analyze", "-", "--format", "json", stdin=example.read_text())
    assert run.code == 0, run.stderr  # type: ignore[attr-defined]
    assert '"findings"' in run.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "code"), [("nested-parens.rq", 0), ("service-query.rq", 2)]
)
def test_query_ends_cleanly_on_hostile_queries(
    query: str, code: int, cli: Callable[..., object], example: Path
) -> None:
    run = cli("query", example, HOSTILE / query, "--format", "json")
    assert run.code == code, run.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in run.stderr  # type: ignore[attr-defined]
