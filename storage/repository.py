"""The respondent and roster API: every question the bot and the CLI ask of the database.

Each method is one read or one write transaction, so a coroutine can never leave a half-saved
survey behind, and the bot never needs to know SQL.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from rubric.models import GROUPS, Group, Lang
from storage import releases
from storage.councils import COUNCILS, fold, short_name_cy, short_name_en
from storage.database import Database, Row, Statement, from_iso, to_iso, utcnow
from storage.export import ExportRow, export_answers, export_comments
from storage.leases import Heartbeats, Leases
from storage.models import (
    BindOutcome,
    Council,
    ImportResult,
    Invitation,
    Invitee,
    RemoveResult,
    RosterRow,
    StatusRow,
    StoredAnswer,
    SurveyRecord,
    Unreachable,
    UpdateContext,
)
from storage.reminders import ReminderBook
from storage.reporting import CommentRow, ReportRows, national_input, report_input

TOKEN_BYTES = 24
"""192 random bits, 32 characters of A-Za-z0-9_-: a valid /start payload, impossible to guess;
the first is always a letter or digit (see `new_token`)."""

_ALIASES = {c.slug: c.aliases for c in COUNCILS}
_LEADING_WORDS = ("the-", "cyngor-", "gyngor-", "nghyngor-", "chyngor-")
_TRAILING_WORDS = ("-council", "-county-borough", "-county", "-city", "-cbc")


RowReason = Literal["unknown_council", "listed_twice"]
"""Why `import_roster` refused a row: ``unknown_council`` (``params["council"]``, as written) or
``listed_twice`` (``params["email"]`` at the council ``params["council"]``, a slug). A code, not
a sentence: the caller words it in its reader's language."""


@dataclass(frozen=True)
class RowProblem:
    index: int
    """0-based index into the rows given to `import_roster`."""
    code: RowReason
    params: dict[str, str] = field(default_factory=dict, hash=False)
    also_index: int | None = None
    """For a person listed twice: the 0-based index of their first row."""


@dataclass
class Handling:
    """The Telegram update this task is handling (see `handling`); ``recorded`` once its
    ``handled_updates`` row is written."""

    update_id: int
    recorded: bool = False
    on_recorded: Callable[[int], None] | None = None
    """Told the update's id as soon as its row commits (the polling loop may confirm it)."""

    def mark_recorded(self) -> None:
        self.recorded = True
        if self.on_recorded is not None:
            self.on_recorded(self.update_id)


_HANDLING: ContextVar[Handling | None] = ContextVar("handling_update", default=None)


@contextlib.contextmanager
def handling(
    update_id: int, on_recorded: Callable[[int], None] | None = None
) -> Iterator[Handling]:
    """Within this block, a saved survey step also records the update as handled, in the same
    transaction: once the answer is stored a delivery of the update again is a no-op, even if
    the worker dies before it could say so (a typed answer would otherwise be applied again, to
    the question after); and until it is stored, a delivery again is handled (nothing typed is
    lost). What the block did not record this way, `Repository.record_update` records after."""
    marker = Handling(update_id, on_recorded=on_recorded)
    token = _HANDLING.set(marker)
    try:
        yield marker
    finally:
        _HANDLING.reset(token)


class RosterError(Exception):
    """Roster rows that cannot be imported (every one found); nothing was imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        first = problems[0]
        also = "" if first.also_index is None else f" (and row {first.also_index})"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        # For a log or a traceback only: the command line words each problem itself.
        super().__init__(f"row {first.index}: {first.code} {first.params}{also}{more}")
        self.problems = problems
        self.line_index = first.index
        self.code = first.code
        self.params = first.params
        self.also_index = first.also_index


def new_token() -> str:
    """A personal code: TOKEN_BYTES random bytes in base64url, drawn again until it starts with
    a letter or a digit, because a spreadsheet reads a cell starting with - as a formula (the
    redraw costs under a tenth of a bit of the 192)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if token[0].isascii() and token[0].isalnum():
            return token


class AlreadySubmitted(Exception):
    """The survey was submitted: its answers are final."""


def match_key(text: str) -> str:
    """What a council name is compared by: folded (accents, case, spaces vs hyphens), with
    the words that every name shares ("Cyngor", "Council", "County") taken off."""
    key = fold(text)
    changed = True
    while changed:
        changed = False
        for word in _LEADING_WORDS:
            if key.startswith(word) and len(key) > len(word):
                key, changed = key[len(word) :], True
        for word in _TRAILING_WORDS:
            if key.endswith(word) and len(key) > len(word):
                key, changed = key[: -len(word)], True
    return key


