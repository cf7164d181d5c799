"""The report as one self-contained HTML page: inline CSS, inline SVG, a few lines of inline JS.

Rendered with Jinja2 with autoescaping on: every value from the user's files is escaped. Only
our own stylesheet, script and the SVG drawn by Graphviz (which escapes labels itself) are
inserted as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup, escape

from kg_threat.report.sections import SECTIONS, ComponentFindings, FindingRow, Link, Report, RiskGroup
from kg_threat.report.styles import NO_RISK_COLOUR, RISK_COLOURS, ZONE_COLOUR


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg_threat.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["yes_no"] = _yes_no
    return env


def _asset(name: str) -> str:
    return (files("kg_threat.report") / "templates" / name).read_text(encoding="utf-8")


def _findings_writer(open_details: bool) -> Callable[[RiskGroup], Iterator[Markup]]:
    """Write the component blocks of a risk group in Python: the one part of a report that
    grows with the number of findings (at 10,000 components, 92,000 blocks and 500,000 rows).
    The markup is what the template would write for them; every value is escaped, and escaped
    texts are memoised per report."""
    memo: dict[str, str] = {}

    def e(text: str) -> str:
        done = memo.get(text)
        if done is None:
            done = memo[text] = str(escape(text))
        return done

    def joined(values: tuple[str, ...]) -> str:
        return e(", ".join(values))

    def link(target: Link) -> str:
        if target.href is None:
            return e(target.text)
        return f'<a href="{e(target.href)}">{e(target.text)}</a>'

    written: dict[int, str] = {}  # rows are shared between findings with the same content

    def row(f: FindingRow) -> str:
        done = written.get(id(f))
        if done is None:
            done = written[id(f)] = (
                f'<tr data-status="{e(f.status)}"><td>{link(f.threat)}</td><td>{e(f.label)}</td>'
                f"<td>{joined(f.catalogs)}</td><td class=\"status-{e(f.status)}\">{e(f.status)}"
                f"</td><td>{e(f.likelihood)} / {e(f.impact)}</td><td>{joined(f.controls)}</td>"
                f"<td>{joined(f.missing_controls)}</td></tr>")
        return done

    opened = " open" if open_details else ""

    def block(c: ComponentFindings, risk: str) -> str:
        count = len(c.findings)
        # The dash is written as a character reference: the blocks stay ASCII when the names
        # are, and 170 MB of ASCII text is copied and encoded four times faster than text
        # with one character beyond Latin-1 in it (render at 10,000 components: 3.6 s -> 1.6 s).
        return (
            f'<details id="{e(c.anchor)}" data-risk="{risk}" data-unmitigated="{c.unmitigated}"{opened}>\n'
            f'<summary>{e(c.name)} &#8212; {count} finding{"s" if count != 1 else ""}, '
            f"{c.unmitigated} unmitigated</summary>\n<table>\n{_TABLE_HEAD}\n<tbody>\n"
            + "\n".join(map(row, c.findings))
            + "\n</tbody>\n</table>\n</details>"
        )

    def blocks(group: RiskGroup) -> Iterator[Markup]:
        """The group's blocks, one per line, in pieces of ``_BLOCKS_PER_PIECE`` blocks: a page
        written piece by piece never holds a whole group (150 MB at 20,000 components) at once."""
        risk = e(group.risk)
        components = group.components
        for start in range(0, len(components), _BLOCKS_PER_PIECE):
            piece = "\n".join([block(c, risk) for c in components[start:start + _BLOCKS_PER_PIECE]])
            yield Markup("\n" + piece if start else piece)

    return blocks


_BLOCKS_PER_PIECE = 500


_TABLE_HEAD = (
    "<thead><tr><th>Threat</th><th>Name</th><th>Catalog</th><th>Status</th>"
    "<th>Likelihood / impact</th><th>Controls in place</th><th>Missing controls</th></tr></thead>"
)


#: Above this many component groups, ``<details>`` start closed.
OPEN_DETAILS_LIMIT = 25


def render(report: Report, svg: str) -> str:
    """The HTML page of ``report``; ``svg`` is the diagram from ``diagram.to_svg``."""
    return "".join(render_parts(report, svg))


def render_parts(report: Report, svg: str) -> Iterator[str]:
    """The page of :func:`render` in pieces, in order: written piece by piece, the page of a
    large system (360 MB at 20,000 components) is never joined into one string and encoded
    whole."""
    groups = sum(len(group.components) for group in report.risks)
    return _environment().get_template("report.html.j2").generate(
        r=report,
        svg=Markup(svg),  # drawn by Graphviz, which escapes labels
        css=Markup(_asset("report.css")),
        js=Markup(_asset("report.js")),
        sections=SECTIONS,
        risk_colours=list(RISK_COLOURS.items()),
        legend_colours=[*RISK_COLOURS.items(), ("no unmitigated risk", NO_RISK_COLOUR)],
        zone_colour=ZONE_COLOUR,
        finding_blocks=_findings_writer(groups <= OPEN_DETAILS_LIMIT),
    )
