"""What the Authority should do: each recommendation in ``rubric/recommendations.toml`` whose
trigger fires on the report's shown figures, with the findings that fired it as its evidence.

A trigger reads only what the report shows: a statement's results for groups that passed the
confidentiality rule, the maturity counts of those groups, and Wales. So a recommendation can
never rest on a hidden group, and when every group's figures are withheld none is made. Shares
are compared exactly (fractions of counts the report shows), as the finding rules are.
"""

from __future__ import annotations

from fractions import Fraction

from reports.phrases import shown, t, who
from reports.results import Evidence, RecommendationResult, Report, percent
from rubric.advice import Advice, Recommendation, Trigger


def _share(value: float) -> Fraction:
    return Fraction(str(value))


def _cells(report: Report, trigger: Trigger) -> list[str]:
    return [c.key for c in report.shown_cells() if c.kind in trigger.groups]


def _statement_evidence(report: Report, rec: Recommendation) -> list[Evidence]:
    trigger, lang = rec.trigger, report.lang
    out: list[Evidence] = []
    statements = {s.question_id: s for theme in report.themes for s in theme.statements}
    for qid in rec.statements:
        statement = statements.get(qid)
        if statement is None:
            continue
        if trigger.unfavourable_at_least is not None:
            for cell in _cells(report, trigger):
                r = shown(statement, cell)
                if r is None:
                    continue
                count = r.agree if statement.negative else r.disagree
                pct = r.agree_pct if statement.negative else r.disagree_pct
                assert pct is not None
                if Fraction(count, r.n) >= _share(trigger.unfavourable_at_least):
                    key = "evidence.agree" if statement.negative else "evidence.disagree"
                    out.append(
                        Evidence(
                            kind="unfavourable",
                            cell=cell,
                            subject=qid,
                            pct=pct,
                            count=count,
                            base=r.n,
                            sentence=t(
                                lang,
                                key,
                                pct=pct,
                                who=who(report, cell),
                                clause=statement.clause,
                                count=count,
                                base=r.n,
                            ),
                        )
                    )
        if trigger.below_wales_points is not None:
            council, wales = shown(statement, "all"), shown(statement, "wales")
            if council is None or wales is None:
                continue
            assert council.agree_pct is not None and wales.agree_pct is not None
            gap = council.agree_pct - wales.agree_pct
            if statement.negative:
                gap = -gap
            if gap <= -trigger.below_wales_points:
                out.append(
                    Evidence(
                        kind="below_wales",
                        cell="all",
                        subject=qid,
                        pct=council.agree_pct,
                        wales_pct=wales.agree_pct,
                        sentence=t(
                            lang,
                            "evidence.below_wales",
                            pct=council.agree_pct,
                            wales_pct=wales.agree_pct,
                            clause=statement.clause,
                        ),
                    )
                )
    return out


def _level_evidence(report: Report, rec: Recommendation) -> list[Evidence]:
    trigger, lang = rec.trigger, report.lang
    if trigger.level_share_at_least is None:
        return []
    out: list[Evidence] = []
    rows = {row.characteristic_id: row for row in report.maturity}
    for cid in rec.characteristics:
        row = rows.get(cid)
        if row is None:
            continue
        for cell in _cells(report, trigger):
            result = row.result(cell)
            if result is None or result.n == 0:
                continue
            count = sum(result.levels[: trigger.at_or_below_level])
            if Fraction(count, result.n) < _share(trigger.level_share_at_least):
                continue
            pct = percent(count, result.n)
            out.append(
                Evidence(
                    kind="level",
                    cell=cell,
                    subject=cid,
                    pct=pct,
                    count=count,
                    base=result.n,
                    sentence=t(
                        lang,
                        f"evidence.level.{trigger.at_or_below_level}",
                        pct=pct,
                        who=who(report, cell),
                        characteristic=row.title,
                        count=count,
                        base=result.n,
                    ),
                )
            )
    return out


def evidence_for(report: Report, rec: Recommendation) -> list[Evidence]:
    """Every shown finding that fires `rec`, strongest first (all respondents before a group
    when equally strong), at most one per statement or characteristic."""
    found = _statement_evidence(report, rec) + _level_evidence(report, rec)
    order = {c.key: i for i, c in enumerate(report.cells)}
    found.sort(key=lambda e: (-e.strength, order.get(e.cell, 99), e.subject))
    seen: set[str] = set()
    out = []
    for e in found:
        if e.subject in seen:
            continue
        seen.add(e.subject)
        out.append(e)
    return out


def recommend(report: Report, advice: Advice) -> tuple[RecommendationResult, ...]:
    """The recommendations that fire, in theme order, numbered from 1."""
    theme_order = {theme.theme_id: i for i, theme in enumerate(report.themes)}
    fired = []
    for rec in sorted(advice.recommendations, key=lambda r: theme_order.get(r.theme, 99)):
        if rec.theme not in theme_order:
            continue
        evidence = evidence_for(report, rec)
        if evidence:
            fired.append((rec, tuple(evidence[: rec.max_evidence])))
    return tuple(
        RecommendationResult(
            id=rec.id,
            number=number,
            theme_id=rec.theme,
            text=rec.text(report.lang),
            evidence=evidence,
        )
        for number, (rec, evidence) in enumerate(fired, start=1)
    )
