"""The report's prose, chosen by rule from the shown figures: key messages, each theme's overall
sentence and most telling findings, and one sentence per key characteristic.

The rules' thresholds are data (``rubric/narrative.toml``). Every figure quoted is one the
report already shows (a statement's shares for a shown group, a theme's pooled share, a shown
group's level counts), so the prose can say nothing the tables do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from reports.phrases import and_list, shown, t, with_figures
from reports.results import (
    Finding,
    FindingKind,
    MaturityLine,
    MaturityRow,
    RecommendationResult,
    Report,
    Statement,
    StatementResult,
    ThemeSection,
    ThemeStory,
    percent,
)
from rubric.advice import Advice

Pick = tuple[int, Statement]


def _share(value: float) -> Fraction:
    return Fraction(str(value))


def _statements(report: Report) -> list[Statement]:
    return [s for theme in report.themes for s in theme.statements]


def _best(
    statements: Iterable[Statement], score: Callable[[Statement], int | None], used: set[str]
) -> Pick | None:
    """The statement with the highest score (the first, when level), skipping `used`."""
    best: Pick | None = None
    for s in statements:
        if s.question_id in used:
            continue
        value = score(s)
        if value is not None and (best is None or value > best[0]):
            best = (value, s)
    return best


def _favourable(cell: str, *, positive_only: bool = False) -> Callable[[Statement], int | None]:
    """The share taking the Authority's side: agreeing, or disagreeing with a negatively
    worded statement ("data protection is seen as a barrier")."""

    def score(s: Statement) -> int | None:
        r = shown(s, cell)
        if r is None or (positive_only and s.negative):
            return None
        return r.disagree_pct if s.negative else r.agree_pct

    return score


def _unfavourable(cell: str, *, positive_only: bool = False) -> Callable[[Statement], int | None]:
    def score(s: Statement) -> int | None:
        r = shown(s, cell)
        if r is None or (positive_only and s.negative):
            return None
        return r.agree_pct if s.negative else r.disagree_pct

    return score


def _gap(a: str, b: str) -> Callable[[Statement], int | None]:
    def score(s: Statement) -> int | None:
        ra, rb = shown(s, a), shown(s, b)
        if ra is None or rb is None:
            return None
        assert ra.agree_pct is not None and rb.agree_pct is not None
        return abs(ra.agree_pct - rb.agree_pct)

    return score


def _all(s: Statement) -> StatementResult:
    r = shown(s, "all")
    assert r is not None
    return r


# --- themes ---------------------------------------------------------------------------------


def overall_sentence(report: Report, theme: ThemeSection, advice: Advice) -> str | None:
    """ "Overall, respondents ... have a mixed view of ...": the theme's positively worded
    statements pooled over all respondents; None when no such figure is shown."""
    agree = disagree = base = 0
    for s in theme.statements:
        r = shown(s, "all")
        if r is None or s.negative:
            continue
        agree, disagree, base = agree + r.agree, disagree + r.disagree, base + r.n
    topic = advice.narrative.topic(theme.theme_id)
    if not base or topic is None:
        return None
    most = _share(advice.narrative.findings.overall_share)
    view = "mixed"
    if Fraction(agree, base) >= most:
        view = "positive"
    elif Fraction(disagree, base) >= most:
        view = "negative"
    return t(
        report.lang,
        f"story.overall.{view}",
        topic=topic(report.lang),
        agree=percent(agree, base),
        disagree=percent(disagree, base),
    )


def telling_findings(report: Report, theme: ThemeSection, advice: Advice) -> tuple[Finding, ...]:
    """Two to four findings: the strongest view for and against the Authority (agreement, or
    disagreement with a negatively worded statement, and the reverse), the largest gap between
    officers and elected members (or a team and all respondents), the largest gap to Wales."""
    rules, lang = advice.narrative.findings, report.lang
    statements = [s for s in theme.statements if shown(s, "all") is not None]
    if not statements:
        return ()
    strong = round(rules.strong_share * 100)
    used: set[str] = set()
    found: list[Finding] = []

    def take(kind: FindingKind, pick: Pick | None, sentence: Callable[[Statement], str]) -> None:
        if pick is None:
            return
        (used if kind in ("agree", "disagree") else gaps).add(pick[1].question_id)
        found.append(
            Finding(kind=kind, question_id=pick[1].question_id, sentence=sentence(pick[1]))
        )

    def told(s: Statement) -> str:
        return with_figures(lang, _all(s))

    agree = _best(statements, _favourable("all"), used)
    if agree and agree[0] >= strong:
        take("agree", agree, told)
    disagree = _best(statements, _unfavourable("all"), used)
    if disagree and disagree[0] >= strong:
        take("disagree", disagree, told)

    # A gap may be told of a statement already told for its strength: it says something else.
    gaps: set[str] = set()
    group = _best(statements, _gap("officer", "member"), gaps)
    if group and group[0] >= rules.group_gap_points:

        def group_sentence(s: Statement) -> str:
            o, m = shown(s, "officer"), shown(s, "member")
            assert o is not None and m is not None
            return t(
                lang, "told.group_gap", clause=s.clause, officer=o.agree_pct, member=m.agree_pct
            )

        take("group_gap", group, group_sentence)

    for cell in (c for c in report.shown_cells() if c.kind == "team"):
        team = _best(statements, _gap(cell.key, "all"), gaps)
        if team and team[0] >= rules.group_gap_points:

            def team_sentence(s: Statement, key: str = cell.key) -> str:
                r = shown(s, key)
                assert r is not None
                return t(
                    lang,
                    "told.team_gap",
                    sentence=r.finding.rstrip("."),
                    team=r.agree_pct,
                    all=_all(s).agree_pct,
                )

            take("team_gap", team, team_sentence)
            break

    wales = _best(statements, _gap("all", "wales"), gaps)
    if wales and wales[0] >= rules.wales_gap_points:

        def wales_sentence(s: Statement) -> str:
            w = shown(s, "wales")
            assert w is not None
            return t(
                lang,
                "told.wales_gap",
                clause=s.clause,
                pct=_all(s).agree_pct,
                wales_pct=w.agree_pct,
            )

        take("wales_gap", wales, wales_sentence)

    # Fewer than the minimum: tell the strongest agreement and disagreement whatever their size.
    fallbacks: tuple[tuple[FindingKind, Callable[[Statement], int | None]], ...] = (
        ("agree", _favourable("all")),
        ("disagree", _unfavourable("all")),
    )
    for kind, score in fallbacks:
        if len(found) >= rules.min:
            break
        if not any(f.kind == kind for f in found):
            take(kind, _best(statements, score, used), told)
    order = ["agree", "disagree", "group_gap", "team_gap", "wales_gap"]
    found.sort(key=lambda f: order.index(f.kind))
    return tuple(found[: rules.max])


def theme_story(
    report: Report,
    theme: ThemeSection,
    advice: Advice,
    recommendations: list[RecommendationResult],
) -> ThemeStory:
    overall = overall_sentence(report, theme, advice)
    return ThemeStory(
        theme_id=theme.theme_id,
        title=theme.title,
        overall=overall,
        comparison=theme.comparison.sentence,
        findings=telling_findings(report, theme, advice),
        recommendations=tuple(recommendations),
        note=None if overall else t(report.lang, "story.no_figures"),
    )


# --- maturity -------------------------------------------------------------------------------


def _median(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def maturity_line(report: Report, row: MaturityRow, advice: Advice) -> MaturityLine:
    lang = report.lang
    result = row.result("all")
    if result is None or result.n == 0:
        return MaturityLine(
            characteristic_id=row.characteristic_id,
            title=row.title,
            sentence=t(lang, "maturity.line.none", characteristic=row.title),
            shares=(None, None, None),
            counts=None,
        )
    n = result.n
    shares = tuple(percent(k, n) for k in result.levels)
    top = max(range(3), key=lambda i: (result.levels[i], -i))
    if Fraction(result.levels[top], n) >= _share(advice.narrative.maturity.most_share):
        sentence = t(
            lang,
            "maturity.line.most",
            level=top + 1,
            characteristic=row.title,
            count=result.levels[top],
            n=n,
        )
    else:
        sentence = t(
            lang,
            "maturity.line.divided",
            characteristic=row.title,
            one=result.levels[0],
            two=result.levels[1],
            three=result.levels[2],
            median=_median(result.median),
        )
    wales = row.result("wales")
    if wales is not None and wales.n and wales.median is not None:
        sentence += " " + t(lang, "maturity.line.wales", median=_median(wales.median))
    return MaturityLine(
        characteristic_id=row.characteristic_id,
        title=row.title,
        sentence=sentence,
        shares=(shares[0], shares[1], shares[2]),
        counts=result.levels,
    )


def maturity_lines(report: Report, advice: Advice) -> tuple[MaturityLine, ...]:
    return tuple(maturity_line(report, row, advice) for row in report.maturity)


def maturity_summary(report: Report) -> str | None:
    """ "By the median, respondents place the Authority at level 2 or below for 6 of the 7 key
    characteristics", as the national study concludes of most authorities."""
    medians = [
        r.median
        for row in report.maturity
        if (r := row.result("all")) is not None and r.median is not None
    ]
    if not medians:
        return None
    low = sum(1 for m in medians if m <= 2)
    return t(report.lang, "km.level_median", low=low, total=len(medians))


