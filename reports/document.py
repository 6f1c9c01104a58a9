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

from reports.models import Report
from rubric.advice import Advice, load_advice

EvidenceKind = Literal["unfavourable", "below_wales", "level"]
FindingKind = Literal["agree", "disagree", "group_gap", "team_gap", "wales_gap"]
"""agree / disagree: the strongest view for / against the Authority."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Result):
    """One shown figure a recommendation rests on, and the sentence that cites it."""

    kind: EvidenceKind
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


class RecommendationResult(_Result):
    id: str
    number: int
    theme_id: str
    text: str
    evidence: tuple[Evidence, ...]


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

    @property
    def recommendations(self) -> tuple[RecommendationResult, ...]:
        return tuple(r for t in self.themes for r in t.recommendations)


def build_document(report: Report, advice: Advice | None = None) -> CouncilDocument:
    """The narrative for a built report. Pure: the same report and advice, the same document."""
    from reports.good_practice import match_good_practice
    from reports.narrative import key_messages, maturity_lines, maturity_summary, theme_story
    from reports.recommend import recommend

    advice = advice or load_advice()
    recommendations = recommend(report, advice)
    themes = tuple(
        theme_story(
            report, theme, advice, [r for r in recommendations if r.theme_id == theme.theme_id]
        )
        for theme in report.themes
    )
    lines = maturity_lines(report, advice)
    weakest, examples, intro = match_good_practice(report, advice)
    return CouncilDocument(
        report=report,
        key_messages=key_messages(report, advice),
        themes=themes,
        maturity=lines,
        maturity_summary=maturity_summary(report),
        weakest=weakest,
        good_practice=examples,
        good_practice_intro=intro,
    )
