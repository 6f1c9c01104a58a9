"""The predicates of the sentences about change between two rounds (`reports.rounds`).

As `reports.claims` does for one report, each sentence about change is a `Claim` whose
predicate is recomputed here from the two rounds' reports, from their own shown figures, never
from the numbers the claim carries; `checked_change` refuses a claim that is not true. The rule
that makes the sentences is in `reports.rounds`, so the two are separate code.

What each kind says:

- ``change_figures``: all respondents' agree and disagree shares and "Don't know" count for one
  statement, then and now, each as its round's report shows it, and both figures shown (each
  resting on at least ``MIN_GROUP_SIZE`` views: `reports.confidentiality.change_shown`); the
  sentence quotes those figures and no others, in that order.
- ``change_theme``: over a theme's statements with such a change, how many moved in the
  Authority's favour (its favourable share, agreeing or disagreeing with a negatively worded
  statement, rose by at least ``COMPARISON_MARGIN`` points as the reports show the shares), how
  many against it, and how many by fewer points; and how many in all.
- ``change_level``: all respondents' median level for a key characteristic, then and now, as
  the sentence quotes them.
- ``change_maturity``: over the characteristics with such a change, how many medians are
  higher, lower and the same, and how many in all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reports.confidentiality import change_shown
from reports.findings import COMPARISON_MARGIN
from reports.results import Claim, ClaimKind, LevelResult, Report, Statement, StatementResult


class UntrueChange(AssertionError):
    """A sentence about change that the two reports' figures do not bear out."""


def min_views(previous: Report, current: Report) -> int:
    """The fewest views a compared figure may rest on: the larger of the two reports' minimum."""
    return max(previous.min_group_size, current.min_group_size)


def shown_all(statement: Statement) -> StatementResult | None:
    """All respondents' figures for a statement, where the report shows them."""
    r = statement.result("all")
    return r if r is not None and r.n > 0 and r.agree_pct is not None else None


def shown_level(
    previous: Report, current: Report, cid: str
) -> tuple[LevelResult, LevelResult] | None:
    """All respondents' levels for a characteristic in both reports, where both show them."""
    pair = []
    for report in (previous, current):
        result = report.levels(cid)
        if result is None or result.median is None:
            return None
        pair.append(result)
    then, now = pair
    if not change_shown(then.n, now.n, min_views(previous, current)):
        return None
    return then, now


def _statements(report: Report) -> dict[str, Statement]:
    return {s.question_id: s for theme in report.themes for s in theme.statements}


def compared(
    previous: Report, current: Report, qid: str
) -> tuple[Statement, StatementResult, StatementResult] | None:
    """(the statement now, its figures then, now), where both reports show them."""
    was, now = _statements(previous).get(qid), _statements(current).get(qid)
    if was is None or now is None:
        return None
    a, b = shown_all(was), shown_all(now)
    if a is None or b is None or not change_shown(a.n, b.n, min_views(previous, current)):
        return None
    return now, a, b


def quoted(sentence: str) -> tuple[int, ...]:
    """The whole numbers a line quotes, in its order (the lines hold no other digits)."""
    return tuple(int(n) for n in re.findall(r"\d+", sentence))


def favourable_pct(statement: Statement, r: StatementResult) -> int | None:
    """The shown share on the Authority's side: agree, or disagree for a negative statement."""
    return r.disagree_pct if statement.negative else r.agree_pct


def _figures(c: Claim, previous: Report, current: Report) -> bool:
    found = compared(previous, current, c.subject)
    if found is None or c.cells != ("all",):
        return False
    _, a, b = found
    shown = (a.agree_pct, b.agree_pct, a.disagree_pct, b.disagree_pct, a.dk, b.dk)
    return c.figures == shown and quoted(c.sentence) == shown


def _moves(c: Claim, previous: Report, current: Report) -> tuple[int, int, int]:
    theme = next((t for t in current.themes if t.theme_id == c.subject), None)
    up = down = same = 0
    for s in theme.statements if theme is not None else ():
        found = compared(previous, current, s.question_id)
        if found is None:
            continue
        now, a, b = found
        then_pct, now_pct = favourable_pct(now, a), favourable_pct(now, b)
        if then_pct is None or now_pct is None:
            continue
        if now_pct - then_pct >= COMPARISON_MARGIN:
            up += 1
        elif then_pct - now_pct >= COMPARISON_MARGIN:
            down += 1
        else:
            same += 1
    return up, down, same


def _theme(c: Claim, previous: Report, current: Report) -> bool:
    up, down, same = _moves(c, previous, current)
    return up + down + same >= 2 and c.figures == (up, down, same, up + down + same)


def _level(c: Claim, previous: Report, current: Report) -> bool:
    pair = shown_level(previous, current, c.subject)
    if pair is None:
        return False
    shown = (pair[0].median, pair[1].median)
    return c.figures == shown and quoted(c.sentence) == shown


def _maturity(c: Claim, previous: Report, current: Report) -> bool:
    up = down = same = 0
    for row in current.maturity:
        pair = shown_level(previous, current, row.characteristic_id)
        if pair is None:
            continue
        then, now = pair[0].median or 0, pair[1].median or 0
        up, down, same = up + (now > then), down + (now < then), same + (now == then)
    return up + down + same >= 2 and c.figures == (up, down, same, up + down + same)


PREDICATES: dict[ClaimKind, Callable[[Claim, Report, Report], bool]] = {
    "change_figures": _figures,
    "change_theme": _theme,
    "change_level": _level,
    "change_maturity": _maturity,
}


def holds_change(claim: Claim, previous: Report, current: Report) -> bool:
    """The claim's predicate, recomputed from the two reports' shown figures."""
    predicate = PREDICATES.get(claim.kind)
    return predicate is not None and predicate(claim, previous, current)


def checked_change(claim: Claim, previous: Report, current: Report) -> Claim:
    """The claim, if the two reports' figures bear it out; a false sentence is never shown."""
    if not holds_change(claim, previous, current):
        raise UntrueChange(f"{claim.kind} {claim.subject!r} is not true: {claim.sentence}")
    return claim
