"""Rendering a `Report`: a Telegram HTML summary and one self-contained HTML document.

Both templates run with jinja2 autoescaping on, and every text reaches them as a plain str (never
`Markup`), so a comment such as ``<script>alert(1)</script>&`` is shown as typed in both. The
summary keeps to Telegram's HTML subset (b, i, u, s, code, pre, a, blockquote) and its 4096
character limit; the document loads nothing from elsewhere (inline CSS and SVG, no scripts) so it
can be mailed, archived and opened offline.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any, Protocol

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict

from reports.comment_topics import collapse
from reports.confidentiality import WALES_MIN_OTHERS
from reports.document import build_document
from reports.language import written_in
from reports.results import CouncilDocument, Report, Statement, ThemeSection
from reports.text import messages
from rubric.advice import Advice
from rubric.schema import Lang

TEMPLATES = Path(__file__).with_name("templates")
TELEGRAM_LIMIT = 4096
"""Telegram's message limit, in UTF-16 code units."""

AGREE, NEITHER, DISAGREE = "#0072B2", "#C8C8C8", "#E69F00"
"""Okabe-Ito blue and orange, with a neutral grey between: told apart with any colour vision."""

CHART_W = 360.0
"""Chart viewBox width. Charts are drawn at most 30rem wide and fill a phone's 375 px screen
(about 355 px inside the margins), so one viewBox unit is never much under one CSS pixel and
13-unit labels stay above 12 px on a phone."""
FONT = 13
CHAR_W = 7.9
"""An estimate of the average glyph width at 13 units (DejaVu Sans, the widest likely font),
used to lay out legends and wrap labels without measuring text."""

GRID_STEPS = (
    (80, "#08519C", "#FFFFFF"),
    (60, "#2171B5", "#FFFFFF"),
    (40, "#6BAED6", "#000000"),
    (20, "#BDD7E7", "#000000"),
    (0, "#EFF3FF", "#000000"),
)
"""Sequential blues for the maturity grid, by share at least; text colour for 4.5:1 contrast."""


BAR_EM = 10
"""A statement's bar is this many ems long, on screen and in print."""


class Bar(BaseModel):
    """One group's answers as a stacked bar in its table row, drawn as one box: agreement is its
    left border, disagreement its right border and "neither" its width between them. One box per
    row is far cheaper to lay out and print than an SVG or a box per answer. The figures are in
    the row's cells beside it, so the bar carries no text and is hidden from screen readers."""

    model_config = ConfigDict(frozen=True)

    agree: str
    neither: str
    disagree: str
    """Lengths in em."""

    @property
    def style(self) -> str:
        return (
            f"border-left-width: {self.agree}em; width: {self.neither}em;"
            f" border-right-width: {self.disagree}em"
        )


class GridCell(BaseModel):
    model_config = ConfigDict(frozen=True)

    x: float
    y: float
    fill: str
    text_colour: str
    label: str


class GridRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    lines: tuple[str, ...]
    y: float
    h: float
    cells: tuple[GridCell, ...]


