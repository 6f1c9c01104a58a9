"""The council report an auditor can publish, as data: key messages, what we found by theme,
what the Authority should do, maturity, good practice, with the aggregate `Report` beneath as
the annex.

Everything here is read from the `Report`, which is already past the confidentiality rule: a
group the rule hides has no results in it, so no sentence, recommendation or example below can
rest on its figures. Nothing goes back to the stored counts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from reports.claims import Claim
from reports.claims import Evidence as Evidence
from reports.claims import EvidenceKind as EvidenceKind
from reports.claims import EvidenceSide as EvidenceSide
from reports.models import Report
from reports.text import messages
from rubric.advice import Advice, load_advice

FindingKind = Literal["agree", "disagree", "group_gap", "team_gap", "wales_gap"]
"""agree / disagree: the strongest view for / against the Authority."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecommendationResult(_Result):
    id: str
    number: int
    theme_id: str
    text: str
    evidence: tuple[Evidence, ...]
    """The figures that bear on its action, those for it first."""

    @property
    def evidence_for(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.side == "for")

    @property
    def evidence_against(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.side == "against")


class Finding(_Result):
    kind: FindingKind
    question_id: str
    sentence: str


class ThemeStory(_Result):
    theme_id: str
    title: str
    overall: str | None
    """"Overall, respondents to the data tool have a mixed view of ..."; None without figures."""
    comparison: str
    findings: tuple[Finding, ...]
    recommendations: tuple[RecommendationResult, ...]
    note: str | None = None


class MaturityLine(_Result):
    characteristic_id: str
    title: str
    sentence: str
    shares: tuple[int | None, int | None, int | None]
    """Whole percent of all respondents at levels 1, 2, 3 (None when not shown)."""
    counts: tuple[int, int, int] | None


class Example(_Result):
    id: str
    title: str
    organisation: str
    summary: str
    characteristics: tuple[str, ...]
    """Titles of the characteristics it illustrates, weakest first among those matched."""


class CouncilDocument(_Result):
    report: Report
    key_messages: tuple[str, ...]
    themes: tuple[ThemeStory, ...]
    maturity: tuple[MaturityLine, ...]
    maturity_summary: str | None
    weakest: tuple[str, ...]
    """Characteristic ids, weakest first."""
    good_practice: tuple[Example, ...]
    good_practice_intro: str
    claims: tuple[Claim, ...] = ()
    """Every sentence above about the figures, as the claim it makes (`reports.claims`)."""

    @property
    def recommendations(self) -> tuple[RecommendationResult, ...]:
        return tuple(r for t in self.themes for r in t.recommendations)


def build_document(report: Report, advice: Advice | None = None) -> CouncilDocument:
    """The narrative for a built report. Pure: the same report and advice, the same document."""
    from reports.good_practice import match_good_practice
    from reports.narrative import (
        finding_claims,
        key_message_claims,
        maturity_claim,
        maturity_line_of,
        maturity_summary_claim,
        overall_claim,
    )
    from reports.recommend import recommend_claims

    advice = advice or load_advice()
    made = recommend_claims(report, advice)
    recommendations = tuple(r for r, _ in made)
    messages_ = key_message_claims(report, advice)
    claims: list[Claim] = list(messages_)
    stories = []
    for theme in report.themes:
        overall = overall_claim(report, theme, advice)
        found = finding_claims(report, theme, advice)
        claims += ([overall] if overall else []) + [c for _, c in found]
        stories.append(
            ThemeStory(
                theme_id=theme.theme_id,
                title=theme.title,
                overall=overall.sentence if overall else None,
                comparison=theme.comparison.sentence,
                findings=tuple(f for f, _ in found),
                recommendations=tuple(r for r in recommendations if r.theme_id == theme.theme_id),
                note=None if overall else messages()(report.lang, "story.no_figures"),
            )
        )
    claims += [c for _, c in made]
    lines = []
    for row in report.maturity:
        claim = maturity_claim(report, row, advice)
        claims.append(claim)
        lines.append(maturity_line_of(row, claim))
    summary = maturity_summary_claim(report)
    claims += [summary] if summary else []
    weakest, examples, intro = match_good_practice(report, advice)
    key_messages = tuple(c.sentence for c in messages_)
    if not report.cell("all").shown:
        forms = report.council.forms(report.lang)
        key_messages = (
            messages()(report.lang, "withheld.council_small", min=report.min_group_size, **forms),
        )
    return CouncilDocument(
        report=report,
        key_messages=key_messages,
        themes=tuple(stories),
        maturity=tuple(lines),
        maturity_summary=summary.sentence if summary else None,
        weakest=weakest,
        good_practice=examples,
        good_practice_intro=intro,
        claims=tuple(dict.fromkeys(claims)),
    )
