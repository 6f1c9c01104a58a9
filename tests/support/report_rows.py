"""Reports for the narrative's tests, built the real way (a SQLite file, a release, the report
queries) from a compact description of who answered what.

A `People` is one (council, group, team) of submitted respondents with their answers, given as
counts per choice for each question; everything a test does not set is answered favourably
(strongly agree, or strongly disagree for a negatively worded statement, and level 3), so that
a test changes only the findings it is about. Two comments (one English, one Welsh) come from
the first Powys respondents.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reports import build_report
from reports.results import Report
from rubric.loader import load_questionnaire
from rubric.schema import Group, Lang, Questionnaire
from storage.database import Database
from storage.reporting import report_input
from tests.support.reports import add_people, council, open_db, release

ON = date(2026, 11, 27)
COMMENTS = ("Services still work in silos.", "Mae angen strategaeth ddata gorfforaethol.")


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


def _choices(q: Questionnaire, p: People) -> dict[str, list[str]]:
    """Each question's answers, one per person, in order."""
    out: dict[str, list[str]] = {}
    for question in q.questions_for(p.group):
        if question.kind == "text":
            continue
        given = [c for c, k in p.answers.get(question.id, {}).items() for _ in range(k)]
        assert len(given) <= p.n, (question.id, given)
        out[question.id] = given + [favourable(q, question.id)] * (p.n - len(given))
    return out


async def fill(db: Database, people: list[People], min_group_size: int = 5) -> None:
    """`people` submitted, with the two comments, and every council's release made."""
    q = load_questionnaire()
    comments = list(COMMENTS)
    for p in people:
        choices = _choices(q, p)
        texts = {i: comments.pop(0) for i in range(p.n) if p.council == "powys" and comments}

        def answers(
            i: int, choices: dict[str, list[str]] = choices, texts: dict[int, str] = texts
        ) -> dict[str, tuple[str | None, str | None]]:
            out: dict[str, tuple[str | None, str | None]] = {
                qid: (picked[i], None) for qid, picked in choices.items()
            }
            if i in texts:
                out["v_barriers"] = (None, texts[i])
            return out

        await add_people(
            db,
            p.council,
            p.group,
            invited=p.invited if p.invited is not None else p.n,
            submitted=p.n,
            team=p.team,
            answers=answers,
        )
    # Everyone a test does not set answers alike, on purpose: the rule that withholds a
    # unanimous group (tests/reports/test_attacks.py) is left out here.
    await release(db, q, min_group_size, unanimity_safe_size=0)


async def _report(people: list[People], lang: Lang, min_group_size: int, folder: Path) -> Report:
    q = load_questionnaire()
    db = await open_db(folder)
    try:
        await fill(db, people, min_group_size)
        c = await council(db, "powys")
        rows = await report_input(db, c.id)
    finally:
        await db.close()
    return build_report(q, rows, c, lang, min_group_size, generated_on=ON)


def report(people: list[People], lang: Lang = "en", min_group_size: int = 5) -> Report:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_report(people, lang, min_group_size, Path(folder)))
