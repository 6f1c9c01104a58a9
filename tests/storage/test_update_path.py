"""storage: the answer path's two calls (issue 14), on SQLite and PostgreSQL: one read of all an
update needs (`Repository.update_context`) and one write transaction that saves the step and
records the update (`Repository.save_survey` inside `handling`), and `Database.batch` beneath."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite
import pytest

from storage.answers import AlreadySubmitted
from storage.database import Database, Statement
from storage.repository import Repository
from storage.rows import RosterRow, StoredAnswer
from storage.sqlite import SqliteDatabase
from storage.updates import handling

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])
STATE: dict[str, Any] = {"language": "cy", "privacy_accepted": True, "reviewing": False}


async def bound(repo: Repository, telegram_id: int, email: str = "a@powys.example") -> int:
    """An invitee of Powys bound to ``telegram_id``; their invitee id."""
    await repo.import_roster(
        [RosterRow(council="powys", group="officer", name="A", email=email, team="Data")]
    )
    powys = await repo.find_council("powys")
    assert powys is not None
    token = {i.email: i.token for i in await repo.ensure_tokens(powys.id)}[email]
    assert await repo.bind(token, telegram_id) == "bound"
    invitee = await repo.invitee_by_telegram(telegram_id)
    assert invitee is not None
    return invitee.id


def answer(qid: str, choice: str | None = None, text: str | None = None) -> StoredAnswer:
    return StoredAnswer(question_id=qid, choice=choice, text=text)


async def handled(repo: Repository, update_id: int) -> bool:
    return (await repo.update_context(None, update_id)).handled


# --- the one read ----------------------------------------------------------------------------


async def test_update_context_of_a_stranger_and_of_no_one(repo: Repository) -> None:
    nobody = await repo.update_context(None, None)
    assert nobody.invitee is None and nobody.council is None and nobody.language is None
    assert nobody.record is None and nobody.answers == {} and nobody.window is None
    assert not nobody.handled
    await repo.remember_account(7, "en")
    stranger = await repo.update_context(7, 1)
    assert stranger.invitee is None and stranger.language == "en" and not stranger.handled


async def test_update_context_reads_what_the_separate_reads_would(repo: Repository) -> None:
    iid = await bound(repo, 7)
    await repo.remember_account(7, "en")
    first = await repo.update_context(7, 10)
    invitee, council, lang = await repo.whois(7)
    assert (first.invitee, first.council, first.language) == (invitee, council, lang)
    assert first.record is None and first.answers == {} and first.window is None

    await repo.save_survey(
        iid,
        **STATE,
        cursor="q3",
        submitted=False,
        answers={"q1": answer("q1", "sa"), "q2": answer("q2", text="Da iawn"), "q0": answer("q0")},
    )
    assert council is not None
    await repo.set_window(council.id, date(2026, 7, 31), opens_on=date(2026, 7, 1))
    await repo.close_survey(council.id, at=datetime(2026, 7, 20, 12, tzinfo=UTC))
    context = await repo.update_context(7, 10)
    record, answers = await repo.survey(iid)
    assert context.record == record and context.answers == answers
    assert list(context.answers) == ["q0", "q1", "q2"]
    assert context.window == await repo.window(council.id)
    assert context.language == "cy"  # the survey's, before the account's
    # Built without validation, yet equal to (and typed as) the validated rows.
    assert context.invitee == await repo.invitee_by_telegram(7)
    assert context.record is not None and isinstance(context.record.started_at, datetime)
    assert not context.handled

    await repo.record_update(10)
    assert (await repo.update_context(7, 10)).handled
    assert not (await repo.update_context(7, 11)).handled


@SQLITE_ONLY
async def test_every_statement_of_the_answer_path_runs_on_aiosqlites_thread(
    repo: Repository, db: Database
) -> None:
    """One thread for SQLite (storage.sqlite's notes): the read, the step's write and the
    update's record each run on aiosqlite's thread, never on the event loop's, where a wait for
    another process's lock or a checkpoint's fsync would stall every person."""
    iid = await bound(repo, 7)
    assert isinstance(db, SqliteDatabase)
    ran: list[tuple[int, str]] = []
    await db.trace(lambda sql: ran.append((threading.get_ident(), sql)))
    try:
        context = await repo.update_context(7, 5)
        assert context.invitee is not None and context.invitee.id == iid
        with handling(5):
            await repo.save_survey(
                iid, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "a")}
            )
        await repo.record_update(6)
    finally:
        await db.trace(None)
    statements = " ".join(sql for _, sql in ran)
    assert "BEGIN IMMEDIATE" in statements and "handled_updates" in statements
    assert "answers" in statements
    assert threading.get_ident() not in {thread for thread, _ in ran}
    assert (await repo.survey(iid))[1] == {"q1": answer("q1", "a")}
    assert await handled(repo, 5) and await handled(repo, 6)


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of aiosqlite's calls made from here on: each is one trip to its thread."""
    trips: list[str] = []
    for name in ("execute", "execute_fetchall", "executemany", "executescript", "commit"):
        method = getattr(aiosqlite.Connection, name)

        def counted(self: Any, *args: Any, _method: Any = method, _name: str = name) -> Any:
            trips.append(_name)
            return _method(self, *args)

        monkeypatch.setattr(aiosqlite.Connection, name, counted)
    return trips


@SQLITE_ONLY
async def test_the_answer_paths_trips_to_aiosqlites_thread(
    repo: Repository, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each trip to aiosqlite's thread costs a wake-up of that thread and of the loop, and a
    transaction's trips hold the connection for everyone (storage.sqlite's notes; issue 24).
    The update's read is one statement (its own snapshot: no BEGIN and COMMIT); a tap's write is
    a script (BEGIN IMMEDIATE, the update's record, the response, the answer), the check's read
    and the COMMIT; a typed answer's text is never written into a script, so it is one more."""
    iid = await bound(repo, 7)
    await repo.save_survey(
        iid, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "a")}
    )
    ran: list[str] = []
    assert isinstance(db, SqliteDatabase)
    await db.trace(ran.append)
    trips = count_trips(monkeypatch)
    context = await repo.update_context(7, 5)
    assert trips == ["execute_fetchall"] and context.answers == {"q1": answer("q1", "a")}
    trips.clear()
    with handling(5):
        record = await repo.save_survey(
            iid, **STATE, cursor="q3", submitted=False, answers={"q2": answer("q2", "b")}
        )
    assert trips == ["executescript", "execute_fetchall", "commit"]
    assert record == (await repo.survey(iid))[0] and record is not None and record.cursor == "q3"
    trips.clear()
    typed = "It's; -- 'quoted' ?"
    with handling(6):
        await repo.save_survey(
            iid, **STATE, cursor="q4", submitted=False, answers={"q3": answer("q3", text=typed)}
        )
    assert trips == ["executescript", "executemany", "execute_fetchall", "commit"]
    await db.trace(None)
    assert not any(typed in sql for sql in ran), "a person's words are bound, never inlined"
    assert (await repo.survey(iid))[1]["q3"].text == typed
    assert await handled(repo, 5) and await handled(repo, 6)


