"""The council report an auditor can publish, as data: key messages, what we found by theme,
what the Authority should do, maturity, good practice, with the aggregate `Report` beneath as
the annex.

Everything here is read from the `Report`, which is already past the confidentiality rule: a
group the rule hides has no results in it, so no sentence, recommendation or example below can
rest on its figures. Nothing goes back to the stored counts. The document's types are in
`reports.results`, so the narrative's modules and this one import one way.
"""

from __future__ import annotations

from reports.comment_topics import topic_claims
from reports.good_practice import every_example
from reports.narrative import (
    finding_claims,
    key_message_claims,
    maturity_claim,
    maturity_line_of,
    maturity_summary_claim,
    overall_claim,
)
from reports.recommend import recommend_claims
from reports.results import Claim, CouncilDocument, Report, RoundChange, ThemeStory
from reports.text import messages
from rubric.advice import Advice, load_advice


def build_document(
    report: Report, advice: Advice | None = None, change: RoundChange | None = None
) -> CouncilDocument:
    """The narrative for a built report. Pure: the same report and advice, the same document.
    Every sentence about the figures is kept as its claim too (`CouncilDocument.claims`).
    `change`: the change since the previous round (`reports.rounds.compare_rounds`, its
    sentences checked there against both rounds' reports), shown in each theme and in
    maturity."""
    if change is not None and change.lang != report.lang:
        raise ValueError("the change between rounds is in another language than the report")
    advice = advice or load_advice()
    made = recommend_claims(report, advice)
    recommendations = tuple(r for r, _ in made)
    messages_ = key_message_claims(report, advice)
    claims: list[Claim] = list(messages_)
    stories = []
    for theme in report.themes:
        overall = overall_claim(report, theme, advice)
        found = finding_claims(report, theme, advice)
        topics = topic_claims(report, theme)
        claims += ([overall] if overall else []) + [c for _, c in found] + [c for _, c in topics]
        stories.append(
            ThemeStory(
                theme_id=theme.theme_id,
                title=theme.title,
                overall=overall.sentence if overall else None,
                comparison=theme.comparison.sentence,
                findings=tuple(f for f, _ in found),
                recommendations=tuple(r for r in recommendations if r.theme_id == theme.theme_id),
                note=None if overall else messages()(report.lang, "story.no_figures"),
                topics=tuple(g for g, _ in topics),
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
    weakest, examples, intro = every_example(report, advice)
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
        change=change,
    )