# --- key messages ---------------------------------------------------------------------------


def _level_one(report: Report, share: float) -> list[tuple[str, int]]:
    out = []
    for row in report.maturity:
        r = row.result("all")
        if r is not None and r.n and Fraction(r.levels[0], r.n) >= _share(share):
            out.append((row.title, percent(r.levels[0], r.n)))
    return out


def key_messages(report: Report, advice: Advice) -> tuple[str, ...]:
    """Three to six sentences chosen by rule; fewer only when the figures are withheld."""
    rules, lang = advice.narrative.key_messages, report.lang
    forms = report.council.forms(lang)
    if not report.cell("all").shown:
        return (t(lang, "withheld.council_small", min=report.min_group_size, **forms),)
    messages: list[str] = []
    statements = [s for s in _statements(report) if shown(s, "all") is not None]

    compared = [th for th in report.themes if th.comparison.direction is not None]
    if compared:
        worst = min(
            compared,
            key=lambda th: (th.comparison.council_pct or 0) - (th.comparison.wales_pct or 0),
        )
        c, w = worst.comparison.council_pct, worst.comparison.wales_pct
        assert c is not None and w is not None
        if w - c >= rules.wales_gap_points:
            messages.append(
                t(lang, "km.theme_behind", theme=worst.title, council_pct=c, wales_pct=w, **forms)
            )
        elif len(compared) == len(report.themes) and all(
            th.comparison.direction in ("similar", "more") for th in compared
        ):
            messages.append(t(lang, "km.theme_level", **forms))

    level_one = _level_one(report, rules.level_share)
    if level_one:
        messages.append(
            t(
                lang,
                "km.level_one",
                characteristics=and_list(lang, [title for title, _ in level_one]),
                pcts=and_list(lang, [f"{p}%" for _, p in level_one]),
            )
        )
    else:
        summary = maturity_summary(report)
        if summary:
            messages.append(summary)

    gap = _best(statements, _gap("officer", "member"), set())
    if gap and gap[0] >= rules.group_gap_points:
        o, m = shown(gap[1], "officer"), shown(gap[1], "member")
        assert o is not None and m is not None
        messages.append(
            t(lang, "km.group_gap", clause=gap[1].clause, officer=o.agree_pct, member=m.agree_pct)
        )

    strong = round(rules.strong_share * 100)
    # Positively worded statements only: "disagree that ..." is then always the weak side.
    picks = {
        "disagree": _best(statements, _unfavourable("all", positive_only=True), set()),
        "agree": _best(statements, _favourable("all", positive_only=True), set()),
    }
    told: set[str] = set()
    for kind, pick in picks.items():
        if pick and pick[0] >= strong:
            messages.append(t(lang, f"km.strong_{kind}", pct=pick[0], clause=pick[1].clause))
            told.add(kind)

    total = next(r for r in report.rates.rows if r.row == "total")
    if total.caution and total.percent is not None:
        messages.append(
            t(
                lang,
                "km.response",
                responded=total.responded,
                invited=total.invited,
                pct=total.percent,
            )
        )

    # Too few: the strongest agreement and disagreement, whatever their size.
    for kind, pick in picks.items():
        if len(messages) >= rules.min:
            break
        if pick and kind not in told:
            messages.append(t(lang, f"km.strong_{kind}", pct=pick[0], clause=pick[1].clause))
    return tuple(messages[: rules.max])