def test_only_plain_codes_numbers_and_times_are_written_into_a_script() -> None:
    from storage.sqlite import _inline

    record = "INSERT INTO t (a, b, c) VALUES (?, ?, ?)"
    assert _inline(Statement(record, (5, "2026-12-08T02:40:00Z", None))) == (
        "INSERT INTO t (a, b, c) VALUES (5, '2026-12-08T02:40:00Z', NULL)"
    )
    assert _inline(Statement("UPDATE t SET n = n-? WHERE id = ?", (-1, 2))) == (
        "UPDATE t SET n = n-(-1) WHERE id = 2"
    )
    assert _inline(Statement(record, [(1, "v_vision", "sa")], many=True)) is not None
    for text in ("It's", "a b", "x;y", "?", "Da iawn", "ŵ", "1.5e3'"):
        assert _inline(Statement(record, (1, text, None))) is None, text
    assert _inline(Statement(record, (1, 2.5, None))) is None
    assert _inline(Statement(record, (True, 1, 2))) is None
    assert _inline(Statement(record + " RETURNING *", (1, 2, 3))) is None
    assert _inline(Statement("SELECT ?", (1,))) is None
    assert _inline(Statement(record, (1, 2, 3), check=lambda rows: None)) is None
    assert _inline(Statement(record, [(1, 2, 3), (4, 5, 6)], many=True)) is None
    assert _inline(Statement("INSERT INTO t VALUES ('?', ?)", (1,))) is None


@SQLITE_ONLY
async def test_a_change_after_submission_rolls_back_the_inlined_statements_too(
    repo: Repository,
) -> None:
    """The update's record and the tap's answer go with the BEGIN, before the check reads the
    submission time: when the check refuses, they are rolled back with the rest."""
    iid = await bound(repo, 7)
    await repo.save_survey(
        iid, **STATE, cursor=None, submitted=True, answers={"q1": answer("q1", "a")}
    )
    with pytest.raises(AlreadySubmitted), handling(9):
        await repo.save_survey(
            iid, **STATE, cursor=None, submitted=False, answers={"q1": answer("q1", "b")}
        )
    assert (await repo.survey(iid))[1] == {"q1": answer("q1", "a")}
    assert not await handled(repo, 9)


