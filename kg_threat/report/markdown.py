"""The report as Markdown (GitHub/GitLab flavour): a Mermaid diagram plus the SVG beside it.

Rendered with Jinja2; every value printed by the template goes through :func:`escape` (the
environment's ``finalize``), except the values we build ourselves and mark :class:`Raw`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from urllib.parse import quote

import jinja2

from kg_threat.report.sections import SECTIONS, ComponentFindings, FindingRow, Link, Report

_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


class Raw(str):
    """Markdown we wrote ourselves, printed as is."""

    __slots__ = ()


def escape(value: object) -> str:
    """Any value as inert Markdown text: punctuation backslash-escaped, HTML characters as
    entities, so user text can neither format, link, break a table nor inject HTML."""
    if isinstance(value, Raw):
        return value
    text = "" if value is None else str(value)
    return _SPECIAL.sub(r"\\\1", text).translate(_HTML)


def link(target: Link) -> Raw:
    """``[text](href)``, or the escaped text when there is no page."""
    text = escape(target.text)
    if target.href is None:
        return Raw(text)
    return Raw(f"[{text}](<{target.href.translate(_HTML).replace(' ', '%20')}>)")


def _row_writer() -> Callable[[ComponentFindings], Raw]:
    """Write the rows of a findings table in Python (the part that grows with the findings);
    every cell is escaped, and escaped texts are memoised per report."""
    memo: dict[str, str] = {}

    def e(text: str) -> str:
        done = memo.get(text)
        if done is None:
            done = memo[text] = escape(text)
        return done

    written: dict[int, str] = {}  # rows are shared between findings with the same content

    def row(f: FindingRow) -> str:
        done = written.get(id(f))
        if done is None:
            done = written[id(f)] = (
                f"| {link(f.threat)} | {e(f.label)} | {e(', '.join(f.catalogs))} | "
                f"{e(f.status)} | {e(f.likelihood)} / {e(f.impact)} | "
                f"{e(', '.join(f.controls))} | {e(', '.join(f.missing_controls))} |")
        return done

    def rows(component: ComponentFindings) -> Raw:
        return Raw("\n".join(map(row, component.findings)))

    return rows


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _join(values: object, sep: str = ", ") -> str:
    assert isinstance(values, tuple | list)
    return sep.join(escape(v) for v in values)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg_threat.report", "templates"),
        autoescape=False,
        finalize=escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["link"] = link
    env.filters["join_md"] = lambda values, sep=", ": Raw(_join(values, sep))
    env.filters["raw"] = Raw
    return env


def render(report: Report, mermaid: str, svg_file: str | None) -> str:
    """The Markdown document of ``report``; ``svg_file`` is the diagram's file name beside it."""
    return "".join(render_parts(report, mermaid, svg_file))


def render_parts(report: Report, mermaid: str, svg_file: str | None) -> Iterator[str]:
    """The document of :func:`render` in pieces, in order, to be written piece by piece."""
    return _environment().get_template("report.md.j2").generate(
        r=report,
        sections=[(Raw(_slug(title)), title) for _, title in SECTIONS],
        mermaid=Raw(mermaid),
        svg_file=Raw(quote(svg_file)) if svg_file else None,
        finding_rows=_row_writer(),
    )
