"""The council report an auditor can publish, as data: key messages, what we found by theme,
what the Authority should do, maturity, good practice, with the aggregate `Report` beneath as
the annex.

Everything here is read from the `Report`, which is already past the confidentiality rule: a
group the rule hides has no results in it, so no sentence, recommendation or example below can
rest on its figures. Nothing goes back to the stored counts. The document's types are in
`reports.results`, so the narrative's modules and this one import one way.
"""

from __future__ import annotations

from reports.good_practice import match_good_practice
from reports.narrative import key_messages, maturity_lines, maturity_summary, theme_story
from reports.recommend import recommend
from reports.results import CouncilDocument, Report
from rubric.advice import Advice, load_advice


def build_document(report: Report, advice: Advice | None = None) -> CouncilDocument:
    """The narrative for a built report. Pure: the same report and advice, the same document."""
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
