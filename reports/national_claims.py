"""The national report's key messages and conclusion, as claims that check themselves.

As in a council's report (`reports.claims`), every sentence the national report leads with is
made as a claim: the sentence, what it is about and the whole numbers it quotes; `holds`
recomputes its predicate from the councils' own reports (the only source of every national
figure, `reports.national`), never from the numbers the claim carries or from the national
report's own sums, and `checked` refuses a claim that is not true.

What each kind says, and so what its predicate checks:

- ``taking_part``: how many of the councils take part (anyone invited), and how many of the
  people invited there responded, with the share.
- ``maturity``: on how many of the key characteristics with any council's placement most
  councils (the questionnaire's ``most`` share, never half or less) are placed at level 1 or 2,
  a council placed by the one median rule over its own report's figure for all respondents.
- ``conclusion``: the study's conclusion, that most authorities are characterised by the
  descriptors at level 1 and level 2: made only when that holds on most of those
  characteristics.
- ``themes``: the theme with the largest share of favourable views across Wales and the theme
  with the smallest (negatively worded statements reversed, never left out), each share the
  views of all the councils' shown figures for all respondents pooled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reports.claims import MOST, UntrueClaim, result
from reports.results import Report, median_level, percent
from reports.text import messages
from rubric.schema import Lang, Questionnaire

NationalKind = Literal["taking_part", "maturity", "conclusion", "themes"]


class NationalClaim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: NationalKind
    sentence: str
    subject: str = ""
    """The themes' ids, "," between them (``themes``)."""
    figures: tuple[int, ...] = ()
    """The whole numbers the sentence quotes, in its order."""
    share: float = 0.0
    """The ``most`` share the rule applied, where one did."""


# --- the figures, from the councils' own reports -----------------------------------------


def _taking_part(report: Report) -> bool:
    return any(r.invited for r in report.rates.rows if r.row == "total")


def response(reports: Sequence[Report]) -> tuple[int, int, int, int, int | None]:
    """(councils taking part, councils, responded, invited, share responded) over the
    councils taking part."""
    part = [r for r in reports if _taking_part(r)]
    totals = [row for r in part for row in r.rates.rows if row.row == "total"]
    responded, invited = sum(t.responded for t in totals), sum(t.invited for t in totals)
    return (
        len(part),
        len(reports),
        responded,
        invited,
        percent(responded, invited) if invited else None,
    )


def placements(reports: Sequence[Report]) -> dict[str, list[int]]:
    """characteristic id -> the levels councils are placed at (those whose reports show it)."""
    out: dict[str, list[int]] = {}
    for report in reports:
        for row in report.maturity:
            r = row.result("all")
            level = median_level(r.levels) if r is not None and r.n else None
            if level is not None:
                out.setdefault(row.characteristic_id, []).append(level)
    return out


def low_characteristics(reports: Sequence[Report], most: Fraction) -> tuple[int, int]:
    """(characteristics where most councils placed are at level 1 or 2, characteristics with
    any council placed)."""
    share = max(most, MOST)
    placed = placements(reports)
    low = sum(
        1
        for levels in placed.values()
        if Fraction(sum(1 for x in levels if x <= 2), len(levels)) >= share
    )
    return low, len(placed)


def theme_shares(reports: Sequence[Report]) -> dict[str, Fraction]:
    """theme id -> the favourable share of all the views on its statements that the councils'
    reports show for all respondents, pooled (themes with none are absent)."""
    fav: dict[str, int] = {}
    views: dict[str, int] = {}
    for report in reports:
        for theme in report.themes:
            for s in theme.statements:
                r = result(s, "all")
                if r is not None:
                    fav[theme.theme_id] = fav.get(theme.theme_id, 0) + s.sides(r)[0]
                    views[theme.theme_id] = views.get(theme.theme_id, 0) + r.n
    return {t: Fraction(fav[t], n) for t, n in views.items() if n}


