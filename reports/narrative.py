"""The report's prose, chosen by rule from the shown figures: key messages, each theme's overall
sentence and most telling findings, and one sentence per key characteristic.

The rules' thresholds are data (``rubric/narrative.toml``). Every figure quoted is one the
report already shows (a statement's shares for a shown group, a theme's pooled share, a shown
group's level counts), so the prose can say nothing the tables do not. Every sentence is made as
a `reports.claims.Claim` and checked against the report's figures before it is kept: a
superlative is taken over every statement, a negatively worded one reversed (disagreeing that
data protection is a barrier is the favourable view), never over a narrowed set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Literal

from reports.claims import checked, pooled_sides
from reports.phrases import and_list, shown, t, with_figures
from reports.results import (
    Claim,
    ClaimKind,
    Finding,
    FindingKind,
    MaturityLine,
    MaturityRow,
    RecommendationResult,
    Report,
    Side,
    Statement,
    StatementResult,
    ThemeSection,
    ThemeStory,
    View,
    percent,
)
from rubric.advice import Advice

Pick = tuple[Fraction, Statement]


def _share(value: float) -> Fraction:
    return Fraction(str(value))


def _statements(report: Report) -> list[Statement]:
    return [s for theme in report.themes for s in theme.statements]


def _best(
    statements: Iterable[Statement],
    score: Callable[[Statement], Fraction | int | None],
    used: set[str],
) -> Pick | None:
    """The statement with the highest score (the first, when level), skipping `used`."""
    best: Pick | None = None
    for s in statements:
        if s.question_id in used:
            continue
        value = score(s)
        if value is not None and (best is None or value > best[0]):
            best = (Fraction(value), s)
    return best


def _side(cell: str, side: Side) -> Callable[[Statement], Fraction | None]:
    """The exact share of a group's views on one side: favourable to the Authority (agreeing,
    or disagreeing with a negatively worded statement such as "data protection is seen as a
    barrier") or unfavourable (the reverse). Every statement counts, reversed where needed."""

    def score(s: Statement) -> Fraction | None:
        r = shown(s, cell)
        if r is None:
            return None
        favourable, unfavourable = s.sides(r)
        return Fraction(favourable if side == "favourable" else unfavourable, r.n)

    return score


def _verb(s: Statement, side: Side) -> str:
    """What a respondent on `side` does with the statement's words: agree or disagree."""
    return "agree" if (side == "favourable") != s.negative else "disagree"


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


def overall_claim(report: Report, theme: ThemeSection, advice: Advice) -> Claim | None:
    """ "Overall, respondents ... have a mixed view of ...": every statement of the theme pooled
    over all respondents, a negatively worded one reversed (agreeing that data protection is a
    barrier is an unfavourable view), so none is left out; None when no figure is shown."""
    favourable, unfavourable, base = pooled_sides(report, theme.theme_id)
    topic = advice.narrative.topic(theme.theme_id)
    if not base or topic is None:
        return None
    share = advice.narrative.findings.overall_share
    most = _share(share)
    view: Literal["positive", "negative", "mixed"] = "mixed"
    if Fraction(favourable, base) >= most:
        view = "positive"
    elif Fraction(unfavourable, base) >= most:
        view = "negative"
    fav, unfav = percent(favourable, base), percent(unfavourable, base)
    reversed_ = any(s.negative and shown(s, "all") is not None for s in theme.statements)
    sentence = t(
        report.lang, f"story.overall.{view}", topic=topic(report.lang), agree=fav, disagree=unfav
    )
    if reversed_:
        sentence += " " + t(report.lang, "story.reversed")
    return checked(
        Claim(
            kind="overall",
            sentence=sentence,
            subject=theme.theme_id,
            view=view,
            figures=(fav, unfav),
            share=share,
        ),
        report,
    )


def overall_sentence(report: Report, theme: ThemeSection, advice: Advice) -> str | None:
    claim = overall_claim(report, theme, advice)
    return claim.sentence if claim else None