class Grid(BaseModel):
    """The maturity heat map: key characteristics by level, shaded by the share there."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str
    width: float = CHART_W
    height: float
    label_w: float
    cell_w: float
    header_h: float
    headers: tuple[tuple[str, float], ...]
    rows: tuple[GridRow, ...]


class Slugged(Protocol):
    @property
    def slug(self) -> str: ...


def report_filename(council: Slugged, on: date, ext: str = "html") -> str:
    """``datatool-powys-2026-11-27.html`` (or ``.pdf``)."""
    return f"datatool-{council.slug}-{on.isoformat()}.{ext}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja environment both reports render with (`reports.national_render` too):
    autoescaping on, and an undefined name is an error rather than an empty string."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
    )


def pct_text(value: int | None) -> str:
    """A percentage as the reports print it: ``62%``, or a dash where there is none."""
    return "–" if value is None else f"{value}%"


def _median(value: int | None) -> str:
    """A median level: always whole, by the one median rule (`reports.results.median_level`)."""
    return "–" if value is None else str(value)


def wrap(text: str, width: float, size: float = FONT) -> tuple[str, ...]:
    """Words onto lines of at most `width` units (estimated), never splitting a word."""
    limit = max(1, int(width / (CHAR_W * size / FONT)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def answer_bar(agree: int, neither: int, disagree: int) -> Bar | None:
    total = agree + neither + disagree
    if not total:
        return None

    def length(n: int) -> str:
        return f"{BAR_EM * n / total:.2f}"

    return Bar(agree=length(agree), neither=length(neither), disagree=length(disagree))


def statement_bars(statement: Statement) -> dict[str, Bar | None]:
    return {r.cell: answer_bar(r.agree, r.neither, r.disagree) for r in statement.results}


def _grid_colour(pct: int | None) -> tuple[str, str]:
    if pct is None:
        return "#FFFFFF", "#000000"
    return next((fill, text) for at_least, fill, text in GRID_STEPS if pct >= at_least)


def maturity_grid(document: CouncilDocument, lang: Lang) -> Grid | None:
    """Seven characteristics by three levels, each cell the share of all respondents there."""
    t = messages()
    lines = document.maturity
    if not lines:
        return None
    label_w, header_h = 150.0, 26.0
    cell_w = (CHART_W - label_w) / 3
    names = [t(lang, "maturity.col.level", n=n) for n in (1, 2, 3)]
    rows, y, parts = [], header_h, []
    for line in lines:
        wrapped = wrap(line.title, label_w - 8)
        row_h = max(36.0, 12 + 17 * len(wrapped))
        cells = []
        for i, pct in enumerate(line.shares):
            fill, text = _grid_colour(pct)
            cells.append(
                GridCell(
                    x=label_w + i * cell_w,
                    y=y,
                    fill=fill,
                    text_colour=text,
                    label=pct_text(pct),
                )
            )
            parts.append(
                t(lang, "grid.cell", characteristic=line.title, level=i + 1, pct=pct_text(pct))
            )
        rows.append(GridRow(lines=wrapped, y=y, h=row_h, cells=tuple(cells)))
        y += row_h
    return Grid(
        title=t(lang, "grid.title", **document.report.council.forms(lang)),
        description="; ".join(parts),
        height=y + 2,
        label_w=label_w,
        cell_w=cell_w,
        header_h=header_h,
        headers=tuple((name, label_w + (i + 0.5) * cell_w) for i, name in enumerate(names)),
        rows=tuple(rows),
    )


class ChartSegment(BaseModel):
    model_config = ConfigDict(frozen=True)

    x: float
    w: float
    fill: str
    text_colour: str
    label: str
    """The share, or "" where the segment is too narrow to hold it."""


class ChartRow(BaseModel):
    """One statement: its text (laid out as HTML, so it wraps as text does) over its bar."""

    model_config = ConfigDict(frozen=True)

    statement: str
    description: str
    segments: tuple[ChartSegment, ...]


class ThemeChart(BaseModel):
    """A theme's statements as stacked bars of all respondents' agree / neither / disagree:
    one small SVG per statement, so that the chart flows from page to page like text."""

    model_config = ConfigDict(frozen=True)

    title: str
    legend: tuple[tuple[str, str], ...]
    """(colour, label) of each key entry."""
    rows: tuple[ChartRow, ...]


BAR_H = 18.0


def theme_chart(theme: ThemeSection, lang: Lang) -> ThemeChart | None:
    """The chart in a theme's section: one bar per statement with figures for all respondents."""
    t = messages()
    names = (
        t(lang, "statement.col.agree"),
        t(lang, "chart.neither"),
        t(lang, "statement.col.disagree"),
    )
    rows = []
    for statement in theme.statements:
        r = statement.result("all")
        if r is None or not r.n or r.agree_pct is None:
            continue
        total = r.agree + r.neither + r.disagree
        shares = (r.agree_pct, r.neither_pct, r.disagree_pct)
        segments, left = [], 0.0
        for count, share, fill, text in zip(
            (r.agree, r.neither, r.disagree),
            shares,
            (AGREE, NEITHER, DISAGREE),
            ("#FFFFFF", "#000000", "#000000"),
            strict=True,
        ):
            w = CHART_W * count / total if total else 0.0
            label = pct_text(share) if w >= 40 else ""
            segments.append(ChartSegment(x=left, w=w, fill=fill, text_colour=text, label=label))
            left += w
        description = t(
            lang,
            "chart.theme_row",
            agree=pct_text(shares[0]),
            neither=pct_text(shares[1]),
            disagree=pct_text(shares[2]),
        )
        rows.append(
            ChartRow(statement=statement.text, description=description, segments=tuple(segments))
        )
    if not rows:
        return None
    return ThemeChart(
        title=t(lang, "chart.theme_title", theme=theme.title),
        legend=tuple(zip((AGREE, NEITHER, DISAGREE), names, strict=True)),
        rows=tuple(rows),
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
        "pct": pct_text,
        "median": _median,
        "written_in": written_in,
        "date": format_date(
            report.generated_on, format="long", locale="en_GB" if lang == "en" else "cy"
        ),
        "cells": {c.key: c for c in report.cells},
        "themes_by_id": {theme.theme_id: theme for theme in report.themes},
        "tin": lambda in_lang, key: t(in_lang, key),
        "caution": any(r.caution for r in report.rates.rows),
    }


