"""A respondent's survey: the update's one read of it (`AnswerBook.update_context`), and each
step saved in one transaction."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import orjson

from rubric.schema import Group, Lang
from storage.database import Row, Statement, from_iso
from storage.rows import Council, Invitee, StoredAnswer, SurveyRecord, Unreachable, UpdateContext
from storage.store import Store
from storage.updates import HANDLING, RECORD_UPDATE_SQL


class AlreadySubmitted(Exception):
    """The survey was submitted: its answers are final."""


def _record(row: Row) -> SurveyRecord:
    return SurveyRecord(
        id=row["id"],
        invitee_id=row["invitee_id"],
        language=row["language"],
        privacy_accepted=bool(row["privacy_accepted"]),
        cursor=row["cursor"],
        reviewing=bool(row["reviewing"]),
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
    )


def _record_fast(
    row: Row, *, id_key: str = "response_id", invitee_key: str = "id", lang_key: str = "language"
) -> SurveyRecord:
    """`_record` without validation, for rows the schema already types (CHECK constraints on
    the language and the flags, ISO times written by `to_iso`): the answer path reads one and
    writes one per update. The keys name the columns where a joined row renames them."""
    started_at = from_iso(row["started_at"])
    updated_at = from_iso(row["updated_at"])
    assert started_at is not None and updated_at is not None
    return SurveyRecord.model_construct(
        id=row[id_key],
        invitee_id=row[invitee_key],
        language=row[lang_key],
        privacy_accepted=bool(row["privacy_accepted"]),
        cursor=row["cursor"],
        reviewing=bool(row["reviewing"]),
        started_at=started_at,
        updated_at=updated_at,
        submitted_at=from_iso(row["submitted_at"]),
    )


_UPDATE_CONTEXT_SQL = (
    'SELECT i.id, i.council_id, c.slug AS council_slug, i.grp AS "group", i.name, i.email,'
    " i.language, i.team, i.token, i.telegram_id, i.opened_at, i.emailed_at, i.unreachable,"
    " c.slug_cy, c.name_en, c.name_cy, c.name_cy_soft, c.name_cy_nasal, c.name_cy_aspirate,"
    " a.language AS account_language, r.id AS response_id, r.language AS survey_language,"
    " r.privacy_accepted, r.cursor, r.reviewing, r.started_at, r.updated_at, r.submitted_at,"
    " r.questionnaire_version AS response_version,"
    " CASE WHEN rd.created_at IS NOT NULL THEN rd.questionnaire_version"
    " ELSE (SELECT MAX(v.id) FROM questionnaire_versions v WHERE v.published_at IS NOT NULL)"
    " END AS newest_version,"
    " w.council_id AS window_council, w.closes_on, w.closed_at, w.opens_on,"
    " h.update_id AS handled"
    " FROM (SELECT CAST(? AS BIGINT) AS tid, CAST(? AS BIGINT) AS uid) t"
    " LEFT JOIN invitees i ON i.telegram_id = t.tid"
    " LEFT JOIN councils c ON c.id = i.council_id"
    " LEFT JOIN accounts a ON a.telegram_id = t.tid"
    " LEFT JOIN responses r ON r.invitee_id = i.id"
    " LEFT JOIN survey_windows w ON w.council_id = i.council_id"
    " LEFT JOIN rounds rd ON rd.id ="
    " (SELECT MAX(x.id) FROM rounds x WHERE x.council_id = i.council_id)"
    " LEFT JOIN handled_updates h ON h.update_id = t.uid"
)
"""`Repository.update_context`'s first query: one row, with the person, their council, account,
response (with the questionnaire version it is pinned to) and window, the version a response
not yet made will be pinned to (the council's current round's; for a round from before rounds,
or none, the newest stored), and the update's claim."""

_UPDATE_ANSWERS_SQL = (
    "SELECT x.question_id, x.choice, x.text FROM invitees i"
    " JOIN responses r ON r.invitee_id = i.id JOIN answers x ON x.response_id = r.id"
    " WHERE i.telegram_id = ? ORDER BY x.question_id"
)
"""... and its second: the person's answers, narrow rows (one wide row per answer cost SQLite
three times as much)."""

_UPDATE_CONTEXT_SQLITE = _UPDATE_CONTEXT_SQL.replace(
    " FROM (SELECT CAST(",
    ", (SELECT json_group_array(json_array(question_id, choice, text)) FROM"
    " (SELECT x.question_id, x.choice, x.text FROM answers x WHERE x.response_id = r.id"
    " ORDER BY x.question_id)) AS answers_json"
    " FROM (SELECT CAST(",
    1,
)
"""Both queries as one statement on SQLite, the answers as one JSON array column: a single
statement is its own read snapshot, so it needs no BEGIN and COMMIT around it, and is one trip
to aiosqlite's thread where the two queries in a read transaction were four (issue 24).
PostgreSQL's `fetch_together` makes the two queries one statement by itself."""