def telling_findings(report: Report, theme: ThemeSection, advice: Advice) -> tuple[Finding, ...]:
    return tuple(f for f, _ in finding_claims(report, theme, advice))


def finding_claims(
    report: Report, theme: ThemeSection, advice: Advice
) -> tuple[tuple[Finding, Claim], ...]:
    """Two to four findings: the strongest view for and against the Authority (every statement,
    a negatively worded one reversed), the largest gap between officers and elected members (or
    a team and all respondents), the largest gap to the rest of Wales."""
    rules, lang = advice.narrative.findings, report.lang
    statements = [s for s in theme.statements if shown(s, "all") is not None]
    if not statements:
        return ()
    strong = _share(rules.strong_share)
    used: set[str] = set()
    gaps: set[str] = set()
    found: list[tuple[Finding, Claim]] = []

    def take(kind: FindingKind, pick: Pick | None, claim: Callable[[Statement], Claim]) -> None:
        if pick is None:
            return
        (used if kind in ("agree", "disagree") else gaps).add(pick[1].question_id)
        c = checked(claim(pick[1]), report)
        found.append((Finding(kind=kind, question_id=pick[1].question_id, sentence=c.sentence), c))

    def told(s: Statement) -> Claim:
        r = _all(s)
        assert r.agree_pct is not None and r.disagree_pct is not None
        return Claim(
            kind="finding",
            sentence=with_figures(lang, r),
            subject=s.question_id,
            figures=(r.agree_pct, r.disagree_pct),
        )

    agree = _best(statements, _side("all", "favourable"), used)
    if agree and agree[0] >= strong:
        take("agree", agree, told)
    disagree = _best(statements, _side("all", "unfavourable"), used)
    if disagree and disagree[0] >= strong:
        take("disagree", disagree, told)

    # A gap may be told of a statement already told for its strength: it says something else.
    group = _best(statements, _gap("officer", "member"), gaps)
    if group and group[0] >= rules.group_gap_points:
        take(
            "group_gap",
            group,
            lambda s: _gap_claim(
                report,
                "group_gap",
                "told.group_gap",
                s,
                ("officer", "member"),
                ("officer", "member"),
            ),
        )

    for cell in (c for c in report.shown_cells() if c.kind == "team"):
        team = _best(statements, _gap(cell.key, "all"), gaps)
        if team and team[0] >= rules.group_gap_points:

            def team_claim(s: Statement, key: str = cell.key) -> Claim:
                r = shown(s, key)
                assert r is not None
                sentence = r.finding.rstrip(".")
                cells = (key, "all")
                return _gap_claim(
                    report,
                    "team_gap",
                    "told.team_gap",
                    s,
                    cells,
                    ("team", "all"),
                    sentence=sentence,
                )

            take("team_gap", team, team_claim)
            break

    wales = _best(statements, _gap("all", "wales"), gaps)
    if wales and wales[0] >= rules.wales_gap_points:
        take(
            "wales_gap",
            wales,
            lambda s: _gap_claim(
                report, "wales_gap", "told.wales_gap", s, ("all", "wales"), ("pct", "wales_pct")
            ),
        )

    # Fewer than the minimum: tell the strongest views for and against whatever their size.
    fallbacks: tuple[tuple[FindingKind, Side], ...] = (
        ("agree", "favourable"),
        ("disagree", "unfavourable"),
    )
    for kind, side in fallbacks:
        if len(found) >= rules.min:
            break
        if not any(f.kind == kind for f, _ in found):
            take(kind, _best(statements, _side("all", side), used), told)
    order = ["agree", "disagree", "group_gap", "team_gap", "wales_gap"]
    found.sort(key=lambda fc: order.index(fc[0].kind))
    return tuple(found[: rules.max])


