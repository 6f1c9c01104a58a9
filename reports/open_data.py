"""Open data: the figures a report shows, and only those, as one tidy table (one row per council,
group, statement and answer), under the Open Government Licence as Audit Wales publishes data.

The rows are read from a built `Report`, which is already past the confidentiality rule: a
group the rule hides has no results in it, so it has no row here. Nothing goes back to the
stored counts. The national table is every council's own report's rows for its own groups
(each a figure that council's report publishes); the Wales figures, which differ from one
council's report to the next, are left out of it so that no two of them can be set side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reports.results import Report, percent
from reports.text import messages
from rubric.schema import LANGS

COLUMNS = ("council", "group", "team", "question", "answer", "count", "base", "percent")
"""`group`: all, officer, member, team (with `team`) or wales; `question`: a statement's or a
key characteristic's id; `answer`: agree, neither, disagree, dont_know or level_1..level_3;
`base`: the people who gave a view (answers other than "Don't know"), `percent` of it rounded
half up; "Don't know" has no share, only a count."""

Row = tuple[str, str, str, str, str, int, int | str, int | str]


def licence_lines() -> tuple[str, ...]:
    """The notice the file opens with, Welsh first, as comment lines (``#``)."""
    return tuple(f"# {messages()(lang, 'open_data.licence')}" for lang in LANGS)


def report_rows(report: Report, *, wales: bool = True) -> list[Row]:
    """Every figure the report shows: each statement's answers by shown group, and each key
    characteristic's levels by shown group."""
    cells = {c.key: c for c in report.cells}
    out: list[Row] = []

    def who(key: str) -> tuple[str, str, str]:
        cell = cells[key]
        council = "wales" if cell.kind == "wales" else report.council.slug
        group = cell.group or "" if cell.kind == "audience" else cell.kind
        return council, group, cell.team or ""

    for theme in report.themes:
        for statement in theme.statements:
            for r in statement.results:
                if r.cell == "wales" and not wales:
                    continue
                council, group, team = who(r.cell)
                base = (council, group, team, statement.question_id)
                out += [
                    (*base, "agree", r.agree, r.n, _pct(r.agree_pct)),
                    (*base, "neither", r.neither, r.n, _pct(r.neither_pct)),
                    (*base, "disagree", r.disagree, r.n, _pct(r.disagree_pct)),
                    (*base, "dont_know", r.dk, "", ""),
                ]
    for row in report.maturity:
        for level in row.results:
            if level.cell == "wales" and not wales:
                continue
            council, group, team = who(level.cell)
            base = (council, group, team, row.characteristic_id)
            for i, count in enumerate(level.levels, start=1):
                share = percent(count, level.n) if level.n else ""
                out.append((*base, f"level_{i}", count, level.n, share))
            out.append((*base, "dont_know", level.dk, "", ""))
    return out


def national_rows(reports: Mapping[str, Report]) -> list[Row]:
    """Each council's own shown figures, council by council (see the module's notes)."""
    return [row for slug in sorted(reports) for row in report_rows(reports[slug], wales=False)]


def _pct(value: int | None) -> int | str:
    return "" if value is None else value


def as_cells(rows: Iterable[Row]) -> list[list[object]]:
    return [list(r) for r in rows]
