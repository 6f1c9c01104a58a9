"""The national report's council-by-council table of theme shares, and its method section.

The table. For each theme, one row per council whose own report shows figures for all
respondents: the views favourable to the Authority (agreeing; disagreeing with a negatively
worded statement), the unfavourable views and the "Don't know" answers, over the theme's
statements that the council's report shows. Each figure is a sum of figures the council's own
report shows, so a cell its report withholds (a statement not shown, a council with too few
respondents) is withheld here exactly as there: such a council has "–" for the theme, and a
council with no figures at all has no row. The Wales row is the stored Wales release
(`storage.reporting.WalesFigure`: every council's released "all respondents" figures as last
pooled for Wales), over the same statements; a national reader sees every council's own
figures, so the pool tells nothing a council's row does not.

The method. What the seed's "Methodology" says, for the national study: the councils taking part
(and the people invited there), the tool and who was asked what, the fieldwork dates (the
earliest opening and the latest closing of the councils' survey windows), what a theme share
counts, "Don't know", what Wales means, the rounding and the response-rate caution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from reports.claims import result
from reports.results import Report, percent
from reports.survey_dates import SurveyDates
from reports.text import messages
from rubric.schema import Lang, Questionnaire
from storage.reporting import WalesFigure


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ThemeShares(_Frozen):
    """One council's (or Wales's) views on one theme's statements; None: nothing shown."""

    favourable_pct: int | None
    unfavourable_pct: int | None
    dk: int | None
    n: int | None
    """Views given (``Don't know`` is not a view and is counted apart)."""

    @classmethod
    def of(cls, favourable: int, unfavourable: int, dk: int, n: int) -> ThemeShares:
        if not n and not dk:
            return NOTHING
        return cls(
            favourable_pct=percent(favourable, n) if n else None,
            unfavourable_pct=percent(unfavourable, n) if n else None,
            dk=dk,
            n=n,
        )


NOTHING = ThemeShares(favourable_pct=None, unfavourable_pct=None, dk=None, n=None)


class CouncilThemeRow(_Frozen):
    slug: str
    name: str
    short: str
    themes: tuple[ThemeShares, ...]
    """In the questionnaire's order of themes."""


class ThemeTable(_Frozen):
    themes: tuple[tuple[str, str], ...]
    """(theme id, title)"""
    councils: tuple[CouncilThemeRow, ...]
    wales: tuple[ThemeShares, ...]
    wales_councils: int
    """How many councils the stored Wales release pools."""


def council_shares(report: Report, theme_id: str) -> ThemeShares:
    """A council's views on a theme: sums of the figures its own report shows for all
    respondents, negatively worded statements reversed."""
    theme = next((t for t in report.themes if t.theme_id == theme_id), None)
    fav = unfav = dk = n = 0
    for s in theme.statements if theme is not None else ():
        r = result(s, "all")
        if r is not None:
            f, u = s.sides(r)
            fav, unfav, dk, n = fav + f, unfav + u, dk + r.dk, n + r.n
    return ThemeShares.of(fav, unfav, dk, n)


def wales_shares(
    questionnaire: Questionnaire, wales: Sequence[WalesFigure], theme_id: str
) -> ThemeShares:
    """Wales's views on a theme, from the stored Wales release."""
    scale = questionnaire.scales["agree"]
    assert scale is not None
    questions = {
        q.id: q for q in questionnaire.questions if q.theme == theme_id and q.kind == "agree"
    }
    fav = unfav = dk = n = 0
    for figure in wales:
        q = questions.get(figure.question_id)
        if q is None:
            continue
        if figure.choice in scale.excluded:
            dk += figure.n
            continue
        n += figure.n
        if figure.choice in scale.agree:
            fav, unfav = (fav, unfav + figure.n) if q.negative else (fav + figure.n, unfav)
        elif figure.choice in scale.disagree:
            fav, unfav = (fav + figure.n, unfav) if q.negative else (fav, unfav + figure.n)
    return ThemeShares.of(fav, unfav, dk, n)


def theme_table(
    questionnaire: Questionnaire,
    rows: Sequence[tuple[str, str, str, Report]],
    wales: Sequence[WalesFigure],
    lang: Lang,
) -> ThemeTable:
    """`rows`: (slug, name, short name, report) of the councils whose reports show figures."""
    themes = tuple((t.id, t.title(lang)) for t in questionnaire.themes)
    return ThemeTable(
        themes=themes,
        councils=tuple(
            CouncilThemeRow(
                slug=slug,
                name=name,
                short=short,
                themes=tuple(council_shares(report, tid) for tid, _ in themes),
            )
            for slug, name, short, report in rows
        ),
        wales=tuple(wales_shares(questionnaire, wales, tid) for tid, _ in themes),
        wales_councils=len({w.council_slug for w in wales}),
    )


def method(
    questionnaire: Questionnaire,
    reports: Mapping[str, Report],
    lang: Lang,
    *,
    taking_part: int,
    invited: int,
    fieldwork: SurveyDates | None,
    min_group_size: int,
) -> tuple[str, ...]:
    """The method section's paragraphs, in order."""
    t = messages()
    statements = sum(1 for q in questionnaire.questions if q.kind == "agree")
    characteristics = len({q.characteristic for q in questionnaire.questions if q.kind == "level"})
    threshold = round(float(Fraction(str(questionnaire.thresholds.low_response_rate))) * 100)
    out = [
        t(lang, "national.method", min=min_group_size),
        t.plural(
            lang,
            "national.method.councils",
            len(reports),
            part=taking_part,
            invited=invited,
        ),
        t(lang, "method.tool", statements=statements, characteristics=characteristics),
    ]
    if fieldwork is not None:
        out.append(fieldwork.sentence)
    out += [
        t(lang, "national.method.shares"),
        t(lang, "national.method.wales", min=min_group_size),
        t(lang, "method.rounding", min=min_group_size, threshold=threshold),
    ]
    return tuple(out)