_COUNCIL_KEYS = (
    "council_id",
    "council_slug",
    "slug_cy",
    "name_en",
    "name_cy",
    "name_cy_soft",
    "name_cy_nasal",
    "name_cy_aspirate",
)
_INVITEE_KEYS = (
    "id",
    "council_id",
    "council_slug",
    "group",
    "name",
    "email",
    "language",
    "team",
    "token",
    "telegram_id",
    "opened_at",
    "emailed_at",
    "unreachable",
)


@functools.lru_cache(maxsize=64)
def _council_row(
    id: int,
    slug: str,
    slug_cy: str,
    name_en: str,
    name_cy: str,
    name_cy_soft: str,
    name_cy_nasal: str,
    name_cy_aspirate: str,
) -> Council:
    """A council as `update_context` reads it: keyed by every column, so a corrected name is a
    new entry; frozen, so one instance serves every update that names it."""
    return Council.model_construct(
        id=id,
        slug=slug,
        slug_cy=slug_cy,
        name_en=name_en,
        name_cy=name_cy,
        name_cy_soft=name_cy_soft,
        name_cy_nasal=name_cy_nasal,
        name_cy_aspirate=name_cy_aspirate,
    )


@functools.lru_cache(maxsize=8192)
def _invitee_row(
    id: int,
    council_id: int,
    council_slug: str,
    group: Group,
    name: str,
    email: str,
    language: Lang | None,
    team: str | None,
    token: str | None,
    telegram_id: int | None,
    opened_at: str | None,
    emailed_at: str | None,
    unreachable: Unreachable | None,
) -> Invitee:
    """An invitee as `update_context` reads it, keyed by every column as stored (a changed row
    is a new entry): a person's every update reads the same row."""
    return Invitee.model_construct(
        id=id,
        council_id=council_id,
        council_slug=council_slug,
        group=group,
        name=name,
        email=email,
        language=language,
        team=team,
        token=token,
        telegram_id=telegram_id,
        opened_at=from_iso(opened_at),
        emailed_at=from_iso(emailed_at),
        unreachable=unreachable,
    )


@functools.lru_cache(maxsize=4096)
def _shared_answer(question_id: str, choice: str | None) -> StoredAnswer:
    """A chosen (or skipped) answer: frozen, so one instance serves every read of it."""
    return StoredAnswer.model_construct(question_id=question_id, choice=choice, text=None)


def _stored_answer(question_id: str, choice: str | None, text: str | None) -> StoredAnswer:
    if text is None:
        return _shared_answer(question_id, choice)
    return StoredAnswer.model_construct(question_id=question_id, choice=choice, text=text)


