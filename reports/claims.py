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
- ``comment_topic``: "3 comments are about systems and technology": the theme's shown comments
  about the topic (`reports.topic_words`) are that many, and at least two.
- ``recommendation``: made only when no majority of respondents (nor of the group that fires
  it) is favourable on the statements that bear on its action, and some shown figure that
  bears on it speaks for it; each figure it cites is the report's, on the side it is cited
  for. `reports.recommend` holds the rule that chooses it; the predicate is here, so the two
  are separate code.

The claims' types are in `reports.results`, beside the document's.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from reports.findings import COMPARISON_MARGIN
from reports.results import (
    Claim,
    ClaimKind,
    Report,
    Side,
    Statement,
    StatementResult,
    median_level,
    percent,
)
from reports.topic_words import RECURS, topic_count

HALF = Fraction(1, 2)
"""A majority is more than half."""
MOST = HALF
""""Most" never means half or less, whatever the thresholds say."""


class UntrueClaim(AssertionError):
    """A sentence the report's own figures do not bear out."""


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


def _pooled(report: Report, qids: tuple[str, ...], cell: str) -> tuple[int, int, int]:
    """(favourable, unfavourable, views) of one group over the listed statements."""
    found = statements(report)
    fav = unfav = n = 0
    for qid in qids:
        s = found.get(qid)
        r = result(s, cell) if s is not None else None
        if s is not None and r is not None:
            f, u = s.sides(r)
            fav, unfav, n = fav + f, unfav + u, n + r.n
    return fav, unfav, n


def favourable_majority(report: Report, qids: tuple[str, ...], cell: str) -> bool:
    fav, _, n = _pooled(report, qids, cell)
    return bool(n) and Fraction(fav, n) > HALF


def level_three_majority(report: Report, cid: str, cell: str) -> bool:
    row = next((r for r in report.maturity if r.characteristic_id == cid), None)
    levels = row.result(cell) if row is not None else None
    return levels is not None and bool(levels.n) and Fraction(levels.levels[2], levels.n) > HALF


def _recommendation(claim: Claim, report: Report) -> bool:
    """A recommendation's predicate, from the report's figures: no favourable majority of all
    respondents, nor of any group its evidence speaks for, on the statements bearing on it;
    at least one figure for it; and each figure it cites as the report shows it, on the side
    it is cited for."""
    if favourable_majority(report, claim.statements, "all"):
        return False
    cited_for = [e for e in claim.evidence if e.side == "for"]
    if not cited_for:
        return False
    found = statements(report)
    rows = {row.characteristic_id: row for row in report.maturity}
    for e in claim.evidence:
        if e.kind in ("unfavourable", "favourable"):
            if e.subject not in claim.statements:
                return False
            s = found.get(e.subject)
            r = result(s, e.cell) if s is not None else None
            if s is None or r is None:
                return False
            favourable, unfavourable = s.sides(r)
            count = unfavourable if e.kind == "unfavourable" else favourable
            other = favourable if e.kind == "unfavourable" else unfavourable
            if (e.count, e.base, e.pct) != (count, r.n, percent(count, r.n)):
                return False
            if e.kind == "unfavourable" and (not count or Fraction(other, r.n) > HALF):
                return False
            if e.kind == "favourable" and count <= other:
                return False
            if e.side == "for" and favourable_majority(report, claim.statements, e.cell):
                return False
        elif e.kind in ("level", "level_high"):
            row = rows.get(e.subject)
            levels = row.result(e.cell) if row is not None else None
            if e.subject not in claim.characteristics or levels is None or not levels.n:
                return False
            if e.kind == "level_high":
                if (e.count, e.pct) != (levels.levels[2], percent(levels.levels[2], levels.n)):
                    return False
            elif (
                e.count is None
                or e.count > levels.n
                or e.count < levels.levels[0]
                or level_three_majority(report, e.subject, e.cell)
                or level_three_majority(report, e.subject, "all")
            ):
                return False
        elif e.kind == "below_wales":
            s = found.get(e.subject)
            council = result(s, "all") if s is not None else None
            wales = result(s, "wales") if s is not None else None
            if s is None or council is None or wales is None or e.wales_pct is None:
                return False
            if (e.pct, e.wales_pct) != (
                percent(s.sides(council)[0], council.n),
                percent(s.sides(wales)[0], wales.n),
            ) or e.wales_pct <= e.pct:
                return False
    return True


def _comment_topic(c: Claim, report: Report) -> bool:
    theme_id, _, topic_id = c.subject.partition("/")
    n = topic_count(report, theme_id, topic_id)
    return n >= RECURS and c.figures == (n,)


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
    "comment_topic": _comment_topic,
}


def holds(claim: Claim, report: Report) -> bool:
    """The claim's predicate, recomputed from the report's shown figures."""
    return PREDICATES[claim.kind](claim, report)


def checked(claim: Claim, report: Report) -> Claim:
    """The claim, if its figures bear it out; a false sentence is never rendered."""
    if not holds(claim, report):
        raise UntrueClaim(f"{claim.kind} {claim.subject!r} is not true: {claim.sentence}")
    return claim