def _gap_claim(
    report: Report,
    kind: ClaimKind,
    key: str,
    s: Statement,
    cells: tuple[str, str],
    names: tuple[str, str],
    view: View = "",
    **extra: str,
) -> Claim:
    """Two groups' shares agreeing with one statement, quoted as `names` in the sentence."""
    a, b = shown(s, cells[0]), shown(s, cells[1])
    assert a is not None and b is not None and a.agree_pct is not None and b.agree_pct is not None
    figures = (a.agree_pct, b.agree_pct)
    values = dict(zip(names, figures, strict=True))
    return Claim(
        kind=kind,
        sentence=t(report.lang, key, clause=s.clause, **values, **extra),
        subject=s.question_id,
        cells=cells,
        view=view,
        figures=figures,
    )


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


def _median(value: int | None) -> str:
    return "–" if value is None else str(value)


def maturity_claim(report: Report, row: MaturityRow, advice: Advice) -> Claim:
    lang = report.lang
    result = row.result("all")
    if result is None or result.n == 0:
        return checked(
            Claim(
                kind="maturity",
                sentence=t(lang, "maturity.line.none", characteristic=row.title),
                subject=row.characteristic_id,
                view="none",
            ),
            report,
        )
    n = result.n
    top = max(range(3), key=lambda i: (result.levels[i], -i))
    share = advice.narrative.maturity.most_share
    if Fraction(result.levels[top], n) >= _share(share):
        claim = Claim(
            kind="maturity",
            sentence=t(
                lang,
                "maturity.line.most",
                level=top + 1,
                characteristic=row.title,
                count=result.levels[top],
                n=n,
            ),
            subject=row.characteristic_id,
            view="most",
            figures=(top + 1, result.levels[top], n),
            share=share,
        )
    else:
        one, two, three = result.levels
        claim = Claim(
            kind="maturity",
            sentence=t(
                lang,
                "maturity.line.divided",
                characteristic=row.title,
                one=one,
                two=two,
                three=three,
                median=_median(result.median),
            ),
            subject=row.characteristic_id,
            view="divided",
            figures=(one, two, three) + (() if result.median is None else (result.median,)),
            share=share,
        )
    wales = row.result("wales")
    if wales is not None and wales.n and wales.median is not None:
        extra = " " + t(lang, "maturity.line.wales", median=_median(wales.median))
        claim = claim.model_copy(update={"sentence": claim.sentence + extra})
    return checked(claim, report)


def maturity_line(report: Report, row: MaturityRow, advice: Advice) -> MaturityLine:
    return maturity_line_of(row, maturity_claim(report, row, advice))


def maturity_line_of(row: MaturityRow, claim: Claim) -> MaturityLine:
    result = row.result("all")
    if result is None or result.n == 0:
        shares: tuple[int | None, int | None, int | None] = (None, None, None)
        counts = None
    else:
        a, b, c = (percent(k, result.n) for k in result.levels)
        shares, counts = (a, b, c), result.levels
    return MaturityLine(
        characteristic_id=row.characteristic_id,
        title=row.title,
        sentence=claim.sentence,
        shares=shares,
        counts=counts,
    )


def maturity_lines(report: Report, advice: Advice) -> tuple[MaturityLine, ...]:
    return tuple(maturity_line(report, row, advice) for row in report.maturity)


def maturity_summary_claim(report: Report) -> Claim | None:
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
    return checked(
        Claim(
            kind="level_median",
            sentence=t(report.lang, "km.level_median", low=low, total=len(medians)),
            figures=(low, len(medians)),
        ),
        report,
    )


def maturity_summary(report: Report) -> str | None:
    claim = maturity_summary_claim(report)
    return claim.sentence if claim else None


# --- key messages ---------------------------------------------------------------------------


def _level_one(report: Report, share: float) -> list[tuple[str, str, int]]:
    out = []
    for row in report.maturity:
        r = row.result("all")
        if r is not None and r.n and Fraction(r.levels[0], r.n) >= _share(share):
            out.append((row.characteristic_id, row.title, percent(r.levels[0], r.n)))
    return out