class AnswerBook(Store):
    """The survey as stored: read for an update, read alone, saved step by step."""

    async def update_context(
        self, telegram_id: int | None, update_id: int | None = None
    ) -> UpdateContext:
        """What the bot reads before handling an update, at once (one statement on SQLite,
        `Database.fetch_together` on PostgreSQL: one trip either way): who wrote (as `whois`),
        their survey (as `survey`), their council's survey window (as `window`), and whether
        ``update_id`` was handled already. Rows come typed from the schema, so they are built
        without validating them again."""
        answer_rows: Iterable[Sequence[Any]]
        if self.db.dialect == "sqlite":
            [first] = await self.db.fetchall(_UPDATE_CONTEXT_SQLITE, (telegram_id, update_id))
            answer_rows = orjson.loads(first["answers_json"] or "[]")
        else:
            [first], answer_rows = await self.db.fetch_together(
                [
                    (_UPDATE_CONTEXT_SQL, (telegram_id, update_id)),
                    (_UPDATE_ANSWERS_SQL, (telegram_id,)),
                ]
            )
        handled = first["handled"] is not None
        language = first["survey_language"] or first["account_language"]
        if first["id"] is None:
            return UpdateContext(language=language, handled=handled)
        council = _council_row(*(first[k] for k in _COUNCIL_KEYS))
        invitee = _invitee_row(*(first[k] for k in _INVITEE_KEYS))
        record = None
        version = first["newest_version"]
        if first["response_id"] is not None:
            record = _record_fast(first, lang_key="survey_language")
            version = first["response_version"]
        answers = {qid: _stored_answer(qid, choice, text) for qid, choice, text in answer_rows}
        window = None
        if first["window_council"] is not None:
            closes_on, opens_on = first["closes_on"], first["opens_on"]
            window = (
                None if closes_on is None else date.fromisoformat(closes_on),
                from_iso(first["closed_at"]),
                None if opens_on is None else date.fromisoformat(opens_on),
            )
        return UpdateContext(
            invitee=invitee,
            council=council,
            language=language,
            record=record,
            answers=answers,
            window=window,
            handled=handled,
            questionnaire_version=version,
        )

    async def survey(self, invitee_id: int) -> tuple[SurveyRecord | None, dict[str, StoredAnswer]]:
        """The response and its answers, read in one statement (one consistent snapshot)."""
        rows = await self.db.fetchall(
            "SELECT r.*, a.question_id, a.choice, a.text FROM responses r"
            " LEFT JOIN answers a ON a.response_id = r.id WHERE r.invitee_id = ?"
            " ORDER BY a.question_id",
            (invitee_id,),
        )
        if not rows:
            return None, {}
        answers = {
            r["question_id"]: StoredAnswer(
                question_id=r["question_id"], choice=r["choice"], text=r["text"]
            )
            for r in rows
            if r["question_id"] is not None
        }
        return _record(rows[0]), answers

    async def save_survey(
        self,
        invitee_id: int,
        *,
        language: Lang | None,
        privacy_accepted: bool,
        cursor: str | None,
        reviewing: bool,
        submitted: bool,
        answers: dict[str, StoredAnswer] | None = None,
        delete_answers: Iterable[str] = (),
        questionnaire_version: int | None = None,
    ) -> SurveyRecord:
        """Saves a step of the survey in one transaction: the state, new or changed answers and
        answers withdrawn, and (inside `handling`) the update as handled. Submission is set
        once and never undone; after it the answers are final and a change raises
        `AlreadySubmitted` (nothing is saved). ``questionnaire_version`` is the version the
        person is answering (`UpdateContext.questionnaire_version`; None: the packaged one),
        written when the response's row is made and never changed after.

        The transaction is a fixed list of statements (`Database.batch`): the update's record,
        the response upserted, the answers, then the response read back, with its submission
        time as it was, which a check reads before anything is kept (else everything is rolled
        back), and last the submission. On SQLite the leading statements whose parameters are
        plain codes, numbers and times (a tap's step, but not a typed answer) go to aiosqlite's
        thread in one script with the BEGIN (`SqliteDatabase.batch`): a tap's write is three
        trips (the script, the check's read, the COMMIT) where it was six."""
        answers = answers or {}
        delete_answers = list(delete_answers)
        for key, answer in answers.items():
            if key != answer.question_id:
                raise ValueError(f"answer for {answer.question_id!r} filed under {key!r}")
        now = self._now()
        changes_answers = bool(answers or delete_answers)

        def final_answers(rows: list[Row]) -> None:
            if changes_answers and rows[0]["submitted_at"] is not None:
                raise AlreadySubmitted(f"invitee {invitee_id} has submitted")

        statements: list[Statement] = []
        marker = HANDLING.get()
        if marker is not None and not marker.recorded:
            statements.append(Statement(RECORD_UPDATE_SQL, (marker.update_id, now, now)))
        statements.append(
            Statement(
                "INSERT INTO responses (invitee_id, language, privacy_accepted, cursor,"
                " reviewing, started_at, updated_at, questionnaire_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (invitee_id) DO UPDATE SET language = excluded.language,"
                " privacy_accepted = excluded.privacy_accepted, cursor = excluded.cursor,"
                " reviewing = excluded.reviewing, updated_at = excluded.updated_at",
                (
                    invitee_id,
                    language,
                    int(privacy_accepted),
                    cursor,
                    int(reviewing),
                    now,
                    now,
                    questionnaire_version,
                ),
            )
        )
        if answers:
            statements.append(
                Statement(
                    "INSERT INTO answers (response_id, question_id, choice, text, answered_at)"
                    " SELECT id, ?, ?, ?, ? FROM responses WHERE invitee_id = ?"
                    " ON CONFLICT (response_id, question_id) DO UPDATE SET"
                    " choice = excluded.choice, text = excluded.text,"
                    " answered_at = excluded.answered_at",
                    [(a.question_id, a.choice, a.text, now, invitee_id) for a in answers.values()],
                    many=True,
                )
            )
        if delete_answers:
            statements.append(
                Statement(
                    "DELETE FROM answers WHERE question_id = ? AND response_id ="
                    " (SELECT id FROM responses WHERE invitee_id = ?)",
                    [(qid, invitee_id) for qid in delete_answers],
                    many=True,
                )
            )
        # Nothing above touches the submission time, so this reads it as it was before the
        # step; when answers were to change after it, the check undoes the whole step.
        statements.append(
            Statement(
                "SELECT * FROM responses WHERE invitee_id = ?", (invitee_id,), check=final_answers
            )
        )
        if submitted:
            statements.append(
                Statement(
                    "UPDATE responses SET submitted_at = COALESCE(submitted_at, ?)"
                    " WHERE invitee_id = ? RETURNING *",
                    (now, invitee_id),
                )
            )
        results = await self.db.batch(statements)
        if marker is not None and not marker.recorded:
            marker.mark_recorded()
        # The response as stored: the check's row, or the submission's after it.
        return _record_fast(results[-1][0], id_key="id", invitee_key="invitee_id")
