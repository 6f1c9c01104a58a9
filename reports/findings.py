"""Finding sentences by rule, in the register of the Powys report.

The rule reads only the shares of those who gave a view ("Don't know" is outside the base) and
the questionnaire's thresholds (`rubric.schema.FindingThresholds`), checked in this order:

1. nobody gave a view: "No respondent gave a view on whether ...";
2. agree >= ``most``: "Most respondents agree that ...";
3. disagree >= ``most``: "Respondents do not believe that ...";
4. agree and disagree both within [``half_low``, ``half_high``]: "Around half ... agree that ...,
   whereas around half disagree";
5. anything else: "Respondents have a mixed view of whether ...".

Shares are compared exactly (fractions), so a threshold of 0.6 is met by 3 of 5 and not by
59 of 100. The Welsh sentences are built on the finding clause that follows "bod".
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Literal

from reports.results import CellKind, Comparison, FindingRule
from reports.text import messages, team_members
from rubric.schema import FindingThresholds, Lang

COMPARISON_MARGIN = 5
"""Percentage points by which a council's agree share must differ from Wales's to be called
higher or lower; closer than this it is "about as often"."""


@lru_cache(maxsize=64)
def _share(threshold: float) -> Fraction:
    """The exact share a threshold means (0.6 -> 3/5); asked for every figure of every report."""
    return Fraction(str(threshold))


def finding_rule(
    agree: int, neither: int, disagree: int, thresholds: FindingThresholds
) -> FindingRule:
    base = agree + neither + disagree
    if base == 0:
        return "none"
    a, d = Fraction(agree, base), Fraction(disagree, base)
    if a >= _share(thresholds.most):
        return "most"
    if d >= _share(thresholds.most):
        return "not_believe"
    low, high = _share(thresholds.half_low), _share(thresholds.half_high)
    if low <= a <= high and low <= d <= high:
        return "half"
    return "mixed"


def finding_sentence(
    lang: Lang,
    rule: FindingRule,
    kind: CellKind | Literal["rest"],
    clause: str,
    team: str | None = None,
) -> str:
    """The sentence for one group; a team, or an audience other than officers and members
    (``team`` is then its label), is named by `reports.text.team_members`."""
    members = team_members(lang, team) if kind in ("team", "audience") and team else ""
    key = "team" if kind == "audience" else kind
    text = messages()(lang, f"finding.{rule}.{key}", clause=clause, members=members)
    return text[:1].upper() + text[1:]


def compare(council_pct: int | None, wales_pct: int | None) -> Comparison | None:
    if council_pct is None or wales_pct is None:
        return None
    difference = council_pct - wales_pct
    if difference >= COMPARISON_MARGIN:
        return "more"
    if difference <= -COMPARISON_MARGIN:
        return "less"
    return "similar"


def comparison_sentence(
    lang: Lang,
    direction: Comparison | None,
    council_forms: dict[str, str],
    council_pct: int | None,
    wales_pct: int | None,
) -> str:
    key = f"compare.{direction}" if direction else "compare.none"
    return messages()(lang, key, council_pct=council_pct, wales_pct=wales_pct, **council_forms)
