"""Report input built in memory: `storage.reporting.ReportRows` as the SQL would return them,
for tests of the narrative that need many exact situations and no database.

A `People` is one (council, group, team) of submitted respondents with their answers, given as
counts per choice for each question; everything a test does not set is answered favourably
(strongly agree, or strongly disagree for a negatively worded statement, and level 3), so that
a test changes only the findings it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reports import build_report
from reports.models import Report
from rubric.loader import load_questionnaire
from rubric.models import Group, Lang, Questionnaire
from storage.models import Council
from storage.reporting import (
    AnswerCountRow,
    CommentRow,
    ReportRows,
    ResponseCountRow,
    WalesCountRow,
)

ON = date(2026, 11, 27)

POWYS = Council(
    id=1,
    slug="powys",
    slug_cy="powys",
    name_en="Powys County Council",
    name_cy="Cyngor Sir Powys",
    name_cy_soft="Gyngor Sir Powys",
    name_cy_nasal="Nghyngor Sir Powys",
    name_cy_aspirate="Chyngor Sir Powys",
)


@dataclass
class People:
    group: Group
    n: int
    council: str = "powys"
    team: str | None = None
    invited: int | None = None
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    """question id -> choice -> how many of the `n`; the rest answer favourably."""


def favourable(questionnaire: Questionnaire, qid: str) -> str:
    question = questionnaire.question(qid)
    assert question is not None, qid
    if question.kind == "level":
        return "3"
    return "sd" if question.negative else "sa"


def rows(people: list[People], questionnaire: Questionnaire | None = None) -> ReportRows:
    q = questionnaire or load_questionnaire()
    responses, answers, wales = [], [], []
    for p in people:
        responses.append(
            ResponseCountRow(
                council_slug=p.council,
                group=p.group,
                team=p.team,
                invited=p.invited if p.invited is not None else p.n,
                submitted=p.n,
            )
        )
        for question in q.questions_for(p.group):
            if question.kind == "text":
                continue
            chosen = dict(p.answers.get(question.id, {}))
            rest = p.n - sum(chosen.values())
            assert rest >= 0, (question.id, chosen)
            if rest:
                key = favourable(q, question.id)
                chosen[key] = chosen.get(key, 0) + rest
            for choice, count in chosen.items():
                if not count:
                    continue
                if p.council == "powys":
                    answers.append(
                        AnswerCountRow(
                            council_slug=p.council,
                            group=p.group,
                            team=p.team,
                            question_id=question.id,
                            choice=choice,
                            n=count,
                        )
                    )
                wales.append(
                    WalesCountRow(
                        council_slug=p.council, question_id=question.id, choice=choice, n=count
                    )
                )
    return ReportRows(
        council_slug="powys",
        responses=tuple(responses),
        answers=tuple(answers),
        wales_answers=tuple(wales),
        comments=(
            CommentRow(question_id="v_barriers", text="Services still work in silos."),
            CommentRow(question_id="v_barriers", text="Mae angen strategaeth ddata gorfforaethol."),
        ),
    )


def report(people: list[People], lang: Lang = "en", min_group_size: int = 5) -> Report:
    return build_report(
        load_questionnaire(), rows(people), POWYS, lang, min_group_size, generated_on=ON
    )
