"""A lexer for SPARQL 1.1 text, enough to find keywords that are really keywords.

A keyword inside a comment, a string literal, an IRI, a prefixed name (``ex:service``) or a
variable (``?from``) is not a keyword; a naive search would see it. The lexer follows the
terminals of the SPARQL 1.1 grammar (section 19.8): ``IRIREF``, the four string forms with
their escapes, ``#`` comments to the end of the line, variables, prefixed names, blank-node
labels, language tags, numbers and punctuation. It never recurses, so deep nesting costs
nothing. Unicode escapes (``\\u0053``) are decoded first when asked, as section 19.2 says a
parser should.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache

from kg_threat.errors import InputError


class Kind(Enum):
    WORD = "word"  # a bare word: keyword, function name, `a`, true/false, number
    IRI = "iri"  # <…>, value without the brackets
    PNAME = "pname"  # prefix:local, or prefix: alone
    VAR = "var"
    STRING = "string"
    BNODE = "bnode"
    LANGTAG = "langtag"
    PUNCT = "punct"


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str
    line: int


_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS}:]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_ECHAR = r"\\[tbnrf\\\"']"


@cache
def _token_pattern() -> re.Pattern[str]:
    """The lexer's pattern, compiled on first use (35 ms that most commands never need)."""
    return re.compile(
        "|".join(
            (
                r"(?P<ws>[ \t\r\n]+)",
                r"(?P<comment>\#[^\r\n]*)",
                r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
                rf"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*''')",
                rf'(?P<long2>"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*""")',
                rf"(?P<str1>'(?:[^'\\\n\r]|{_ECHAR})*')",
                rf'(?P<str2>"(?:[^"\\\n\r]|{_ECHAR})*")',
                rf"(?P<var>[?$][{_PN_CHARS}]+)",
                rf"(?P<bnode>_:[{_PN_CHARS}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
                rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
                r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
                rf"(?P<word>[{_PN_CHARS}]+)",
                r"(?P<open_string>['\"])",
                r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
            )
        ),
        re.DOTALL,
    )


_KINDS = {
    "iri": Kind.IRI,
    "long1": Kind.STRING,
    "long2": Kind.STRING,
    "str1": Kind.STRING,
    "str2": Kind.STRING,
    "var": Kind.VAR,
    "bnode": Kind.BNODE,
    "pname": Kind.PNAME,
    "langtag": Kind.LANGTAG,
    "word": Kind.WORD,
    "punct": Kind.PUNCT,
}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_escapes(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` by their characters (SPARQL 1.1, 19.2)."""

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise InputError(f"invalid code point escape {match.group(0)}")
        return chr(code)

    return _UNICODE_ESCAPE.sub(char, text)


def tokens(text: str, *, source: str = "query") -> Iterator[Token]:
    """The tokens of ``text``, without whitespace and comments."""
    pattern = _token_pattern()
    pos = 0
    line = 1
    while pos < len(text):
        match = pattern.match(text, pos)
        if match is None:  # pragma: no cover - the last alternative matches any character
            raise InputError(f"{source}:{line}: cannot read the query")
        group = match.lastgroup or "punct"
        value = match.group()
        if group == "open_string":
            raise InputError(f"{source}:{line}: unterminated string")
        if group == "iri":
            yield Token(Kind.IRI, value[1:-1], line)
        elif group not in ("ws", "comment"):
            yield Token(_KINDS[group], value, line)
        line += value.count("\n")
        pos = match.end()
