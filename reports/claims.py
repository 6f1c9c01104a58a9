"""The narrative's sentences as claims that check themselves.

Every sentence the council report writes about its figures (a key message, a theme's overall
view, a finding, a maturity line, a recommendation) is made as a `Claim`: the sentence, what it
is about (a statement, a theme, a characteristic, a recommendation), the side it takes, and the
whole-number figures it quotes. `holds` recomputes the claim's predicate from the report's own
shown figures, never from the numbers the claim carries, and `checked` refuses a claim that is
not true: a false sentence is a bug, raised where it is made, never rendered.

What each kind says, and so what its predicate checks (docs/method.md says the same in words):

- ``superlative``: no other shown statement has a larger share of views on the claim's side
  (favourable to the Authority: agreeing, or disagreeing with a negatively worded statement;
  unfavourable: the reverse). Negatively worded statements are reversed, never left out.
- ``overall``: the theme's views pooled over all its statements, reversed where negatively
  worded: "positive" when the favourable share is at least ``overall_share``, "negative" when
  the unfavourable one is, "mixed" otherwise.
- ``finding``: the rule's finding for all respondents, with its shares.
- ``group_gap`` / ``team_gap`` / ``wales_gap``: the two shares quoted are the report's, and
  (``group_gap`` in a key message) no statement sets the two groups further apart.
- ``theme_behind`` / ``theme_level``: the theme comparisons with the rest of Wales.
- ``level_one`` / ``level_median`` / ``maturity``: placements on the key characteristics.
- ``response``: the response rate and its caution.
- ``recommendation``: made only when no majority of respondents (nor of the group that fires
  it) is favourable on the statements that bear on its action, and some shown figure that
  bears on it is unfavourable; `reports.recommend` holds the rule and its predicate.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reports.findings import COMPARISON_MARGIN
from reports.models import Report, Statement, StatementResult, median_level, percent

ClaimKind = Literal[
    "superlative",
    "overall",
    "finding",
    "group_gap",
    "team_gap",
    "wales_gap",
    "theme_behind",
    "theme_level",
    "level_one",
    "level_median",
    "maturity",
    "response",
    "recommendation",
]
Side = Literal["favourable", "unfavourable"]
View = Literal["positive", "negative", "mixed", "most", "divided", "none", ""]

MOST = Fraction(1, 2)
""""Most" never means less than more than half, whatever the thresholds say."""


EvidenceKind = Literal["unfavourable", "favourable", "below_wales", "level", "level_high"]
"""unfavourable / favourable: a statement's views against / for the Authority; below_wales:
favourable views less often than in the rest of Wales; level / level_high: placements at or
below the trigger's level / at level 3."""
EvidenceSide = Literal["for", "against"]
"""Whether the figure supports the recommendation's action or argues against it."""


class Evidence(BaseModel):
    """One shown figure that bears on a recommendation's action, and the sentence that cites
    it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EvidenceKind
    side: EvidenceSide = "for"
    cell: str
    subject: str
    """The statement's question id, or the characteristic's id."""
    pct: int
    count: int | None = None
    base: int | None = None
    wales_pct: int | None = None
    sentence: str

    @property
    def strength(self) -> int:
        """How strongly it speaks: the share, or the gap to Wales in points."""
        if self.kind == "below_wales" and self.wales_pct is not None:
            return abs(self.wales_pct - self.pct)
        return self.pct


class UntrueClaim(AssertionError):
    """A sentence the report's own figures do not bear out."""


class Claim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClaimKind
    sentence: str
    subject: str = ""
    """A statement's, theme's, characteristic's or recommendation's id ("," between several)."""
    cells: tuple[str, ...] = ("all",)
    """The groups whose figures it quotes."""
    side: Side | None = None
    view: View = ""
    figures: tuple[int, ...] = ()
    """The whole numbers the sentence quotes, in its order."""
    share: float = 0.0
    """The threshold the rule applied (``overall_share``, ``most_share``), where one did."""
    statements: tuple[str, ...] = ()
    characteristics: tuple[str, ...] = ()
    """A recommendation's: the figures that bear on its action."""
    evidence: tuple[Evidence, ...] = ()
    """A recommendation's: the figures it cites, for and against."""


def statements(report: Report) -> dict[str, Statement]:
    return {s.question_id: s for theme in report.themes for s in theme.statements}


def result(statement: Statement, cell: str) -> StatementResult | None:
    r = statement.result(cell)
    return r if r is not None and r.n > 0 and r.agree_pct is not None else None


def side_share(statement: Statement, r: StatementResult, side: Side) -> Fraction:
    favourable, unfavourable = statement.sides(r)
    return Fraction(favourable if side == "favourable" else unfavourable, r.n)


def side_pct(statement: Statement, r: StatementResult, side: Side) -> int:
    favourable, unfavourable = statement.sides(r)
    return percent(favourable if side == "favourable" else unfavourable, r.n)


def pooled_sides(report: Report, theme_id: str, cell: str = "all") -> tuple[int, int, int]:
    """(favourable, unfavourable, views) over a theme's statements, reversed where negative."""
    theme = next(t for t in report.themes if t.theme_id == theme_id)
    fav = unfav = n = 0
    for s in theme.statements:
        r = result(s, cell)
        if r is not None:
            f, u = s.sides(r)
            fav, unfav, n = fav + f, unfav + u, n + r.n
    return fav, unfav, n


# --- the predicates -----------------------------------------------------------------------