def council_keys(council: Council) -> set[str]:
    """Every key under which `council` is found: its slugs, its names in both languages (full,
    short, mutated), and its known aliases."""
    names = {
        council.slug,
        council.slug_cy,
        council.name_en,
        council.name_cy,
        council.name_cy_soft,
        council.name_cy_nasal,
        council.name_cy_aspirate,
        short_name_en(council.name_en),
        short_name_cy(council.name_cy),
        *_ALIASES.get(council.slug, ()),
    }
    return {fold(n) for n in names} | {match_key(n) for n in names}


def _council(row: Row) -> Council:
    return Council(**dict(row))


_INVITEE_SQL = (
    'SELECT i.id, i.council_id, c.slug AS council_slug, i.grp AS "group", i.name, i.email,'
    " i.language, i.team, i.token, i.telegram_id, i.opened_at, i.emailed_at, i.unreachable"
    " FROM invitees i JOIN councils c ON c.id = i.council_id"
)


def _invitee(row: Row) -> Invitee:
    return Invitee(**dict(row))


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
    " w.council_id AS window_council, w.closes_on, w.closed_at, w.opens_on,"
    " h.update_id AS claimed, h.finished_at"
    " FROM (SELECT CAST(? AS BIGINT) AS tid, CAST(? AS BIGINT) AS uid) t"
    " LEFT JOIN invitees i ON i.telegram_id = t.tid"
    " LEFT JOIN councils c ON c.id = i.council_id"
    " LEFT JOIN accounts a ON a.telegram_id = t.tid"
    " LEFT JOIN responses r ON r.invitee_id = i.id"
    " LEFT JOIN survey_windows w ON w.council_id = i.council_id"
    " LEFT JOIN handled_updates h ON h.update_id = t.uid"
)
"""`Repository.update_context`'s first query: one row, with the person, their council, account,
response and window, and the update's claim."""

_UPDATE_ANSWERS_SQL = (
    "SELECT x.question_id, x.choice, x.text FROM invitees i"
    " JOIN responses r ON r.invitee_id = i.id JOIN answers x ON x.response_id = r.id"
    " WHERE i.telegram_id = ? ORDER BY x.question_id"
)
"""... and its second: the person's answers, narrow rows (one wide row per answer cost SQLite
three times as much)."""


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


_RECORD_UPDATE_SQL = (
    "INSERT INTO handled_updates (update_id, handled_at, finished_at) VALUES (?, ?, ?)"
    " ON CONFLICT (update_id) DO UPDATE SET finished_at = excluded.finished_at"
)