def visible_length(text: str) -> int:
    """How long Telegram counts a message in HTML: its text once the tags are parsed and the
    entities read, in UTF-16 code units (the limit is on that, not on the markup)."""
    return len(unescape(re.sub(r"<[^>]*>", "", text)).strip().encode("utf-16-le")) // 2


def _truncated(document: CouncilDocument, limit: int) -> CouncilDocument:
    """The document with each of the auditor's paragraphs cut to `limit` characters (the
    summary's last resort: the full text is in the attached report)."""

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    commentary = {k: tuple(cut(p) for p in v[:1]) for k, v in document.commentary.items()}
    return document.model_copy(update={"commentary": commentary})


def render_summary(
    report: Report | CouncilDocument, lang: Lang, advice: Advice | None = None
) -> str:
    """The Telegram message (parse_mode HTML): the key messages, the auditor's commentary, the
    theme shares and the recommendations, one line each, always within Telegram's length
    limit: when it is long, the list of what was withheld is shortened to a count, then the
    headlines go, then the auditor's paragraphs are shortened (they are whole in the report)."""
    document = report if isinstance(report, CouncilDocument) else build_document(report, advice)
    base = document.report
    template = environment().get_template("summary.html.j2")
    context = _context(base, lang)
    withheld = list(base.withheld)
    attempts = [(len(withheld), True, document)]
    attempts += [(k, True, document) for k in range(len(withheld) - 1, -1, -1)]
    attempts += [(0, False, document)]
    attempts += [(0, False, _truncated(document, n)) for n in (600, 300, 120, 60)]
    if document.commentary:  # the last resort: the paragraphs are only in the attachment
        attempts += [(0, False, document.model_copy(update={"commentary": {}}))]
    text = ""
    for keep, headlines, doc in attempts:
        rendered = template.render(
            **context,
            doc=doc,
            withheld=withheld[:keep],
            more=len(withheld) - keep,
            headlines=headlines,
            commentary_elsewhere=bool(document.commentary) and not doc.commentary,
        )
        text = re.sub(r"\n{3,}", "\n\n", rendered).strip()
        if visible_length(text) <= TELEGRAM_LIMIT:
            return text
    raise ValueError("the summary does not fit a Telegram message")


def render_html(report: Report | CouncilDocument, lang: Lang, advice: Advice | None = None) -> str:
    """The full report as one self-contained HTML document: the narrative (built here from a
    `Report`, or given as a `CouncilDocument`), then the detail in an annex."""
    document = report if isinstance(report, CouncilDocument) else build_document(report, advice)
    base = document.report
    context = _context(base, lang)
    bars = {s.question_id: statement_bars(s) for theme in base.themes for s in theme.statements}
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            **context,
            doc=document,
            bars=bars,
            colours={"agree": AGREE, "neither": NEITHER, "disagree": DISAGREE},
            grid=maturity_grid(document, lang),
            charts={theme.theme_id: theme_chart(theme, lang) for theme in base.themes},
            BAR_H=BAR_H,
            CHART_W=CHART_W,
            wales_min_others=WALES_MIN_OTHERS,
            collapsed={theme.theme_id: collapse(theme.comments) for theme in base.themes},
            said_by=lambda n: messages().plural(lang, "comments.said_by", n),
            statement_count=sum(len(theme.statements) for theme in base.themes),
            FONT=FONT,
        )
    )