def _superlative(c: Claim, report: Report) -> bool:
    shown = {q: (s, r) for q, s in statements(report).items() if (r := result(s, "all"))}
    if c.subject not in shown or c.side is None:
        return False
    s, r = shown[c.subject]
    mine = side_share(s, r, c.side)
    return c.figures == (side_pct(s, r, c.side),) and all(
        side_share(o, ro, c.side) <= mine for o, ro in shown.values()
    )


def _overall(c: Claim, report: Report) -> bool:
    fav, unfav, n = pooled_sides(report, c.subject)
    if not n or c.figures != (percent(fav, n), percent(unfav, n)):
        return False
    most = max(Fraction(str(c.share)), MOST)
    positive, negative = Fraction(fav, n) >= most, Fraction(unfav, n) >= most
    if c.view == "positive":
        return positive
    if c.view == "negative":
        return negative
    return c.view == "mixed" and not positive and not negative


def _finding(c: Claim, report: Report) -> bool:
    s = statements(report).get(c.subject)
    r = result(s, c.cells[0]) if s else None
    return (
        r is not None
        and c.figures == (r.agree_pct, r.disagree_pct)
        and r.finding.rstrip(".") in c.sentence
    )


def _gap(c: Claim, report: Report) -> bool:
    s = statements(report).get(c.subject)
    if s is None:
        return False
    quoted = _agree_pair(s, c.cells)
    if quoted is None or c.figures != quoted or abs(quoted[0] - quoted[1]) < COMPARISON_MARGIN:
        return False
    if c.view != "most":
        return True
    # "differ most": no statement sets the two groups further apart.
    gap = abs(quoted[0] - quoted[1])
    pairs = [_agree_pair(o, c.cells) for o in statements(report).values()]
    return all(abs(p[0] - p[1]) <= gap for p in pairs if p is not None)


def _agree_pair(s: Statement, cells: tuple[str, ...]) -> tuple[int, int] | None:
    a, b = result(s, cells[0]), result(s, cells[1])
    if a is None or b is None or a.agree_pct is None or b.agree_pct is None:
        return None
    return a.agree_pct, b.agree_pct


def _compared(report: Report) -> dict[str, tuple[int, int]]:
    out = {}
    for theme in report.themes:
        council, wales = theme.comparison.council_pct, theme.comparison.wales_pct
        if council is not None and wales is not None:
            out[theme.theme_id] = (council, wales)
    return out


def _theme_behind(c: Claim, report: Report) -> bool:
    compared = _compared(report)
    if c.subject not in compared or c.figures != compared[c.subject]:
        return False
    council, wales = compared[c.subject]
    return wales > council and all(cc - w >= council - wales for cc, w in compared.values())


def _theme_level(c: Claim, report: Report) -> bool:
    compared = _compared(report)
    return len(compared) == len(report.themes) and all(
        cc - w > -COMPARISON_MARGIN for cc, w in compared.values()
    )


def _level_rows(report: Report) -> dict[str, tuple[int, int, int]]:
    out = {}
    for row in report.maturity:
        r = row.result("all")
        if r is not None and r.n:
            out[row.characteristic_id] = r.levels
    return out


def _level_one(c: Claim, report: Report) -> bool:
    rows = _level_rows(report)
    named = c.subject.split(",")
    if any(cid not in rows for cid in named):
        return False
    return c.figures == tuple(percent(rows[cid][0], sum(rows[cid])) for cid in named) and all(
        Fraction(rows[cid][0], sum(rows[cid])) >= Fraction(1, 2) for cid in named
    )


def _level_median(c: Claim, report: Report) -> bool:
    medians = [m for levels in _level_rows(report).values() if (m := median_level(levels))]
    return c.figures == (sum(1 for m in medians if m <= 2), len(medians))


def _maturity(c: Claim, report: Report) -> bool:
    levels = _level_rows(report).get(c.subject)
    if levels is None:
        return c.view == "none" and not c.figures
    n = sum(levels)
    if c.view == "most":
        level, count, base = c.figures[:3]
        return (
            (count, base) == (levels[level - 1], n)
            and Fraction(count, n) >= max(Fraction(str(c.share)), MOST)
            and count == max(levels)
        )
    most = max(Fraction(str(c.share)), MOST)
    return (
        c.view == "divided"
        and c.figures[:3] == levels
        and all(Fraction(k, n) < most for k in levels)
        and (len(c.figures) < 4 or c.figures[3] == median_level(levels))
    )


def _response(c: Claim, report: Report) -> bool:
    total = next(r for r in report.rates.rows if r.row == "total")
    return total.caution and c.figures == (total.responded, total.invited, total.percent)


def _recommendation(c: Claim, report: Report) -> bool:
    from reports.recommend import supported

    return supported(c, report)


PREDICATES: dict[ClaimKind, Callable[[Claim, Report], bool]] = {
    "superlative": _superlative,
    "overall": _overall,
    "finding": _finding,
    "group_gap": _gap,
    "team_gap": _gap,
    "wales_gap": _gap,
    "theme_behind": _theme_behind,
    "theme_level": _theme_level,
    "level_one": _level_one,
    "level_median": _level_median,
    "maturity": _maturity,
    "response": _response,
    "recommendation": _recommendation,
}


def holds(claim: Claim, report: Report) -> bool:
    """The claim's predicate, recomputed from the report's shown figures."""
    return PREDICATES[claim.kind](claim, report)


def checked(claim: Claim, report: Report) -> Claim:
    """The claim, if its figures bear it out; a false sentence is never rendered."""
    if not holds(claim, report):
        raise UntrueClaim(f"{claim.kind} {claim.subject!r} is not true: {claim.sentence}")
    return claim
