"""What the Authority should do: each recommendation in ``rubric/recommendations.toml`` whose
evidence supports its action, with the figures that bear on that action, for and against.

Each recommendation names the statements and key characteristics that bear on its action (and
only those). It is made when one of its trigger's groups, whose figures the report shows:
holds the unfavourable view of one of those statements at least as often as the trigger says
(and no majority of the group holds the favourable one); or gives favourable views on one far
less often than the rest of Wales; or places the Authority low on one of its characteristics
(where no majority of that group, nor of all respondents, places it at level 3). It is withheld
whenever a majority (more than half) of all respondents, or of the group that fired it, gives
favourable views on its statements taken together: a majority view can never contradict a
recommendation the report makes. Its evidence names every one of those statements for all
respondents (each on the side it falls: for the action, or against it), its characteristics
where a placement speaks for or against it, and what fired it.

A trigger reads only what the report shows: a statement's results for groups that passed the
confidentiality rule, the maturity counts of those groups, and the rest of Wales. So a
recommendation can never rest on a hidden group, and when every group's figures are withheld
none is made. Shares are compared exactly (fractions of counts the report shows).
"""

from __future__ import annotations

from fractions import Fraction

from reports.claims import (
    HALF,
    checked,
    favourable_majority,
    level_three_majority,
    result,
    statements,
)
from reports.phrases import t, who
from reports.results import Claim, Evidence, RecommendationResult, Report, Statement, percent
from rubric.advice import Advice, Recommendation, Trigger

MAX_GROUPS = 2
"""How many groups' figures a recommendation cites besides all respondents'."""


def _share(value: float) -> Fraction:
    return Fraction(str(value))


def _cells(report: Report, trigger: Trigger) -> list[str]:
    return [c.key for c in report.shown_cells() if c.kind in trigger.groups]


def _statement_evidence(
    report: Report, s: Statement, cell: str, side: str, *, both: bool = False
) -> Evidence:
    """One group's view of a statement on `side`, in the words the respondents used; `both`:
    a statement named for what it says either way, with both its shares."""
    r = result(s, cell)
    assert r is not None
    favourable, unfavourable = s.sides(r)
    count = unfavourable if side == "for" else favourable
    # The verb the respondents used: disagreeing with a positively worded statement is the
    # unfavourable view, agreeing with a negatively worded one is too.
    agreeing = (side == "for") == s.negative
    pct = percent(count, r.n)
    if both:
        sentence = t(
            report.lang,
            "evidence.views",
            agree=r.agree_pct,
            disagree=r.disagree_pct,
            who=who(report, cell),
            clause=s.clause,
            base=r.n,
        )
    else:
        sentence = t(
            report.lang,
            "evidence.agree" if agreeing else "evidence.disagree",
            pct=pct,
            who=who(report, cell),
            clause=s.clause,
            count=count,
            base=r.n,
        )
    return Evidence(
        kind="unfavourable" if side == "for" else "favourable",
        side="for" if side == "for" else "against",
        cell=cell,
        subject=s.question_id,
        pct=pct,
        count=count,
        base=r.n,
        sentence=sentence,
    )


def _leans(s: Statement, cell: str) -> str | None:
    """For when a group's unfavourable views are at least as many as its favourable ones (and
    some), against when its favourable views are more; None without figures or when nobody
    took either side."""
    r = result(s, cell)
    if r is None:
        return None
    favourable, unfavourable = s.sides(r)
    if unfavourable and unfavourable >= favourable:
        return "for"
    return "against" if favourable > unfavourable else None


def _fires_on_statement(report: Report, rec: Recommendation, cell: str) -> list[Evidence]:
    trigger = rec.trigger
    out: list[Evidence] = []
    found = statements(report)
    for qid in rec.statements:
        s = found.get(qid)
        r = result(s, cell) if s is not None else None
        if s is None or r is None:
            continue
        favourable, unfavourable = s.sides(r)
        if (
            trigger.unfavourable_at_least is not None
            and Fraction(unfavourable, r.n) >= _share(trigger.unfavourable_at_least)
            and Fraction(favourable, r.n) <= HALF
        ):
            out.append(_statement_evidence(report, s, cell, "for"))
    return out


def _below_wales(report: Report, rec: Recommendation) -> list[Evidence]:
    points = rec.trigger.below_wales_points
    if points is None:
        return []
    out = []
    for qid in rec.statements:
        s = statements(report).get(qid)
        council = result(s, "all") if s is not None else None
        wales = result(s, "wales") if s is not None else None
        if s is None or council is None or wales is None:
            continue
        mine = percent(s.sides(council)[0], council.n)
        theirs = percent(s.sides(wales)[0], wales.n)
        if theirs - mine >= points:
            out.append(
                Evidence(
                    kind="below_wales",
                    cell="all",
                    subject=qid,
                    pct=mine,
                    wales_pct=theirs,
                    sentence=t(
                        report.lang,
                        # The favourable view in the statement's own words.
                        "evidence.below_wales.disagree" if s.negative else "evidence.below_wales",
                        pct=mine,
                        wales_pct=theirs,
                        clause=s.clause,
                    ),
                )
            )
    return out