@SQLITE_ONLY
async def test_checkpoints_every_so_many_commits_off_the_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection never checkpoints by itself (a checkpoint fsyncs); every CHECKPOINT_EVERY
    commits it checkpoints, copying the pages from the -wal file into the database file."""
    import storage.sqlite

    assert isinstance(db, SqliteDatabase)
    assert await db.pragma("wal_autocheckpoint") == 0
    monkeypatch.setattr(storage.sqlite, "CHECKPOINT_EVERY", 4)
    await db.execute("CREATE TABLE blobs (b BLOB)")  # commit 1 since the fixture's
    db.commits_since_checkpoint = 1
    size = db.path.stat().st_size
    insert = Statement("INSERT INTO blobs VALUES (?)", (b"x" * 100_000,))
    await db.batch([insert])
    await db.batch([insert])
    assert db.path.stat().st_size == size, "still only in the -wal file"
    await db.batch([insert])  # the 4th commit
    assert db.path.stat().st_size > size + 250_000


# --- the one write ---------------------------------------------------------------------------


async def test_a_saved_step_records_its_update_in_the_same_transaction(repo: Repository) -> None:
    iid = await bound(repo, 7)
    with handling(20) as marker:
        assert not marker.recorded
        await repo.save_survey(
            iid, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "a")}
        )
        assert marker.recorded
        # A second step in the same update (none does today) records nothing twice.
        await repo.save_survey(iid, **STATE, cursor="q2", submitted=False)
    assert await handled(repo, 20)
    # Outside `handling`, a save records no update.
    await repo.save_survey(iid, **STATE, cursor="q3", submitted=False)
    assert [r[0] for r in await repo.db.fetchall("SELECT update_id FROM handled_updates")] == [20]


async def test_a_refused_step_records_nothing(repo: Repository) -> None:
    iid = await bound(repo, 7)
    await repo.save_survey(
        iid, **STATE, cursor=None, submitted=True, answers={"q1": answer("q1", "a")}
    )
    with handling(30) as marker, pytest.raises(AlreadySubmitted):
        await repo.save_survey(
            iid, **STATE, cursor="q1", submitted=True, answers={"q1": answer("q1", "sd")}
        )
    assert not marker.recorded
    assert not (await repo.update_context(None, 30)).handled, "redelivered: handled again"
    record, answers = await repo.survey(iid)
    assert record is not None and record.submitted and answers == {"q1": answer("q1", "a")}


@SQLITE_ONLY  # a SQLite trigger makes the update's record fail, after the answer was written
async def test_the_answer_and_the_updates_record_commit_together(
    repo: Repository, db: Database
) -> None:
    iid = await bound(repo, 7)
    await db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON handled_updates WHEN NEW.update_id = 666"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with handling(666) as marker, pytest.raises(sqlite3.IntegrityError):
        await repo.save_survey(
            iid, **STATE, cursor="q2", submitted=False, answers={"q2": answer("q2", text="hi")}
        )
    assert not marker.recorded
    assert await repo.survey(iid) == (None, {}), "no answer without its update's record"


async def test_batch_runs_in_order_returns_rows_and_rolls_back_on_a_check(db: Database) -> None:
    await db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    rows = await db.batch(
        [
            Statement("INSERT INTO t (k, v) VALUES (?, ?) RETURNING k", (1, "a")),
            Statement("INSERT INTO t (k, v) VALUES (?, ?)", [(2, "b"), (3, "c")], many=True),
            Statement("SELECT v FROM t ORDER BY k"),
        ]
    )
    assert [r[0] for r in rows[0]] == [1] and rows[1] == []
    assert [r[0] for r in rows[2]] == ["a", "b", "c"]

    def refuse(found: list[Any]) -> None:
        if found:
            raise LookupError("refused")

    with pytest.raises(LookupError):
        await db.batch(
            [
                Statement("UPDATE t SET v = 'z'"),
                Statement("SELECT k FROM t WHERE k = ?", (2,), check=refuse),
                Statement("DELETE FROM t"),
            ]
        )
    assert [r[0] for r in await db.fetchall("SELECT v FROM t ORDER BY k")] == ["a", "b", "c"]
    # The connection is usable afterwards, for a batch and a transaction alike.
    await db.batch([Statement("DELETE FROM t WHERE k = ?", (3,))])
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM t WHERE k = ?", (2,))
    assert [r[0] for r in await db.fetchall("SELECT k FROM t")] == [1]


@SQLITE_ONLY
async def test_after_a_truncating_checkpoint_the_loops_writes_commit_and_let_go_of_the_lock(
    db: Database,
) -> None:
    """A withdrawal checkpoints (TRUNCATE); the answer path's next writes follow. Had the
    checkpoint's statement been left half-read, its cursor would stay active: the next COMMIT
    would fail, or the write lock would stay taken, locking every other process out."""
    assert isinstance(db, SqliteDatabase)
    await db.execute("CREATE TABLE notes (n INTEGER)")
    await db.checkpoint()
    await db.batch([Statement("INSERT INTO notes VALUES (1)")])
    await db.execute_alone("INSERT INTO notes VALUES (2)")
    other = sqlite3.connect(db.path, isolation_level=None, timeout=1)
    try:
        other.execute("BEGIN IMMEDIATE")  # the lock is free
        other.execute("INSERT INTO notes VALUES (3)")
        other.execute("COMMIT")
    finally:
        other.close()
    assert [r[0] for r in await db.fetchall("SELECT n FROM notes ORDER BY n")] == [1, 2, 3]