class Repository:
    """The API over a `Database`. `clock` is injectable so that tests can move time."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    def _now(self) -> str:
        return to_iso(self._clock())

    # --- councils -----------------------------------------------------------------------

    async def councils(self) -> list[Council]:
        rows = await self.db.fetchall("SELECT * FROM councils ORDER BY slug")
        return [_council(r) for r in rows]

    async def council(self, council_id: int) -> Council | None:
        row = await self.db.fetchone("SELECT * FROM councils WHERE id = ?", (council_id,))
        return None if row is None else _council(row)

    async def find_council(self, query: str) -> Council | None:
        """The council that `query` names: a slug, an English or Welsh name or short name, in any
        case, with or without accents, spaces or hyphens ("CARDIFF", "Cyngor Sir Powys",
        "bro-morgannwg", "Vale of Glamorgan", "ynys mon")."""
        return _find_in(await self.councils(), query)

    async def suggest_councils(self, query: str, n: int = 3) -> list[Council]:
        """The councils whose names are closest to a query that matched none ("powis")."""
        by_key: dict[str, Council] = {}
        for council in await self.councils():
            for key in council_keys(council):
                by_key.setdefault(key, council)
        close = difflib.get_close_matches(match_key(query), list(by_key), n=len(by_key), cutoff=0.6)
        found: list[Council] = []
        for key in close:
            council = by_key[key]
            if council not in found:
                found.append(council)
            if len(found) == n:
                break
        return found

    # --- roster -------------------------------------------------------------------------

    async def import_roster(self, rows: list[RosterRow]) -> ImportResult:
        """Adds or updates invitees; all rows or none. A person is (council, email): a changed
        name, group, language or team updates their row, an identical row changes nothing."""
        councils = await self.councils()
        resolved: list[int] = []
        seen: dict[tuple[int, str], int] = {}
        problems: list[RowProblem] = []
        for index, row in enumerate(rows):
            council = _find_in(councils, row.council)
            if council is None:
                problems.append(RowProblem(index, "unknown_council", {"council": row.council}))
                continue
            person = (council.id, row.email)
            if person in seen:
                params = {"email": row.email, "council": council.slug}
                problems.append(RowProblem(index, "listed_twice", params, seen[person]))
                continue
            seen[person] = index
            resolved.append(council.id)
        if problems:
            raise RosterError(problems)

        added = updated = unchanged = 0
        now = self._now()
        async with self.db.transaction() as conn:
            for council_id, row in zip(resolved, rows, strict=True):
                existing = await conn.fetchone(
                    "SELECT grp, name, language, team FROM invitees"
                    " WHERE council_id = ? AND email = ?",
                    (council_id, row.email),
                )
                fields = (row.group, row.name, row.language, row.team)
                if existing is None:
                    await conn.execute(
                        "INSERT INTO invitees (council_id, grp, name, email, language, team,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (council_id, row.group, row.name, row.email, row.language, row.team, now),
                    )
                    added += 1
                elif tuple(existing) == fields:
                    unchanged += 1
                else:
                    await conn.execute(
                        "UPDATE invitees SET grp = ?, name = ?, language = ?, team = ?"
                        " WHERE council_id = ? AND email = ?",
                        (*fields, council_id, row.email),
                    )
                    # A corrected row (a name that broke the email header) earns its failed
                    # reminders a fresh set of tries.
                    await conn.execute(
                        "DELETE FROM reminders WHERE status = 'failed' AND invitee_id ="
                        " (SELECT id FROM invitees WHERE council_id = ? AND email = ?)",
                        (council_id, row.email),
                    )
                    updated += 1
        return ImportResult(added=added, updated=updated, unchanged=unchanged)

    async def invitees(self, council_id: int) -> list[Invitee]:
        rows = await self.db.fetchall(
            _INVITEE_SQL + " WHERE i.council_id = ? ORDER BY i.grp, i.name, i.email",
            (council_id,),
        )
        return [_invitee(r) for r in rows]

    async def ensure_tokens(self, council_id: int) -> list[Invitation]:
        """Gives every invitee of the council a personal code, keeping codes already given (an
        invitation already sent must keep working); returns all the council's invitations."""
        async with self.db.transaction() as conn:
            missing = [
                r[0]
                for r in await conn.fetchall(
                    "SELECT id FROM invitees WHERE council_id = ? AND token IS NULL", (council_id,)
                )
            ]
            await conn.executemany(
                "UPDATE invitees SET token = ? WHERE id = ?",
                [(new_token(), invitee_id) for invitee_id in missing],
            )
            rows = await conn.fetchall(
                "SELECT c.slug, i.grp, i.name, i.email, i.language, i.token"
                " FROM invitees i JOIN councils c ON c.id = i.council_id"
                " WHERE i.council_id = ? ORDER BY i.grp, i.name, i.email",
                (council_id,),
            )
        return [
            Invitation(
                council_slug=r[0], group=r[1], name=r[2], email=r[3], language=r[4], token=r[5]
            )
            for r in rows
        ]

    async def invitee(self, invitee_id: int) -> Invitee | None:
        row = await self.db.fetchone(_INVITEE_SQL + " WHERE i.id = ?", (invitee_id,))
        return None if row is None else _invitee(row)

    async def invitee_by_token(self, token: str) -> Invitee | None:
        row = await self.db.fetchone(_INVITEE_SQL + " WHERE i.token = ?", (token,))
        return None if row is None else _invitee(row)

    async def whois(self, telegram_id: int) -> tuple[Invitee | None, Council | None, Lang | None]:
        """Everything the bot needs to know about who wrote, in one read: their invitation and
        council (if their account is bound to one) and their language (the one their survey is
        in, else their account's; None while unknown)."""
        row = await self.db.fetchone(
            'SELECT i.id, i.council_id, c.slug AS council_slug, i.grp AS "group", i.name,'
            " i.email, i.language, i.team, i.token, i.telegram_id, i.opened_at, i.emailed_at,"
            " i.unreachable, c.slug_cy, c.name_en, c.name_cy, c.name_cy_soft, c.name_cy_nasal,"
            " c.name_cy_aspirate, a.language AS account_language, r.language AS survey_language"
            " FROM (SELECT CAST(? AS BIGINT) AS tid) t"
            " LEFT JOIN invitees i ON i.telegram_id = t.tid"
            " LEFT JOIN responses r ON r.invitee_id = i.id"
            " LEFT JOIN councils c ON c.id = i.council_id"
            " LEFT JOIN accounts a ON a.telegram_id = t.tid",
            (telegram_id,),
        )
        assert row is not None
        language = row["survey_language"] or row["account_language"]
        if row["id"] is None:
            return None, None, language
        fields = dict(row)
        council = Council(
            id=fields["council_id"],
            slug=fields["council_slug"],
            **{k: fields[k] for k in Council.model_fields if k not in ("id", "slug")},
        )
        invitee = Invitee(**{k: fields[k] for k in Invitee.model_fields})
        return invitee, council, language

    async def update_context(
        self, telegram_id: int | None, update_id: int | None = None
    ) -> UpdateContext:
        """What the bot reads before handling an update, at once (`Database.fetch_together`:
        one trip to SQLite's thread): who wrote (as `whois`), their survey (as `survey`), their
        council's survey window (as `window`), and whether ``update_id`` was claimed and
        finished. Rows come typed from the schema, so they are built without validating them
        again."""
        [first], answer_rows = await self.db.fetch_together(
            [(_UPDATE_CONTEXT_SQL, (telegram_id, update_id)), (_UPDATE_ANSWERS_SQL, (telegram_id,))]
        )
        claimed = first["claimed"] is not None
        finished = claimed and first["finished_at"] is not None
        language = first["survey_language"] or first["account_language"]
        if first["id"] is None:
            return UpdateContext(language=language, claimed=claimed, finished=finished)
        council = _council_row(*(first[k] for k in _COUNCIL_KEYS))
        invitee = _invitee_row(*(first[k] for k in _INVITEE_KEYS))
        record = None
        if first["response_id"] is not None:
            record = _record_fast(first, lang_key="survey_language")
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
            claimed=claimed,
            finished=finished,
        )

    async def invitee_by_telegram(self, telegram_id: int) -> Invitee | None:
        row = await self.db.fetchone(_INVITEE_SQL + " WHERE i.telegram_id = ?", (telegram_id,))
        return None if row is None else _invitee(row)

    async def mark_emailed(self, invitee_ids: Iterable[int]) -> None:
        now = self._now()
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE invitees SET emailed_at = ? WHERE id = ?",
                [(now, i) for i in invitee_ids],
            )

    async def mark_unreachable(self, invitee_id: int, reason: Unreachable | None) -> None:
        """Records that an invitee cannot be reached ('blocked', 'bounced'), or no longer so."""
        await self.db.execute(
            "UPDATE invitees SET unreachable = ? WHERE id = ?", (reason, invitee_id)
        )

    # --- binding Telegram accounts ------------------------------------------------------

    async def bind(self, token: str, telegram_id: int) -> BindOutcome:
        """Ties a personal code to the Telegram account that opened it. A code works for one
        account only, and one account answers for one invitee only."""
        async with self.db.transaction() as conn:
            invitee = await conn.fetchone(
                "SELECT id, telegram_id FROM invitees WHERE token = ?", (token,)
            )
            if invitee is None:
                return "unknown"
            if invitee["telegram_id"] == telegram_id:
                return "already_yours"
            if invitee["telegram_id"] is not None:
                return "taken"
            if await conn.fetchone("SELECT 1 FROM invitees WHERE telegram_id = ?", (telegram_id,)):
                return "has_other"
            await conn.execute(
                "UPDATE invitees SET telegram_id = ?, opened_at = COALESCE(opened_at, ?),"
                " unreachable = CASE WHEN unreachable = 'blocked' THEN NULL ELSE unreachable END"
                " WHERE id = ?",
                (telegram_id, self._now(), invitee["id"]),
            )
            return "bound"

    # --- accounts -----------------------------------------------------------------------

    async def account_language(self, telegram_id: int) -> Lang | None:
        row = await self.db.fetchone(
            "SELECT language FROM accounts WHERE telegram_id = ?", (telegram_id,)
        )
        return None if row is None else row[0]

    async def remember_account(self, telegram_id: int, language: Lang | None = None) -> None:
        """Records a Telegram user who wrote to the bot (and their language, when given). A user
        who writes again has evidently unblocked the bot."""
        now = self._now()
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO accounts (telegram_id, language, first_seen) VALUES (?, ?, ?)"
                " ON CONFLICT (telegram_id) DO UPDATE SET"
                " language = COALESCE(excluded.language, accounts.language), blocked_at = NULL",
                (telegram_id, language, now),
            )
            await conn.execute(
                "UPDATE invitees SET unreachable = NULL"
                " WHERE telegram_id = ? AND unreachable = 'blocked'",
                (telegram_id,),
            )

    async def set_account_blocked(self, telegram_id: int) -> None:
        """The user blocked the bot: remembered on the account and on the invitee it answers for."""
        now = self._now()
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO accounts (telegram_id, first_seen, blocked_at) VALUES (?, ?, ?)"
                " ON CONFLICT (telegram_id) DO UPDATE SET blocked_at = excluded.blocked_at",
                (telegram_id, now, now),
            )
            await conn.execute(
                "UPDATE invitees SET unreachable = 'blocked' WHERE telegram_id = ?",
                (telegram_id,),
            )

    # --- the survey ---------------------------------------------------------------------

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
    ) -> SurveyRecord:
        """Saves a step of the survey in one transaction: the state, new or changed answers and
        answers withdrawn, and (inside `handling`) the update as handled. Submission is set
        once and never undone; after it the answers are final and a change raises
        `AlreadySubmitted` (nothing is saved).

        The transaction is a fixed list of statements (`Database.batch`: one trip to SQLite's
        thread): the response is upserted first and returns its submission time as it was,
        which the check reads before anything else is kept."""
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

        statements = [
            Statement(
                "INSERT INTO responses (invitee_id, language, privacy_accepted, cursor,"
                " reviewing, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (invitee_id) DO UPDATE SET language = excluded.language,"
                " privacy_accepted = excluded.privacy_accepted, cursor = excluded.cursor,"
                " reviewing = excluded.reviewing, updated_at = excluded.updated_at"
                " RETURNING id, submitted_at",
                (invitee_id, language, int(privacy_accepted), cursor, int(reviewing), now, now),
                check=final_answers,
            )
        ]
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
        if submitted:
            statements.append(
                Statement(
                    "UPDATE responses SET submitted_at = COALESCE(submitted_at, ?)"
                    " WHERE invitee_id = ?",
                    (now, invitee_id),
                )
            )
        marker = _HANDLING.get()
        if marker is not None and not marker.recorded:
            statements.append(Statement(_RECORD_UPDATE_SQL, (marker.update_id, now, now)))
        statements.append(Statement("SELECT * FROM responses WHERE invitee_id = ?", (invitee_id,)))
        results = await self.db.batch(statements)
        if marker is not None and not marker.recorded:
            marker.mark_recorded()
        return _record_fast(results[-1][0], id_key="id", invitee_key="invitee_id")

    async def forget(self, telegram_id: int) -> bool:
        """Forgets a person: their response and answers, the tie between their Telegram account
        and the roster, and the account itself. The roster row stays (the council invited them);
        their code still works if they want to start again. True if there was anything to forget."""
        async with self.db.transaction() as conn:
            forgotten = await conn.execute(
                "DELETE FROM responses WHERE invitee_id IN"
                " (SELECT id FROM invitees WHERE telegram_id = ?)",
                (telegram_id,),
            )
            forgotten += await conn.execute(
                "UPDATE invitees SET telegram_id = NULL WHERE telegram_id = ?", (telegram_id,)
            )
            forgotten += await conn.execute(
                "DELETE FROM accounts WHERE telegram_id = ?", (telegram_id,)
            )
        if forgotten:
            # secure_delete has zeroed the deleted rows in the database pages; the -wal file
            # still holds their old pages until it is checkpointed and truncated.
            await self.db.checkpoint()
        return forgotten > 0

    async def remove_invitees(self, council_id: int, emails: Iterable[str]) -> RemoveResult:
        """Takes people off a council's roster, all or none (an email the roster does not have
        removes nobody): their row, their code, their reminders, and (for anyone who had
        answered) their response and answers, as `forget` does, so a removal is a withdrawal:
        releases already made keep counting them, frozen, and the next release moves only as
        the confidentiality rule allows."""
        wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        found: list[tuple[str, Row]] = []
        async with self.db.transaction() as conn:
            for email in wanted:
                row = await conn.fetchone(
                    "SELECT i.id, i.telegram_id, r.id FROM invitees i"
                    " LEFT JOIN responses r ON r.invitee_id = i.id"
                    " WHERE i.council_id = ? AND i.email = ?",
                    (council_id, email),
                )
                if row is not None:
                    found.append((email, row))
            unknown = [e for e in wanted if e not in {email for email, _ in found}]
            if unknown:
                return RemoveResult(removed=[], answered=[], unknown=unknown)
            for _, row in found:
                await conn.execute("DELETE FROM responses WHERE invitee_id = ?", (row[0],))
                await conn.execute("DELETE FROM reminders WHERE invitee_id = ?", (row[0],))
                await conn.execute("DELETE FROM invitees WHERE id = ?", (row[0],))
                if row[1] is not None:
                    await conn.execute("DELETE FROM accounts WHERE telegram_id = ?", (row[1],))
        answered = [email for email, row in found if row[2] is not None]
        if answered:
            await self.db.checkpoint()  # as for `forget`: no old copy left in the -wal file
        return RemoveResult(removed=[e for e, _ in found], answered=answered, unknown=[])

    # --- Telegram updates ---------------------------------------------------------------

    async def record_update(self, update_id: int) -> None:
        """Records an update as handled (one statement): a delivery of it again is a no-op. An
        update that saved a survey step was recorded in that step's own transaction instead
        (`handling`)."""
        now = self._now()
        await self.db.execute_alone(_RECORD_UPDATE_SQL, (update_id, now, now))

    async def prune_updates(self, older_than: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM handled_updates WHERE handled_at < ?", (to_iso(older_than),)
        )

    # --- auditors -----------------------------------------------------------------------

    async def add_auditor(self, telegram_id: int, council_id: int | None) -> bool:
        """Lets a Telegram user see one council's results (or every council's: None)."""
        added = await self.db.execute(
            "INSERT INTO auditors (telegram_id, council_id, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (telegram_id, council_id, self._now()),
        )
        return added == 1

    async def remove_auditor(self, telegram_id: int, council_id: int | None) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM auditors WHERE telegram_id = ? AND COALESCE(council_id, 0) = ?",
                (telegram_id, council_id or 0),
            )
            > 0
        )

    async def list_auditors(self) -> list[tuple[int, str | None]]:
        rows = await self.db.fetchall(
            "SELECT a.telegram_id, c.slug FROM auditors a LEFT JOIN councils c"
            " ON c.id = a.council_id ORDER BY a.telegram_id, c.slug IS NOT NULL, c.slug"
        )
        return [(r[0], r[1]) for r in rows]

    async def auditor_scope(self, telegram_id: int) -> set[int] | Literal["all"] | None:
        """The councils an auditor may see: 'all', a set of council ids, or None (no auditor)."""
        rows = await self.db.fetchall(
            "SELECT council_id FROM auditors WHERE telegram_id = ?", (telegram_id,)
        )
        if not rows:
            return None
        ids = {r[0] for r in rows}
        return "all" if None in ids else ids

    # --- status and survey windows ------------------------------------------------------

    async def status(self, council_id: int) -> list[StatusRow]:
        """Counts by group, both groups always present (officers first)."""
        rows = await self.db.fetchall(
            "SELECT i.grp, COUNT(*) AS invited, COUNT(i.emailed_at) AS emailed,"
            " COUNT(i.opened_at) AS opened, COUNT(r.id) AS started,"
            " COUNT(r.submitted_at) AS submitted, COUNT(i.unreachable) AS unreachable"
            " FROM invitees i LEFT JOIN responses r ON r.invitee_id = i.id"
            " WHERE i.council_id = ? GROUP BY i.grp",
            (council_id,),
        )
        by_group = {r["grp"]: r for r in rows}
        counts = ("invited", "emailed", "opened", "started", "submitted", "unreachable")
        return [
            StatusRow(
                group=group,
                **{k: (by_group[group][k] if group in by_group else 0) for k in counts},
            )
            for group in GROUPS
        ]

    async def set_window(
        self, council_id: int, closes_on: date | None, opens_on: date | None = None
    ) -> None:
        """Opens (or re-opens) the council's survey, until the end of `closes_on` (None: no end)."""
        await self.db.execute(
            "INSERT INTO survey_windows (council_id, closes_on, opens_on) VALUES (?, ?, ?)"
            " ON CONFLICT (council_id) DO UPDATE SET closes_on = excluded.closes_on,"
            " opens_on = excluded.opens_on, closed_at = NULL",
            (
                council_id,
                None if closes_on is None else closes_on.isoformat(),
                None if opens_on is None else opens_on.isoformat(),
            ),
        )

    async def close_survey(self, council_id: int, at: datetime | None = None) -> None:
        """Closes the council's survey now (or at `at`); the first close time is kept."""
        moment = to_iso(at) if at is not None else self._now()
        await self.db.execute(
            "INSERT INTO survey_windows (council_id, closed_at) VALUES (?, ?)"
            " ON CONFLICT (council_id) DO UPDATE SET"
            " closed_at = COALESCE(survey_windows.closed_at, excluded.closed_at)",
            (council_id, moment),
        )

    async def windows(self) -> dict[int, tuple[date | None, datetime | None, date | None]]:
        """Every council's stored window (see `window`), in one query."""
        rows = await self.db.fetchall(
            "SELECT council_id, closes_on, closed_at, opens_on FROM survey_windows"
        )
        return {
            r[0]: (
                None if r[1] is None else date.fromisoformat(r[1]),
                from_iso(r[2]),
                None if r[3] is None else date.fromisoformat(r[3]),
            )
            for r in rows
        }

    async def window(
        self, council_id: int
    ) -> tuple[date | None, datetime | None, date | None] | None:
        """(closes_on, closed_at, opens_on), or None when no window was ever set (open)."""
        row = await self.db.fetchone(
            "SELECT closes_on, closed_at, opens_on FROM survey_windows WHERE council_id = ?",
            (council_id,),
        )
        if row is None:
            return None
        closes_on = None if row[0] is None else date.fromisoformat(row[0])
        opens_on = None if row[2] is None else date.fromisoformat(row[2])
        return closes_on, from_iso(row[1]), opens_on

    # The reminder bookkeeping, the report queries and the export live in their own modules;
    # the bot and the command line reach them through here, never through ``self.db``.

    @property
    def location(self) -> str:
        """Where the data lives (the database file, or the server without its password), for
        the operator's log lines."""
        return self.db.label

    def person_lock(self, telegram_id: int) -> AbstractAsyncContextManager[object]:
        """Held while one person's update is handled: one at a time across every worker
        sharing the database (see `Database.person_lock`)."""
        return self.db.person_lock(telegram_id)

    def leases(self, *, clock: Callable[[], datetime] | None = None) -> Leases:
        return Leases(self.db, clock=clock or self._clock)

    def heartbeats(self) -> Heartbeats:
        return Heartbeats(self.db, clock=self._clock)

    async def ping(self) -> bool:
        """True when the database answers (the webhook's /healthz)."""
        return await self.db.ping()

    def reminder_book(self, *, clock: Callable[[], datetime] | None = None) -> ReminderBook:
        return ReminderBook(self.db, clock=clock or self._clock)

    async def report_input(self, council_id: int) -> ReportRows:
        return await report_input(self.db, council_id)

    async def export_answers(self, release_id: int) -> list[ExportRow]:
        return await export_answers(self.db, release_id)

    async def export_comments(self, release_id: int) -> list[CommentRow]:
        return await export_comments(self.db, release_id)

    async def pending_releases(self) -> list[tuple[int, bool]]:
        return await releases.pending_councils(self.db)

    async def advance_release(
        self, council_id: int, decide: releases.Decide, min_group_size: int, *, final: bool
    ) -> releases.ReleaseRow | None:
        return await releases.advance(self.db, council_id, decide, min_group_size, final=final)

    async def latest_release(self, council_id: int) -> releases.ReleaseRow | None:
        return await releases.latest(self.db, council_id)

    async def withdrawn_since(self, release: releases.ReleaseRow) -> int:
        return await releases.withdrawn_since(self.db, release)

    async def national_input(
        self, councils: Iterable[Council], *, wales: bool = True
    ) -> dict[str, ReportRows]:
        """Each council's report input, for the national report (`reporting.national_input`)."""
        return await national_input(self.db, councils, wales=wales)


def _find_in(councils: list[Council], query: str) -> Council | None:
    wanted = {fold(query), match_key(query)} - {""}
    return next((c for c in councils if wanted & council_keys(c)), None)