def _level(report: Report, rec: Recommendation, cid: str, cell: str, high: bool) -> Evidence:
    row = next(r for r in report.maturity if r.characteristic_id == cid)
    levels = row.result(cell)
    assert levels is not None
    at = rec.trigger.at_or_below_level
    count = levels.levels[2] if high else sum(levels.levels[:at])
    pct = percent(count, levels.n)
    return Evidence(
        kind="level_high" if high else "level",
        side="against" if high else "for",
        cell=cell,
        subject=cid,
        pct=pct,
        count=count,
        base=levels.n,
        sentence=t(
            report.lang,
            "evidence.level.3" if high else f"evidence.level.{at}",
            pct=pct,
            who=who(report, cell),
            characteristic=row.title,
            count=count,
            base=levels.n,
        ),
    )


def _fires_on_level(report: Report, rec: Recommendation, cell: str) -> list[Evidence]:
    trigger = rec.trigger
    if trigger.level_share_at_least is None:
        return []
    out = []
    rows = {row.characteristic_id: row for row in report.maturity}
    for cid in rec.characteristics:
        row = rows.get(cid)
        levels = row.result(cell) if row is not None else None
        if levels is None or levels.n == 0:
            continue
        low = sum(levels.levels[: trigger.at_or_below_level])
        if (
            Fraction(low, levels.n) >= _share(trigger.level_share_at_least)
            and not level_three_majority(report, cid, cell)
            and not level_three_majority(report, cid, "all")
        ):
            out.append(_level(report, rec, cid, cell, high=False))
    return out


def evidence_for(report: Report, rec: Recommendation) -> list[Evidence]:
    """The figures that fire `rec` and name what bears on it, or [] when it is not made.

    Firing: in some trigger group the report shows, an unfavourable share of a listed statement
    at or above the trigger's (with no favourable majority on it), a listed characteristic
    placed low, or a favourable share far below the rest of Wales; but never where a majority
    of that group, or of all respondents, is favourable on the listed statements together."""
    if favourable_majority(report, rec.statements, "all"):
        return []
    firing: list[Evidence] = []
    for cell in _cells(report, rec.trigger):
        if favourable_majority(report, rec.statements, cell):
            continue
        firing += _fires_on_statement(report, rec, cell) + _fires_on_level(report, rec, cell)
    firing += _below_wales(report, rec)
    if not firing:
        return []
    # Every statement that bears on it, for all respondents, on whichever side it falls.
    found = statements(report)
    named: list[Evidence] = []
    for qid in rec.statements:
        s = found.get(qid)
        side = _leans(s, "all") if s is not None else None
        if s is not None and side is not None:
            named.append(_statement_evidence(report, s, "all", side, both=True))
    rows = {row.characteristic_id: row for row in report.maturity}
    for cid in rec.characteristics:
        row = rows.get(cid)
        levels = row.result("all") if row is not None else None
        if levels is None or not levels.n:
            continue
        if level_three_majority(report, cid, "all"):
            named.append(_level(report, rec, cid, "all", high=True))
    # What fired it, beyond the figures named already: all respondents' first, then the
    # strongest group's, one for each statement or characteristic, at most MAX_GROUPS groups.
    order = {c.key: i for i, c in enumerate(report.cells)}
    cited = {(e.kind, e.cell, e.subject) for e in named}
    extra: list[Evidence] = []
    firing.sort(key=lambda e: (e.cell != "all", -e.strength, order.get(e.cell, 99), e.subject))
    for e in firing:
        if (e.kind, e.cell, e.subject) in cited:
            continue
        if e.kind != "below_wales":
            if any(x.subject == e.subject and x.kind == e.kind for x in extra):
                continue
            if sum(1 for x in extra if x.kind != "below_wales") >= MAX_GROUPS:
                continue
        extra.append(e)
    out = named + extra
    out.sort(key=lambda e: (e.side != "for", order.get(e.cell, 99), -e.strength, e.subject))
    return list(dict.fromkeys(out))


def recommend_claims(
    report: Report, advice: Advice
) -> tuple[tuple[RecommendationResult, Claim], ...]:
    """The recommendations made, in theme order, numbered from 1, each with its claim."""
    theme_order = {theme.theme_id: i for i, theme in enumerate(report.themes)}
    fired = []
    for rec in sorted(advice.recommendations, key=lambda r: theme_order.get(r.theme, 99)):
        if rec.theme not in theme_order:
            continue
        found = evidence_for(report, rec)
        if found:
            fired.append((rec, tuple(found)))
    out = []
    for number, (rec, evidence) in enumerate(fired, start=1):
        made = RecommendationResult(
            id=rec.id,
            number=number,
            theme_id=rec.theme,
            text=rec.text(report.lang),
            evidence=evidence,
        )
        claim = Claim(
            kind="recommendation",
            sentence=made.text,
            subject=rec.id,
            cells=tuple(dict.fromkeys(e.cell for e in evidence if e.side == "for")),
            statements=rec.statements,
            characteristics=rec.characteristics,
            evidence=evidence,
        )
        out.append((made, checked(claim, report)))
    return tuple(out)


def recommend(report: Report, advice: Advice) -> tuple[RecommendationResult, ...]:
    """The recommendations made, in theme order, numbered from 1."""
    return tuple(r for r, _ in recommend_claims(report, advice))
