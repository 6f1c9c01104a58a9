"""Rendering a `Report`: a Telegram HTML summary and one self-contained HTML document.

Both templates run with jinja2 autoescaping on, and every text reaches them as a plain str (never
`Markup`), so a comment such as ``<script>alert(1)</script>&`` is shown as typed in both. The
summary keeps to Telegram's HTML subset (b, i, u, s, code, pre, a, blockquote) and its 4096
character limit; the document loads nothing from elsewhere (inline CSS and SVG, no scripts) so it
can be mailed, archived and opened offline.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict

from reports.language import written_in
from reports.models import CouncilNames, LevelResult, Report, Statement, StatementResult
from reports.text import messages
from rubric.models import Lang

TEMPLATES = Path(__file__).with_name("templates")
TELEGRAM_LIMIT = 4096
"""Telegram's message limit, in UTF-16 code units."""

AGREE, NEITHER, DISAGREE = "#0072B2", "#C8C8C8", "#E69F00"
"""Okabe-Ito blue and orange, with a neutral grey between: told apart with any colour vision."""
LEVEL_COLOURS = ("#440154", "#21918C", "#FDE725")
"""Viridis ends and middle, ordered light to dark for levels 3 to 1."""
LIGHT_TEXT = {"#0072B2", "#440154"}

_BAR_X, _BAR_W, _ROW_H, _LEGEND_H = 70.0, 320.0, 22, 20


class Segment(BaseModel):
    model_config = ConfigDict(frozen=True)

    x: float
    width: float
    mid: float
    colour: str
    text_colour: str
    label: str


class BarRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    y: float
    segments: tuple[Segment, ...]
    empty: bool


class Chart(BaseModel):
    """An inline SVG stacked-bar chart, laid out in viewBox units."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str
    height: float
    legend: tuple[tuple[str, str, float], ...]
    """(colour, label, x)"""
    rows: tuple[BarRow, ...]


def report_filename(council: CouncilNames, on: date) -> str:
    """``datatool-powys-2026-11-27.html``."""
    return f"datatool-{council.slug}-{on.isoformat()}.html"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
    )


def _pct(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def _median(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _bar(label: str, y: float, parts: list[tuple[int, str]]) -> BarRow:
    total = sum(n for n, _ in parts)
    segments = []
    x = _BAR_X
    for n, colour in parts:
        if not total or not n:
            continue
        width = _BAR_W * n / total
        share = round(100 * n / total)
        segments.append(
            Segment(
                x=round(x, 2),
                width=round(width, 2),
                mid=round(x + width / 2, 2),
                colour=colour,
                text_colour="#FFFFFF" if colour in LIGHT_TEXT else "#000000",
                label=f"{share}%" if width >= 26 else "",
            )
        )
        x += width
    return BarRow(label=label, y=y, segments=tuple(segments), empty=total == 0)


def _legend(items: list[tuple[str, str]]) -> tuple[tuple[str, str, float], ...]:
    out, x = [], _BAR_X
    for colour, label in items:
        out.append((colour, label, round(x, 1)))
        x += 16 + 6.2 * len(label)
    return tuple(out)


def statement_chart(report: Report, statement: Statement, lang: Lang) -> Chart | None:
    t = messages()
    rows: list[tuple[str, StatementResult]] = []
    for key, label in (("all", "chart.council"), ("wales", "chart.wales")):
        result = statement.result(key)
        if result is not None:
            rows.append((t(lang, label), result))
    if not rows:
        return None
    bars = tuple(
        _bar(
            label,
            _LEGEND_H + i * _ROW_H,
            [(r.agree, AGREE), (r.neither, NEITHER), (r.disagree, DISAGREE)],
        )
        for i, (label, r) in enumerate(rows)
    )
    agree, neither, disagree = (
        t(lang, "statement.col.agree"),
        t(lang, "chart.neither"),
        t(lang, "statement.col.disagree"),
    )
    description = "; ".join(
        f"{label}: {agree} {_pct(r.agree_pct)}, {neither} {_pct(r.neither_pct)}, "
        f"{disagree} {_pct(r.disagree_pct)}"
        for label, r in rows
    )
    return Chart(
        title=t(lang, "chart.statement"),
        description=description,
        height=_LEGEND_H + len(rows) * _ROW_H,
        legend=_legend([(AGREE, agree), (NEITHER, neither), (DISAGREE, disagree)]),
        rows=bars,
    )


def levels_chart(report: Report, results: tuple[LevelResult, ...], lang: Lang) -> Chart | None:
    t = messages()
    rows: list[tuple[str, LevelResult]] = []
    for key, label in (("all", "chart.council"), ("wales", "chart.wales")):
        result = next((r for r in results if r.cell == key), None)
        if result is not None:
            rows.append((t(lang, label), result))
    if not rows:
        return None
    names = [t(lang, "maturity.col.level", n=i) for i in (1, 2, 3)]
    bars = tuple(
        _bar(label, _LEGEND_H + i * _ROW_H, list(zip(r.levels, LEVEL_COLOURS, strict=True)))
        for i, (label, r) in enumerate(rows)
    )
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {n}" for name, n in zip(names, r.levels, strict=True))
        for label, r in rows
    )
    return Chart(
        title=t(lang, "chart.levels"),
        description=description,
        height=_LEGEND_H + len(rows) * _ROW_H,
        legend=_legend(list(zip(LEVEL_COLOURS, names, strict=True))),
        rows=bars,
    )


def _context(report: Report, lang: Lang) -> dict[str, Any]:
    if lang != report.lang:
        raise ValueError(f"the report was built in {report.lang!r}; build it again for {lang!r}")
    t = messages()
    forms = report.council.forms(lang)

    def tr(key: str, /, **values: object) -> str:
        return t(lang, key, **{**forms, **values})

    return {
        "report": report,
        "lang": lang,
        "t": tr,
        "pct": _pct,
        "median": _median,
        "written_in": written_in,
        "date": format_date(
            report.generated_on, format="long", locale="en_GB" if lang == "en" else "cy"
        ),
        "cells": {c.key: c for c in report.cells},
        "caution": any(r.caution for r in report.rates.rows),
    }


def render_summary(report: Report, lang: Lang) -> str:
    """The Telegram message (parse_mode HTML), always within Telegram's length limit: when the
    list of what was withheld is long it is shortened to a count, then the headlines go."""
    template = _env().get_template("summary.html.j2")
    context = _context(report, lang)
    withheld = list(report.withheld)
    attempts = [(len(withheld), True)]
    attempts += [(k, True) for k in range(len(withheld) - 1, -1, -1)]
    attempts += [(0, False)]
    text = ""
    for keep, headlines in attempts:
        text = template.render(
            **context,
            withheld=withheld[:keep],
            more=len(withheld) - keep,
            headlines=headlines,
        ).strip()
        if len(text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT:
            return text
    raise ValueError("the summary does not fit a Telegram message")


def render_html(report: Report, lang: Lang) -> str:
    """The full report as one self-contained HTML document."""
    context = _context(report, lang)
    charts = {
        s.question_id: statement_chart(report, s, lang)
        for theme in report.themes
        for s in theme.statements
    }
    level_charts = {
        row.characteristic_id: levels_chart(report, row.results, lang) for row in report.maturity
    }
    return (
        _env()
        .get_template("report.html.j2")
        .render(**context, charts=charts, level_charts=level_charts)
    )