# --- the predicates ----------------------------------------------------------------------


def holds(claim: NationalClaim, reports: Sequence[Report]) -> bool:
    """The claim's predicate, recomputed from the councils' own reports."""
    if claim.kind == "taking_part":
        part, of, responded, invited, pct = response(reports)
        return part > 0 and claim.figures == (part, of, responded, invited, pct or 0)
    if claim.kind in ("maturity", "conclusion"):
        low, placed = low_characteristics(reports, Fraction(str(claim.share)))
        if not placed or claim.figures != (low, placed):
            return False
        return claim.kind == "maturity" or Fraction(low, placed) >= max(
            Fraction(str(claim.share)), MOST
        )
    shares = theme_shares(reports)
    most_id, _, least_id = claim.subject.partition(",")
    if most_id not in shares or least_id not in shares:
        return False
    top, bottom = shares[most_id], shares[least_id]
    return (
        claim.figures == (_pct(top), _pct(bottom))
        and all(s <= top for s in shares.values())
        and all(s >= bottom for s in shares.values())
        and top > bottom
    )


def _pct(share: Fraction) -> int:
    return percent(share.numerator, share.denominator)


def checked(claim: NationalClaim, reports: Sequence[Report]) -> NationalClaim:
    """The claim, if the councils' own reports bear it out; a false sentence is never
    rendered."""
    if not holds(claim, reports):
        raise UntrueClaim(f"{claim.kind} {claim.subject!r} is not true: {claim.sentence}")
    return claim


# --- the key messages --------------------------------------------------------------------


def key_messages(
    questionnaire: Questionnaire, reports: Mapping[str, Report], lang: Lang
) -> tuple[NationalClaim, ...]:
    """The national report's key messages and conclusion, each checked: who took part, the
    placements on the key characteristics (and the study's conclusion where it holds), the
    most and least favourable themes."""
    t = messages()
    shown = list(reports.values())
    most = float(questionnaire.thresholds.most)
    out: list[NationalClaim] = []
    part, of, responded, invited, pct = response(shown)
    if part:
        out.append(
            NationalClaim(
                kind="taking_part",
                sentence=t.plural(
                    lang,
                    "national.key.taking_part",
                    of,
                    part=part,
                    responded=responded,
                    invited=invited,
                    pct=pct,
                ),
                figures=(part, of, responded, invited, pct or 0),
            )
        )
    low, placed = low_characteristics(shown, Fraction(str(most)))
    if placed:
        out.append(
            NationalClaim(
                kind="maturity",
                sentence=t.plural(lang, "national.key.maturity", placed, low=low),
                figures=(low, placed),
                share=most,
            )
        )
        if Fraction(low, placed) >= max(Fraction(str(most)), MOST):
            out.append(
                NationalClaim(
                    kind="conclusion",
                    sentence=t(lang, "national.maturity.overall_low"),
                    figures=(low, placed),
                    share=most,
                )
            )
    shares = theme_shares(shown)
    if len(shares) > 1:
        order = [th.id for th in questionnaire.themes if th.id in shares]
        high = max(order, key=lambda i: shares[i])
        lowest = min(order, key=lambda i: shares[i])
        if shares[high] > shares[lowest]:
            title = {th.id: th.title(lang) for th in questionnaire.themes}
            out.append(
                NationalClaim(
                    kind="themes",
                    sentence=t(
                        lang,
                        "national.key.themes",
                        high=_lower(title[high]),
                        high_pct=_pct(shares[high]),
                        low=_lower(title[lowest]),
                        low_pct=_pct(shares[lowest]),
                    ),
                    subject=f"{high},{lowest}",
                    figures=(_pct(shares[high]), _pct(shares[lowest])),
                )
            )
    return tuple(checked(c, shown) for c in out)


def _lower(title: str) -> str:
    """A theme's title inside a sentence ("vision, leadership & culture")."""
    return title[:1].lower() + title[1:]
