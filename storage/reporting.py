"""Report queries: counts aggregated in SQL, never one Python object per answer.

Every figure a report shows is a sum of counts per (council, group, team, question, choice), so
SQLite does the counting with GROUP BY and Python only adds small tables together. Only submitted
responses count: an unfinished survey is neither a response received nor an opinion.

The rows carry no person: no invitee id, name, email or Telegram id. Comments carry not even a
group, so that nothing downstream can attribute one by accident.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from rubric.models import Group


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResponseCountRow(_Row):
    """Invitees and submitted responses of one (council, group, team)."""

    council_slug: str
    group: Group
    team: str | None
    invited: int
    submitted: int


class AnswerCountRow(_Row):
    """How many submitted responses of one (council, group, team) chose `choice` for a question."""

    council_slug: str
    group: Group
    team: str | None
    question_id: str
    choice: str
    n: int


class WalesCountRow(_Row):
    """How many submitted responses of one council chose `choice` for a question: the Wales
    comparison needs no groups or teams, and leaving them out keeps the rows few."""

    council_slug: str
    question_id: str
    choice: str
    n: int


class CommentRow(_Row):
    """One free-text answer, with nothing that says who wrote it."""

    question_id: str
    text: str


class ReportRows(_Row):
    """What a report for one council needs: its response counts and comments, and every
    council's response and answer counts (for the figures for Wales)."""

    council_slug: str
    responses: tuple[ResponseCountRow, ...]
    """Every council's (the council's own are those with its slug)."""
    answers: tuple[AnswerCountRow, ...]
    """The council's own, by group and team; submitted responses only."""
    wales_answers: tuple[WalesCountRow, ...] = ()
    """Every council's, by council only; submitted responses only."""
    comments: tuple[CommentRow, ...]
    """The council's own, submitted responses only."""

    def council_responses(self) -> tuple[ResponseCountRow, ...]:
        return tuple(r for r in self.responses if r.council_slug == self.council_slug)


class Fetcher(Protocol):
    """The part of `storage.database.Database` these queries use."""

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]: ...


# A team written as blanks is no team; teams are compared as written otherwise.
_TEAM = "NULLIF(TRIM(i.team), '')"

_RESPONSE_COUNTS = f"""
SELECT c.slug, i.grp, {_TEAM} AS team, COUNT(*) AS invited, COUNT(r.submitted_at) AS submitted
FROM invitees AS i
JOIN councils AS c ON c.id = i.council_id
LEFT JOIN responses AS r ON r.invitee_id = i.id
WHERE (:council_id IS NULL OR i.council_id = :council_id)
GROUP BY c.slug, i.grp, team
ORDER BY c.slug, i.grp, team
"""

_ANSWER_COUNTS_SELECT = f"""
SELECT c.slug, i.grp, {_TEAM} AS team, a.question_id, a.choice, COUNT(*) AS n
FROM invitees AS i
JOIN councils AS c ON c.id = i.council_id
JOIN responses AS r ON r.invitee_id = i.id
JOIN answers AS a ON a.response_id = r.id
WHERE r.submitted_at IS NOT NULL
  AND a.choice IS NOT NULL
"""
_ANSWER_COUNTS_TAIL = """
GROUP BY c.slug, i.grp, team, a.question_id, a.choice
ORDER BY c.slug, i.grp, team, a.question_id, a.choice
"""
# Two statements rather than one with "(:council_id IS NULL OR ...)": that OR keeps SQLite
# from starting at the council's invitees, and one council's report would read every answer.
_ANSWER_COUNTS = _ANSWER_COUNTS_SELECT + _ANSWER_COUNTS_TAIL
_ANSWER_COUNTS_ONE = (
    _ANSWER_COUNTS_SELECT + "  AND i.council_id = :council_id" + _ANSWER_COUNTS_TAIL
)

_WALES_COUNTS = """
SELECT c.slug, a.question_id, a.choice, SUM(a.n) AS n
FROM (
  SELECT i.council_id, a.question_id, a.choice, COUNT(*) AS n
  FROM answers AS a
  JOIN responses AS r ON r.id = a.response_id
  JOIN invitees AS i ON i.id = r.invitee_id
  WHERE r.submitted_at IS NOT NULL AND a.choice IS NOT NULL
  GROUP BY i.council_id, a.question_id, a.choice
) AS a
JOIN councils AS c ON c.id = a.council_id
GROUP BY c.slug, a.question_id, a.choice
"""

# Ordered by question and text, never by time or response: the order of writing is itself a clue
# to who wrote what. The report shuffles them (seeded) for display.
_COMMENTS = """
SELECT a.question_id, TRIM(a.text) AS text
FROM answers AS a
JOIN responses AS r ON r.id = a.response_id
JOIN invitees AS i ON i.id = r.invitee_id
WHERE r.submitted_at IS NOT NULL
  AND i.council_id = :council_id
  AND a.text IS NOT NULL
  AND TRIM(a.text) <> ''
ORDER BY a.question_id, text
"""


async def response_counts(db: Fetcher, council_id: int | None = None) -> list[ResponseCountRow]:
    """Invited and submitted per (council, group, team); every council unless one is named."""
    rows = await db.fetchall(_RESPONSE_COUNTS, {"council_id": council_id})
    return [
        ResponseCountRow(council_slug=r[0], group=r[1], team=r[2], invited=r[3], submitted=r[4])
        for r in rows
    ]


async def answer_counts(db: Fetcher, council_id: int | None = None) -> list[AnswerCountRow]:
    """Chosen options of submitted responses, counted per (council, group, team, question)."""
    if council_id is None:
        rows = await db.fetchall(_ANSWER_COUNTS, {})
    else:
        rows = await db.fetchall(_ANSWER_COUNTS_ONE, {"council_id": council_id})
    return [
        AnswerCountRow(
            council_slug=r[0], group=r[1], team=r[2], question_id=r[3], choice=r[4], n=r[5]
        )
        for r in rows
    ]


async def wales_counts(db: Fetcher) -> list[WalesCountRow]:
    """Chosen options of every council's submitted responses, counted per council and question."""
    rows = await db.fetchall(_WALES_COUNTS, {})
    return [WalesCountRow(council_slug=r[0], question_id=r[1], choice=r[2], n=r[3]) for r in rows]


async def comments(db: Fetcher, council_id: int) -> list[CommentRow]:
    """The council's non-empty free-text answers from submitted responses, unattributed."""
    rows = await db.fetchall(_COMMENTS, {"council_id": council_id})
    return [CommentRow(question_id=r[0], text=r[1]) for r in rows]


async def report_input(db: Fetcher, council_id: int) -> ReportRows:
    """Everything `reports.build_report` needs for one council and for the whole of Wales."""
    found = await db.fetchall("SELECT slug FROM councils WHERE id = ?", (council_id,))
    if not found:
        raise LookupError(f"no council with id {council_id}")
    return ReportRows(
        council_slug=found[0][0],
        responses=tuple(await response_counts(db)),
        answers=tuple(await answer_counts(db, council_id)),
        wales_answers=tuple(await wales_counts(db)),
        comments=tuple(await comments(db, council_id)),
    )
