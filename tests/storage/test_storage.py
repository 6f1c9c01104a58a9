"""storage: the database, its migrations and the repository, on real SQLite files and on a real
PostgreSQL server (each test that takes `db` or `repo` runs on both)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

import pytest
from pydantic import ValidationError

from rubric.schema import Lang
from storage.answers import AlreadySubmitted
from storage.council_lookup import council_keys
from storage.councils import COUNCILS, fold, mutate
from storage.database import MIGRATIONS_DIR, Database, load_migrations
from storage.faults import STORAGE_ERRORS, is_write_fault
from storage.opening import open_database, open_read_only
from storage.repository import Repository
from storage.roster import RosterError
from storage.rows import RosterRow, StoredAnswer
from storage.sqlite import SqliteDatabase

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])
"""For what only SQLite has: pragmas, its file, its online backup, its locking by file."""


def person(council: str, email: str, *, group: str = "officer", **kw: object) -> RosterRow:
    return RosterRow.model_validate(
        {
            "council": council,
            "group": group,
            "name": kw.pop("name", email.split("@")[0]),
            "email": email,
            **kw,
        }
    )


async def scalar(db: Database, sql: str) -> Any:
    """The one value of the one row `sql` returns."""
    row = await db.fetchone(sql)
    assert row is not None
    return row[0]


async def invitee_id(repo: Repository, token: str) -> int:
    invitee = await repo.invitee_by_token(token)
    assert invitee is not None
    return invitee.id


async def powys_tokens(repo: Repository, *emails: str) -> list[str]:
    await repo.import_roster([person("powys", e) for e in emails])
    powys = await repo.find_council("powys")
    assert powys is not None
    invitations = {i.email: i.token for i in await repo.ensure_tokens(powys.id)}
    return [invitations[e] for e in emails]


def answer(qid: str, choice: str | None = None, text: str | None = None) -> StoredAnswer:
    return StoredAnswer(question_id=qid, choice=choice, text=text)


class State(TypedDict):
    """The keyword arguments of `Repository.save_survey` most tests pass as they are."""

    language: Lang | None
    privacy_accepted: bool
    reviewing: bool


STATE: State = {"language": "cy", "privacy_accepted": True, "reviewing": False}

# --- database ------------------------------------------------------------------------------


async def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"

    files = [(m.version, m.name) for m in load_migrations()]
    assert files[:3] == [(1, "initial"), (2, "reminders"), (3, "window_opens")]
    assert (4, "reminder_failures") in files and (5, "releases") in files
    async with await open_database(path) as db:
        assert await db.applied_migrations() == [v for v, _ in files]
    async with await open_database(path) as db:
        assert await db.applied_migrations() == [v for v, _ in files]
        rows = await db.fetchall("SELECT version, name FROM schema_migrations")
        assert [tuple(r) for r in rows] == files
        assert await scalar(db, "SELECT COUNT(*) FROM councils") == 22


async def test_new_migration_applied_once_and_failed_one_rolled_back(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_initial.sql").write_text((MIGRATIONS_DIR / "0001_initial.sql").read_text())
    path = tmp_path / "db.sqlite3"
    async with await open_database(path, migrations_dir=migrations):
        pass
    (migrations / "0002_extra.sql").write_text(
        "-- a comment\nCREATE TABLE extra (x INTEGER);\nINSERT INTO extra VALUES (1);\n"
    )
    (migrations / "0003_broken.sql").write_text(
        "CREATE TABLE half (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    )
    with pytest.raises(sqlite3.OperationalError):
        await open_database(path, migrations_dir=migrations)
    (migrations / "0003_broken.sql").unlink()
    async with await open_database(path, migrations_dir=migrations) as db:
        assert await db.applied_migrations() == [1, 2]
        assert await scalar(db, "SELECT COUNT(*) FROM extra") == 1
        half = await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'half'")
        assert half is None, "a failed migration must leave nothing behind"


@SQLITE_ONLY
async def test_pragmas(db: Database) -> None:
    assert isinstance(db, SqliteDatabase)  # SQLITE_ONLY
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("foreign_keys") == 1
    assert await db.pragma("busy_timeout") == 10_000
    assert await db.pragma("synchronous") == 1  # NORMAL
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(
            "INSERT INTO invitees (council_id, grp, name, email, created_at)"
            " VALUES (999, 'officer', 'X', 'x@example.org', 'now')"
        )


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (1, 'now')"
            )
            raise RuntimeError("boom")
    assert await db.fetchone("SELECT * FROM handled_updates") is None
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO handled_updates (update_id, handled_at) VALUES (2, 'now')")
        # a read by the task inside its own transaction sees its own write, without deadlock
        assert await scalar(db, "SELECT COUNT(*) FROM handled_updates") == 1
        with pytest.raises(RuntimeError):
            async with db.transaction():
                pass
    assert await scalar(db, "SELECT COUNT(*) FROM handled_updates") == 1


async def test_concurrent_transactions_do_not_interleave(db: Database) -> None:
    async def write(n: int) -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, 'a')", (n,)
            )
            await asyncio.sleep(0)  # let other coroutines try to run statements now
            if n % 2:
                raise ValueError(n)
            await conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, 'b')", (n + 1000,)
            )

    results = await asyncio.gather(*(write(n) for n in range(20)), return_exceptions=True)
    assert sum(isinstance(r, ValueError) for r in results) == 10
    rows = await db.fetchall("SELECT update_id FROM handled_updates ORDER BY update_id")
    expected = sorted([n for n in range(0, 20, 2)] + [n + 1000 for n in range(0, 20, 2)])
    assert [r[0] for r in rows] == expected


@SQLITE_ONLY
async def test_backup_is_a_consistent_copy(db: Database, repo: Repository, tmp_path: Path) -> None:
    assert isinstance(db, SqliteDatabase)  # SQLITE_ONLY
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    await repo.save_survey(
        iid, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "sa")}
    )
    dest = await db.backup(tmp_path / "copies" / "backup.sqlite3")
    assert not (tmp_path / "copies" / "backup.sqlite3.partial").exists()
    with sqlite3.connect(dest) as copy:
        assert copy.execute("SELECT choice FROM answers").fetchall() == [("sa",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with pytest.raises(ValueError):
        await db.backup(db.path)


async def test_second_connection_sees_committed_answers(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await open_database(path) as first:
        repo = Repository(first)
        [token] = await powys_tokens(repo, "a@example.org")
        iid = await invitee_id(repo, token)
        await repo.save_survey(
            iid, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "a")}
        )
        async with await open_database(path) as second:  # e.g. `datatool report` meanwhile
            record, answers = await Repository(second).survey(iid)
            assert record is not None and record.cursor == "q2"
            assert answers == {"q1": answer("q1", "a")}
    # and after the bot stopped, from a plain sqlite3 connection (another process's view)
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT question_id, choice FROM answers").fetchall() == [("q1", "a")]


@SQLITE_ONLY
async def test_save_waits_for_another_writer(repo: Repository, db: Database) -> None:
    assert isinstance(db, SqliteDatabase)  # SQLITE_ONLY
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    locked = threading.Event()

    def hold_write_lock() -> None:
        other = sqlite3.connect(db.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO handled_updates (update_id, handled_at, finished_at)"
                " VALUES (77, 'x', 'x')"
            )
            locked.set()
            time.sleep(1.0)
            other.execute("COMMIT")
        finally:
            other.close()

    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock))
    await asyncio.to_thread(locked.wait, 5)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(tick())
    started = time.monotonic()
    record = await repo.save_survey(
        iid, **STATE, cursor="q1", submitted=False, answers={"q1": answer("q1", "n")}
    )
    waited = time.monotonic() - started
    ticking.cancel()
    await holder
    assert waited > 0.5, "save_survey should have waited for the other writer"
    # The save waited for the lock on aiosqlite's thread, and the loop went on serving
    # everyone else.
    assert ticks >= 10, "the event loop was blocked while the save waited"
    assert record.cursor == "q1"
    assert (await repo.survey(iid))[1] == {"q1": answer("q1", "n")}
    assert (await repo.update_context(None, 77)).handled  # the other writer's row is there too


# --- councils ------------------------------------------------------------------------------


async def test_twenty_two_councils_with_mutations(repo: Repository) -> None:
    councils = await repo.councils()
    assert len(councils) == 22
    assert len({c.slug for c in councils}) == 22 and len({c.slug_cy for c in councils}) == 22
    powys = next(c for c in councils if c.slug == "powys")
    assert powys.name_cy == "Cyngor Sir Powys"
    assert powys.name_cy_soft == "Gyngor Sir Powys"
    assert powys.name_cy_nasal == "Nghyngor Sir Powys"
    assert powys.name_cy_aspirate == "Chyngor Sir Powys"
    assert powys.name("cy") == "Cyngor Sir Powys" and powys.name("en") == "Powys County Council"
    for council in councils:
        assert council.name_cy.startswith("Cyngor ")
        assert council.name_cy_nasal.startswith("Nghyngor ")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", council.slug_cy)
    slugs_cy = {c.slug: c.slug_cy for c in councils}
    assert slugs_cy["vale-of-glamorgan"] == "bro-morgannwg"
    assert slugs_cy["carmarthenshire"] == "sir-gar"
    assert slugs_cy["isle-of-anglesey"] == "ynys-mon"


def test_mutation_rules() -> None:
    assert mutate("Cyngor", "soft") == "Gyngor"
    assert mutate("Pen", "nasal") == "Mhen"
    assert mutate("tref", "aspirate") == "thref"
    assert mutate("Llanelli", "soft") == "Lanelli"
    assert mutate("Abertawe", "soft") == "Abertawe"
    assert fold("Cyngor Sir Ynys Môn") == "cyngor-sir-ynys-mon"


async def test_no_name_points_at_two_councils(repo: Repository) -> None:
    owner: dict[str, str] = {}
    for council in await repo.councils():
        for key in council_keys(council):
            assert owner.setdefault(key, council.slug) == council.slug, key


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("powys", "powys"),
        ("Powys", "powys"),
        ("POWYS COUNTY COUNCIL", "powys"),
        ("Cyngor Sir Powys", "powys"),
        ("CARDIFF", "cardiff"),
        ("caerdydd", "cardiff"),
        ("Vale of Glamorgan", "vale-of-glamorgan"),
        ("vale-of-glamorgan", "vale-of-glamorgan"),
        ("bro-morgannwg", "vale-of-glamorgan"),
        ("Bro Morgannwg", "vale-of-glamorgan"),
        ("Cyngor Sir Gâr", "carmarthenshire"),
        ("sir gar", "carmarthenshire"),
        ("ynys-mon", "isle-of-anglesey"),
        ("Ynys Môn", "isle-of-anglesey"),
        ("Anglesey", "isle-of-anglesey"),
        ("Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr", "bridgend"),
        ("pen y bont ar ogwr", "bridgend"),
        ("Newport City Council", "newport"),
        ("Cyngor Dinas Casnewydd", "newport"),
        ("  rhondda cynon taf ", "rhondda-cynon-taf"),
        ("Neath Port Talbot", "neath-port-talbot"),
        ("Sir y Fflint", "flintshire"),
    ],
)
async def test_find_council(repo: Repository, query: str, slug: str) -> None:
    council = await repo.find_council(query)
    assert council is not None and council.slug == slug


@pytest.mark.parametrize("query", ["", "  ", "Atlantis", "council", "cyngor", "sir"])
async def test_find_council_unknown(repo: Repository, query: str) -> None:
    assert await repo.find_council(query) is None


async def test_suggest_councils(repo: Repository) -> None:
    assert [c.slug for c in await repo.suggest_councils("powis")] == ["powys"]
    assert "cardiff" in [c.slug for c in await repo.suggest_councils("cardif")]
    assert await repo.suggest_councils("zzzzzzzz") == []
    assert len(await repo.suggest_councils("sir", n=2)) <= 2


def test_council_data_is_complete() -> None:
    assert len(COUNCILS) == 22
    assert len({c.slug for c in COUNCILS}) == 22


# --- roster --------------------------------------------------------------------------------


def test_roster_row_validation() -> None:
    row = person(" Powys ", "  Ann.Jones@Powys.GOV.uk ", group="MEMBER", language="", team=" ")
    assert row.email == "ann.jones@powys.gov.uk" and row.council == "Powys"
    assert row.group == "member" and row.language is None and row.team is None
    assert person("powys", "a@b.cy", language="CY").language == "cy"
    for bad in ("not-an-email", "a@b", "a b@c.org", ""):
        with pytest.raises(ValidationError):
            person("powys", bad)
    # Any group reads (whether the questionnaire has a tool for it is the import's check,
    # tests/cli/test_questionnaire.py); an empty one does not.
    assert person("powys", "a@b.org", group=" CMT ").group == "cmt"
    with pytest.raises(ValidationError):
        person("powys", "a@b.org", group="")
    with pytest.raises(ValidationError):
        person("powys", "a@b.org", language="fr")


async def test_roster_import_all_or_nothing(repo: Repository, db: Database) -> None:
    rows = [
        person("powys", "a@example.org"),
        person("Cardiff", "b@example.org"),
        person("Atlantis", "c@example.org"),
        person("powys", "d@example.org"),
    ]
    with pytest.raises(RosterError) as caught:
        await repo.import_roster(rows)
    # A code and its parameters, not an English sentence: the command line words it.
    assert caught.value.line_index == 2 and caught.value.code == "unknown_council"
    assert caught.value.params == {"council": "Atlantis"}
    assert await scalar(db, "SELECT COUNT(*) FROM invitees") == 0

    duplicate = [person("powys", "a@example.org"), person("Powys", "A@example.org")]
    with pytest.raises(RosterError) as caught:
        await repo.import_roster(duplicate)
    assert caught.value.line_index == 1 and caught.value.also_index == 0
    assert caught.value.code == "listed_twice"
    assert caught.value.params == {"email": "a@example.org", "council": "powys"}
    assert await scalar(db, "SELECT COUNT(*) FROM invitees") == 0


async def test_roster_reimport_and_update(repo: Repository) -> None:
    rows = [
        person("powys", "a@example.org", name="Ann", language="cy", team="CMT"),
        person("powys", "b@example.org", group="member", name="Bryn"),
        person("cardiff", "a@example.org", name="Ann"),  # same email, another council
    ]
    first = await repo.import_roster(rows)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = await repo.import_roster(rows)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    changed = [
        person("powys", "A@Example.org", name="Ann Jones", language="cy", team="CMT"),
        person("powys", "c@example.org"),
    ]
    third = await repo.import_roster(changed)
    assert (third.added, third.updated, third.unchanged) == (1, 1, 0)
    powys = await repo.find_council("powys")
    assert powys is not None
    people = {i.email: i for i in await repo.invitees(powys.id)}
    assert set(people) == {"a@example.org", "b@example.org", "c@example.org"}
    assert people["a@example.org"].name == "Ann Jones"
    assert people["a@example.org"].team == "CMT" and people["a@example.org"].language == "cy"
    assert people["b@example.org"].group == "member"


async def test_tokens_are_random_and_stable(repo: Repository) -> None:
    await repo.import_roster([person("powys", "b@example.org"), person("powys", "a@example.org")])
    powys = await repo.find_council("powys")
    assert powys is not None
    first = await repo.ensure_tokens(powys.id)
    assert [i.email for i in first] == ["a@example.org", "b@example.org"]
    for invitation in first:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", invitation.token)  # 32 * 6 = 192 bits
        assert invitation.council_slug == "powys" and invitation.group == "officer"
    assert len({i.token for i in first}) == 2
    await repo.import_roster([person("powys", "c@example.org", group="member")])
    second = await repo.ensure_tokens(powys.id)
    assert [i.group for i in second] == ["member", "officer", "officer"]  # by group, then name
    tokens = {i.email: i.token for i in second}
    assert {i.email: i.token for i in first}.items() <= tokens.items()
    assert tokens["c@example.org"] not in {i.token for i in first}
    cardiff = await repo.find_council("cardiff")
    assert cardiff is not None and await repo.ensure_tokens(cardiff.id) == []


# --- binding and accounts ------------------------------------------------------------------


async def test_bind_outcomes(repo: Repository) -> None:
    ann, bryn = await powys_tokens(repo, "ann@example.org", "bryn@example.org")
    assert await repo.bind("no-such-code", 1) == "unknown"
    assert (await repo.invitee_by_token(ann)).opened_at is None  # type: ignore[union-attr]
    assert await repo.bind(ann, 1) == "bound"
    bound = await repo.invitee_by_telegram(1)
    assert bound is not None and bound.email == "ann@example.org" and bound.opened_at is not None
    assert await repo.bind(ann, 1) == "already_yours"
    assert await repo.bind(ann, 2) == "taken"
    assert await repo.bind(bryn, 1) == "has_other"
    assert (await repo.invitee_by_token(bryn)).telegram_id is None  # type: ignore[union-attr]
    assert await repo.bind(bryn, 2) == "bound"
    assert await repo.invitee_by_telegram(3) is None


async def test_accounts(repo: Repository) -> None:
    assert await repo.account_language(5) is None
    await repo.remember_account(5)
    assert await repo.account_language(5) is None
    await repo.remember_account(5, "cy")
    await repo.remember_account(5)  # no language given keeps the one known
    assert await repo.account_language(5) == "cy"
    await repo.remember_account(5, "en")
    assert await repo.account_language(5) == "en"

    [token] = await powys_tokens(repo, "a@example.org")
    await repo.bind(token, 5)
    await repo.set_account_blocked(5)
    assert (await repo.invitee_by_telegram(5)).unreachable == "blocked"  # type: ignore[union-attr]
    await repo.remember_account(5)  # wrote again: unblocked
    assert (await repo.invitee_by_telegram(5)).unreachable is None  # type: ignore[union-attr]


# --- the survey ----------------------------------------------------------------------------


async def test_save_survey_upserts(repo: Repository) -> None:
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    assert await repo.survey(iid) == (None, {})

    first = await repo.save_survey(iid, **STATE, cursor="q1", submitted=False)
    assert first.started_at is not None and not first.submitted and first.cursor == "q1"
    await repo.save_survey(
        iid,
        **STATE,
        cursor="q3",
        submitted=False,
        answers={"q1": answer("q1", "sa"), "q2": answer("q2", text="Da iawn")},
    )
    second = await repo.save_survey(
        iid,
        **(STATE | {"reviewing": True}),
        cursor="q3",
        submitted=False,
        answers={"q1": answer("q1", "d"), "q3": answer("q3")},
        delete_answers=["q2"],
    )
    assert second.id == first.id and second.started_at == first.started_at
    record, answers = await repo.survey(iid)
    assert record == second and record.reviewing and record.language == "cy"
    assert answers == {"q1": answer("q1", "d"), "q3": answer("q3")}
    with pytest.raises(ValueError):
        await repo.save_survey(
            iid, **STATE, cursor=None, submitted=False, answers={"q1": answer("q9", "a")}
        )


@SQLITE_ONLY  # a SQLite trigger makes the last statement fail
async def test_save_survey_is_atomic(repo: Repository, db: Database) -> None:
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    await repo.save_survey(
        iid, **STATE, cursor="q1", submitted=False, answers={"q1": answer("q1", "a")}
    )
    await db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON answers WHEN NEW.question_id = 'boom'"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        await repo.save_survey(
            iid,
            **STATE,
            cursor="q9",
            submitted=True,
            answers={"q1": answer("q1", "sd"), "q2": answer("q2", "a"), "boom": answer("boom")},
        )
    record, answers = await repo.survey(iid)
    assert record is not None and record.cursor == "q1" and not record.submitted
    assert answers == {"q1": answer("q1", "a")}


async def test_no_change_after_submit(repo: Repository) -> None:
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    await repo.save_survey(
        iid, **STATE, cursor=None, submitted=False, answers={"q1": answer("q1", "a")}
    )
    done = await repo.save_survey(iid, **STATE, cursor=None, submitted=True)
    assert done.submitted and done.submitted_at is not None
    with pytest.raises(AlreadySubmitted):
        await repo.save_survey(
            iid, **STATE, cursor="q1", submitted=True, answers={"q1": answer("q1", "sd")}
        )
    with pytest.raises(AlreadySubmitted):
        await repo.save_survey(iid, **STATE, cursor="q1", submitted=False, delete_answers=["q1"])
    later = await repo.save_survey(
        iid, **(STATE | {"language": "en"}), cursor=None, submitted=False
    )
    assert later.submitted_at == done.submitted_at, "a submission is never undone"
    record, answers = await repo.survey(iid)
    assert record is not None and record.submitted and record.language == "en"
    assert answers == {"q1": answer("q1", "a")}


async def test_forget(repo: Repository, db: Database) -> None:
    [token] = await powys_tokens(repo, "a@example.org")
    iid = await invitee_id(repo, token)
    await repo.remember_account(9, "cy")
    assert await repo.bind(token, 9) == "bound"
    await repo.save_survey(
        iid, **STATE, cursor=None, submitted=True, answers={"q1": answer("q1", "a")}
    )
    assert await repo.forget(9) is True
    assert await repo.survey(iid) == (None, {})
    assert await scalar(db, "SELECT COUNT(*) FROM answers") == 0
    assert await repo.invitee_by_telegram(9) is None
    assert await repo.account_language(9) is None
    assert await repo.invitee_by_token(token) is None  # the code went with the account
    kept = await repo.invitee(iid)
    assert kept is not None and kept.telegram_id is None  # the roster row stays...
    assert kept.opened_at is None and kept.token is None  # ...saying nothing of taking part
    assert await repo.forget(9) is False
    [again] = await powys_tokens(repo, "a@example.org")  # `datatool invites` makes a new code
    assert again != token and await repo.bind(again, 9) == "bound"  # they may start again


async def test_record_update(repo: Repository) -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    timed = Repository(repo.db, clock=lambda: clock[0])
    assert not (await timed.update_context(None, 100)).handled
    await timed.record_update(100)
    assert (await timed.update_context(None, 100)).handled
    await timed.record_update(100)  # recording again is harmless
    clock[0] += timedelta(days=2)
    await timed.record_update(101)
    assert await timed.prune_updates(datetime(2026, 1, 2, tzinfo=UTC)) == 1
    assert (await timed.update_context(None, 101)).handled
    assert not (await timed.update_context(None, 100)).handled  # pruned: past any redelivery


async def test_auditors(repo: Repository) -> None:
    powys, cardiff = await repo.find_council("powys"), await repo.find_council("cardiff")
    assert powys is not None and cardiff is not None
    assert await repo.auditor_scope(7) is None
    assert await repo.add_auditor(7, powys.id) is True
    assert await repo.add_auditor(7, powys.id) is False
    assert await repo.add_auditor(7, cardiff.id) is True
    assert await repo.auditor_scope(7) == {powys.id, cardiff.id}
    assert await repo.add_auditor(8, None) is True
    assert await repo.add_auditor(8, None) is False
    assert await repo.auditor_scope(8) == "all"
    assert await repo.list_auditors() == [(7, "cardiff"), (7, "powys"), (8, None)]
    assert await repo.remove_auditor(7, powys.id) is True
    assert await repo.remove_auditor(7, powys.id) is False
    assert await repo.remove_auditor(8, powys.id) is False
    assert await repo.auditor_scope(7) == {cardiff.id}
    assert await repo.remove_auditor(8, None) is True
    assert await repo.auditor_scope(8) is None


async def test_status_counts(repo: Repository) -> None:
    await repo.import_roster(
        [person("powys", f"o{n}@example.org") for n in range(4)]
        + [person("powys", f"m{n}@example.org", group="member") for n in range(2)]
        + [person("cardiff", "x@example.org")]
    )
    powys = await repo.find_council("powys")
    assert powys is not None
    tokens = {i.email: i.token for i in await repo.ensure_tokens(powys.id)}
    people = {i.email: i for i in await repo.invitees(powys.id)}
    await repo.mark_emailed([people["o0@example.org"].id, people["o1@example.org"].id])
    await repo.mark_unreachable(people["o3@example.org"].id, "bounced")
    for n, email in enumerate(("o0@example.org", "o1@example.org", "m0@example.org")):
        assert await repo.bind(tokens[email], 100 + n) == "bound"
    await repo.save_survey(people["o0@example.org"].id, **STATE, cursor="q1", submitted=False)
    await repo.save_survey(people["o1@example.org"].id, **STATE, cursor=None, submitted=True)
    await repo.save_survey(people["m0@example.org"].id, **STATE, cursor=None, submitted=True)
    rows = {r.group: r for r in await repo.status(powys.id)}
    officer, member = rows["officer"], rows["member"]
    assert (officer.invited, officer.emailed, officer.opened) == (4, 2, 2)
    assert (officer.started, officer.submitted, officer.unreachable) == (2, 1, 1)
    assert (member.invited, member.emailed, member.opened) == (2, 0, 1)
    assert (member.started, member.submitted, member.unreachable) == (1, 1, 0)
    empty = await repo.status((await repo.find_council("gwynedd")).id)  # type: ignore[union-attr]
    assert [(r.group, r.invited, r.submitted) for r in empty] == [
        ("officer", 0, 0),
        ("member", 0, 0),
    ]


async def test_survey_window(repo: Repository) -> None:
    powys = await repo.find_council("powys")
    assert powys is not None
    assert await repo.window(powys.id) is None
    await repo.set_window(powys.id, date(2026, 12, 18))
    assert await repo.window(powys.id) == (date(2026, 12, 18), None, None)
    closed = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    await repo.close_survey(powys.id, closed)
    await repo.close_survey(powys.id, closed + timedelta(days=1))  # the first close stands
    assert await repo.window(powys.id) == (date(2026, 12, 18), closed, None)
    await repo.set_window(powys.id, None)  # re-opened with no end
    assert await repo.window(powys.id) == (None, None, None)
    await repo.set_window(powys.id, date(2027, 1, 31), date(2027, 1, 4))
    assert await repo.window(powys.id) == (date(2027, 1, 31), None, date(2027, 1, 4))
    cardiff = await repo.find_council("cardiff")
    assert cardiff is not None
    await repo.close_survey(cardiff.id)
    window = await repo.window(cardiff.id)
    assert window is not None and window[0] is None and window[1] is not None


@SQLITE_ONLY
async def test_cancelled_transaction_leaves_connection_usable(db: Database, tmp_path: Path) -> None:
    assert isinstance(db, SqliteDatabase)  # SQLITE_ONLY
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock() -> None:
        other = sqlite3.connect(db.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(5)
            other.execute("ROLLBACK")
        finally:
            other.close()

    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock))
    await asyncio.to_thread(locked.wait, 5)

    async def write() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (1, 'x')"
            )

    waiting = asyncio.create_task(write())
    await asyncio.sleep(0.2)  # now blocked in BEGIN IMMEDIATE on the other writer's lock
    waiting.cancel()
    release.set()  # the cancelled BEGIN now gets the lock on the connection's thread...
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await holder
    assert await db.pragma("busy_timeout") == 10_000  # ...and is rolled back: no open transaction
    await db.execute("INSERT INTO handled_updates (update_id, handled_at) VALUES (2, 'x')")
    rows = await db.fetchall("SELECT update_id FROM handled_updates")
    assert [r[0] for r in rows] == [2]


async def test_whois_reads_invitation_council_and_language_at_once(tmp_path: Path) -> None:
    async with await open_database(tmp_path / "w.sqlite3") as db:
        repo = Repository(db)
        await repo.import_roster(
            [RosterRow(council="powys", group="member", name="A", email="a@x.example")]
        )
        powys = await repo.find_council("powys")
        assert powys is not None
        token = (await repo.ensure_tokens(powys.id))[0].token
        assert await repo.whois(7) == (None, None, None)
        await repo.remember_account(7, "cy")
        assert await repo.whois(7) == (None, None, "cy")
        assert await repo.bind(token, 7) == "bound"
        invitee, council, lang = await repo.whois(7)
        assert invitee == await repo.invitee_by_telegram(7)
        assert council == powys and lang == "cy"


async def test_whois_gives_the_survey_language_before_the_accounts(tmp_path: Path) -> None:
    """The language the bot speaks is worked out once per update from this one read."""
    async with await open_database(tmp_path / "w.sqlite3") as db:
        repo = Repository(db)
        await repo.import_roster(
            [RosterRow(council="powys", group="member", name="A", email="a@x.example")]
        )
        powys = await repo.find_council("powys")
        assert powys is not None
        invitee = (await repo.invitees(powys.id))[0]
        token = (await repo.ensure_tokens(powys.id))[0].token
        await repo.remember_account(7, "en")
        assert await repo.bind(token, 7) == "bound"
        assert (await repo.whois(7))[2] == "en"  # no survey yet: the account's
        await repo.save_survey(
            invitee.id,
            language="cy",
            privacy_accepted=False,
            cursor=None,
            reviewing=False,
            submitted=False,
            answers={},
        )
        assert (await repo.whois(7))[2] == "cy"  # the survey's


async def test_the_other_stores_are_reached_through_the_repository(tmp_path: Path) -> None:
    """One storage API: the bot never reaches through ``repo.db``."""
    async with await open_database(tmp_path / "r.sqlite3") as db:
        repo = Repository(db)
        powys = await repo.find_council("powys")
        assert powys is not None
        assert (await repo.report_input(powys.id)).council_slug == "powys"
        assert await repo.export_answers(powys.id) == []
        assert await repo.reminder_book().council_ids() == []


async def test_read_only_opening_reads_and_refuses_writes(database_url: str) -> None:
    async with await open_database(database_url) as db:
        await Repository(db).import_roster([person("powys", "a@example.org")])
    async with await open_read_only(database_url) as db:
        powys = await Repository(db).find_council("powys")
        assert powys is not None and len(await Repository(db).invitees(powys.id)) == 1
        with pytest.raises(STORAGE_ERRORS) as caught:
            await db.execute("DELETE FROM invitees")
        assert is_write_fault(caught.value), "told apart as the machine's fault, not the data's"
    async with await open_database(database_url) as db:
        assert await scalar(db, "SELECT COUNT(*) FROM invitees") == 1