def _superlative(report: Report, pick: Pick, side: Side) -> Claim:
    s = pick[1]
    r = _all(s)
    favourable, unfavourable = s.sides(r)
    pct = percent(favourable if side == "favourable" else unfavourable, r.n)
    return Claim(
        kind="superlative",
        sentence=t(
            report.lang,
            f"km.{'best' if side == 'favourable' else 'worst'}.{_verb(s, side)}",
            pct=pct,
            clause=s.clause,
        ),
        subject=s.question_id,
        side=side,
        figures=(pct,),
    )


def key_messages(report: Report, advice: Advice) -> tuple[str, ...]:
    """Three to six sentences chosen by rule; fewer only when the figures are withheld."""
    if not report.cell("all").shown:
        forms = report.council.forms(report.lang)
        return (t(report.lang, "withheld.council_small", min=report.min_group_size, **forms),)
    return tuple(c.sentence for c in key_message_claims(report, advice))


def key_message_claims(report: Report, advice: Advice) -> tuple[Claim, ...]:
    rules, lang = advice.narrative.key_messages, report.lang
    forms = report.council.forms(lang)
    if not report.cell("all").shown:
        return ()
    messages: list[Claim] = []
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
                Claim(
                    kind="theme_behind",
                    sentence=t(
                        lang,
                        "km.theme_behind",
                        theme=worst.title,
                        council_pct=c,
                        wales_pct=w,
                        **forms,
                    ),
                    subject=worst.theme_id,
                    cells=("all", "wales"),
                    figures=(c, w),
                )
            )
        elif len(compared) == len(report.themes) and all(
            th.comparison.direction in ("similar", "more") for th in compared
        ):
            messages.append(
                Claim(
                    kind="theme_level",
                    sentence=t(lang, "km.theme_level", **forms),
                    cells=("all", "wales"),
                )
            )

    level_one = _level_one(report, rules.level_share)
    if level_one:
        messages.append(
            Claim(
                kind="level_one",
                sentence=t(
                    lang,
                    "km.level_one",
                    characteristics=and_list(lang, [title for _, title, _ in level_one]),
                    pcts=and_list(lang, [f"{p}%" for *_, p in level_one]),
                ),
                subject=",".join(cid for cid, _, _ in level_one),
                figures=tuple(p for *_, p in level_one),
            )
        )
    else:
        summary = maturity_summary_claim(report)
        if summary:
            messages.append(summary)

    gap = _best(statements, _gap("officer", "member"), set())
    if gap and gap[0] >= rules.group_gap_points:
        messages.append(
            _gap_claim(
                report,
                "group_gap",
                "km.group_gap",
                gap[1],
                ("officer", "member"),
                ("officer", "member"),
                view="most",
            )
        )

    strong = _share(rules.strong_share)
    # Every statement, a negatively worded one reversed: the superlative is over them all.
    picks: dict[Side, Pick | None] = {
        "unfavourable": _best(statements, _side("all", "unfavourable"), set()),
        "favourable": _best(statements, _side("all", "favourable"), set()),
    }
    told: set[Side] = set()
    for side, pick in picks.items():
        if pick and pick[0] >= strong:
            messages.append(_superlative(report, pick, side))
            told.add(side)

    total = next(r for r in report.rates.rows if r.row == "total")
    if total.caution and total.percent is not None:
        messages.append(
            Claim(
                kind="response",
                sentence=t(
                    lang,
                    "km.response",
                    responded=total.responded,
                    invited=total.invited,
                    pct=total.percent,
                ),
                figures=(total.responded, total.invited, total.percent),
            )
        )

    # Too few: the strongest views for and against, whatever their size.
    for side, pick in picks.items():
        if len(messages) >= rules.min:
            break
        if pick and side not in told:
            messages.append(_superlative(report, pick, side))
    return tuple(checked(c, report) for c in messages[: rules.max])
