"""Rendering the national report: a Telegram summary and one self-contained HTML document with
the heat map (councils by key characteristic) as inline SVG.

As for a council's report (`reports.render`): autoescaping on, plain strings only, nothing loaded
from elsewhere, no scripts. Each heat map cell carries its level as a digit as well as a colour,
so it reads in grey print and with any colour vision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict

from reports.national import NationalReport
from reports.render import environment, pct_text
from reports.text import messages
from rubric.schema import Lang

TELEGRAM_LIMIT = 4096
"""Telegram's message limit, in UTF-16 code units."""
LEVEL_COLOURS = ("#440154", "#21918C", "#FDE725")
"""Viridis' dark end, middle and light end for levels 1, 2 and 3: ordered in lightness, so the
heat map reads in grey print too."""
LIGHT_TEXT = {"#440154"}
"""Fills dark enough for white digits."""
NO_FIGURES = "#E6E6E6"
_LABEL_W, _CELL_W, _CELL_H, _HEAD_H, _LEGEND_H = 170.0, 52.0, 18.0, 120.0, 26.0


class HeatCell(BaseModel):
    model_config = ConfigDict(frozen=True)

    x: float
    fill: str
    text: str
    text_colour: str


class HeatRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    y: float
    cells: tuple[HeatCell, ...]


class HeatMap(BaseModel):
    """Laid out in viewBox units: a header of rotated characteristic titles, one row per
    council, a legend underneath."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str
    width: float
    height: float
    columns: tuple[tuple[str, float], ...]
    """(title, x of the column's middle)"""
    rows: tuple[HeatRow, ...]
    legend: tuple[tuple[str, str, str, float], ...]
    """(fill, digit, label, x)"""
    legend_y: float


def national_filename(on: date) -> str:
    """``datatool-wales-2026-12-02.html``."""
    return f"datatool-wales-{on.isoformat()}.html"


def heat_map(report: NationalReport, lang: Lang) -> HeatMap:
    t = messages()
    # Column titles are rotated 40 degrees: each reaches about 0.77 x its length to the right.
    width = max(
        [_LABEL_W + _CELL_W * len(report.maturity) + 10]
        + [
            _LABEL_W + _CELL_W * (i + 0.5) + 0.77 * 5.6 * len(row.title) + 6
            for i, row in enumerate(report.maturity)
        ]
    )
    columns = tuple(
        (row.title, round(_LABEL_W + _CELL_W * (i + 0.5), 1))
        for i, row in enumerate(report.maturity)
    )
    rows = []
    lines = []
    # Councils not taking part have no row: the report names them once, in one sentence.
    for i, council in enumerate(c for c in report.placements if c.taking_part):
        y = _HEAD_H + i * _CELL_H
        cells = []
        values = []
        for j, placement in enumerate(council.placements):
            x = round(_LABEL_W + _CELL_W * j, 1)
            if placement.level is None:
                cells.append(HeatCell(x=x, fill=NO_FIGURES, text="–", text_colour="#555555"))
                values.append(f"{report.maturity[j].title} –")
                continue
            fill = LEVEL_COLOURS[placement.level - 1]
            text_colour = "#FFFFFF" if fill in LIGHT_TEXT else "#000000"
            cells.append(
                HeatCell(x=x, fill=fill, text=str(placement.level), text_colour=text_colour)
            )
            values.append(f"{report.maturity[j].title} {placement.level}")
        label = council.short
        lines.append(f"{label}: " + ", ".join(values))
        rows.append(HeatRow(label=label, y=round(y, 1), cells=tuple(cells)))
    legend_y = _HEAD_H + len(rows) * _CELL_H + 10
    items = [
        (colour, str(n), t(lang, "maturity.col.level", n=n))
        for n, colour in enumerate(LEVEL_COLOURS, start=1)
    ]
    items += [(NO_FIGURES, "–", t(lang, "national.heatmap.none"))]
    legend = []
    x = 10.0
    for fill, digit, label in items:
        legend.append((fill, digit, label, round(x, 1)))
        x += 24 + 5.6 * len(label)
    return HeatMap(
        title=t(lang, "national.heatmap.title"),
        description="; ".join(lines),
        width=round(max(width, x), 1),
        height=round(legend_y + _LEGEND_H, 1),
        columns=columns,
        rows=tuple(rows),
        legend=tuple(legend),
        legend_y=round(legend_y, 1),
    )


def _context(report: NationalReport, lang: Lang) -> dict[str, Any]:
    if lang != report.lang:
        raise ValueError(f"the report was built in {report.lang!r}; build it again for {lang!r}")
    t = messages()

    def tr(key: str, /, **values: object) -> str:
        return t(lang, key, **values)

    def tn(key: str, n: int, /, **values: object) -> str:
        """A sentence whose noun follows the number ``n`` (Welsh: "o'r 2 gyngor")."""
        return t.plural(lang, key, n, **values)

    wales_total = next(r for r in report.rates.wales if r.row == "total")
    return {
        "report": report,
        "lang": lang,
        "t": tr,
        "tn": tn,
        "pct": pct_text,
        "date": format_date(
            report.generated_on, format="long", locale="en_GB" if lang == "en" else "cy"
        ),
        "wales_total": wales_total,
        "labels": {
            "all": tr("cell.all"),
            "officer": tr("cell.officer"),
            "member": tr("cell.member"),
        },
        "cell_w": _CELL_W,
        "cell_h": _CELL_H,
        "label_w": _LABEL_W,
    }


def render_national_html(report: NationalReport, lang: Lang) -> str:
    """The national report as one self-contained HTML document."""
    return (
        environment()
        .get_template("national.html.j2")
        .render(**_context(report, lang), heat=heat_map(report, lang))
    )


def render_national_summary(report: NationalReport, lang: Lang) -> str:
    """The Telegram message (parse_mode HTML): the response rates, the maturity sentences, the
    themes and what most councils' reports recommend. What would take it over Telegram's limit
    is left to the attached report: the maturity sentences first, then the recommendations."""
    template = environment().get_template("national_summary.html.j2")
    context = _context(report, lang)
    for maturity, recommendations in ((True, True), (False, True), (True, False), (False, False)):
        text = template.render(
            **context, with_maturity=maturity, with_recommendations=recommendations
        ).strip()
        if len(text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT:
            return text
    raise ValueError("the national summary does not fit a Telegram message")
