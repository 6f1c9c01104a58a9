"""storage: PostgreSQL shared by two workers (issue 24 §4), each worker a `Database` with a pool
of its own on one real database: no writer waits for another person's transaction, and what
must happen once (a code's binding, an update's handling, a roster row, a migration) still
happens once however the two interleave.

Where an interleaving matters it is forced, not hoped for: a third connection holds the row
that both workers need, the test waits until PostgreSQL shows both workers waiting for it
(``pg_stat_activity``), then lets go. Nothing here depends on how fast anything runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import asyncpg
import pytest

from storage.database import Database
from storage.opening import open_database
from storage.reporting import NewRelease, PastRelease, Roll
from storage.repository import Repository
from storage.rows import RosterRow, StoredAnswer
from storage.updates import handling

T = TypeVar("T")
WHEN = "2026-12-07T23:00:00Z"
STATE: dict[str, Any] = {"language": "en", "privacy_accepted": True, "reviewing": False}


@pytest.fixture
async def workers(postgres_url: str) -> AsyncIterator[tuple[Repository, Repository]]:
    """Two workers opening one new database at once (each applies the migrations it finds
    missing, under the migrations' own lock)."""
    one, two = await asyncio.gather(open_database(postgres_url), open_database(postgres_url))
    try:
        yield Repository(one), Repository(two)
    finally:
        await one.close()
        await two.close()


@pytest.fixture
async def observer(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own, outside both workers."""
    conn = await asyncpg.connect(postgres_url)
    try:
        yield conn
    finally:
        await conn.close()


async def lock_waiters(observer: asyncpg.Connection) -> int:
    """Connections to this database waiting for a lock (a row's, or an advisory one)."""
    count: int = await observer.fetchval(
        "SELECT COUNT(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return count


async def unblocked(observer: asyncpg.Connection, work: Awaitable[T]) -> T:
    """``work``'s result; a failure if, before it is done, any connection waits for a lock."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if await lock_waiters(observer):
            task.cancel()
            pytest.fail("the other worker waited for a lock the first worker holds")
        await asyncio.sleep(0.01)
    return task.result()


async def until_waiting(
    observer: asyncpg.Connection, count: int, *tasks: asyncio.Task[Any]
) -> None:
    """Returns once ``count`` connections wait for a lock (fails if a task ends first)."""
    while await lock_waiters(observer) < count:
        done = [t for t in tasks if t.done()]
        assert not done, f"finished without waiting: {[t.result() for t in done]}"
        await asyncio.sleep(0.01)


async def invite(repo: Repository, *emails: str) -> dict[str, str]:
    """Powys officers, one per email; their codes by email."""
    await repo.import_roster(
        [RosterRow(council="powys", group="officer", name=e, email=e) for e in emails]
    )
    powys = await repo.find_council("powys")
    assert powys is not None
    return {i.email: i.token for i in await repo.ensure_tokens(powys.id) if i.token}


async def bound(repo: Repository, email: str, telegram_id: int) -> int:
    token = (await invite(repo, email))[email]
    assert await repo.bind(token, telegram_id) == "bound"
    invitee = await repo.invitee_by_telegram(telegram_id)
    assert invitee is not None
    return invitee.id


def answer(qid: str, choice: str) -> StoredAnswer:
    return StoredAnswer(question_id=qid, choice=choice, text=None)


async def test_both_workers_applied_each_migration_once(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection
) -> None:
    versions = [r[0] for r in await observer.fetch("SELECT version FROM schema_migrations")]
    assert versions and len(versions) == len(set(versions))
    assert await observer.fetchval("SELECT COUNT(*) FROM councils") == 22


async def test_one_persons_open_transaction_holds_up_no_one_else(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection
) -> None:
    one, two = workers
    alice = await bound(one, "alice@powys.example", 101)
    bob = await bound(one, "bob@powys.example", 102)

    async def bobs_answer() -> None:
        async with two.person_lock(102):
            context = await two.update_context(102, 5001)
            assert context.invitee is not None and not context.handled
            with handling(5001):
                await two.save_survey(
                    bob, **STATE, cursor="q2", submitted=False, answers={"q1": answer("q1", "a")}
                )

    # Worker 1, handling Alice's update, has written her answer and not yet committed.
    async with one.person_lock(101), one.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO responses (invitee_id, language, privacy_accepted, cursor, reviewing,"
            " started_at, updated_at) VALUES (?, 'en', 1, 'q2', 0, ?, ?)",
            (alice, WHEN, WHEN),
        )
        await conn.execute(
            "INSERT INTO answers (response_id, question_id, choice, answered_at)"
            " SELECT id, 'q1', 'b', 'now' FROM responses WHERE invitee_id = ?",
            (alice,),
        )
        # Meanwhile worker 2 handles Bob's update to its end, and it is committed.
        await unblocked(observer, bobs_answer())
        committed = await observer.fetch(
            "SELECT r.invitee_id, a.choice FROM answers a JOIN responses r ON r.id = a.response_id"
        )
        assert [tuple(r) for r in committed] == [(bob, "a")]
        assert await observer.fetchval("SELECT finished_at FROM handled_updates") is not None
    assert (await two.survey(alice))[1]["q1"].choice == "b"


async def test_two_workers_bind_one_code_and_one_wins(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection, postgres_url: str
) -> None:
    one, two = workers
    token = (await invite(one, "carol@powys.example"))["carol@powys.example"]
    holder = await asyncpg.connect(postgres_url)
    try:
        blocker = holder.transaction()
        await blocker.start()
        await holder.execute("SELECT 1 FROM invitees WHERE token = $1 FOR UPDATE", token)
        # Both workers have read the code as free, and wait to write it as theirs.
        binds = [
            asyncio.ensure_future(one.bind(token, 201)),
            asyncio.ensure_future(two.bind(token, 202)),
        ]
        await until_waiting(observer, 2, *binds)
        await blocker.commit()
        outcomes = await asyncio.gather(*binds)
    finally:
        await holder.close()
    assert sorted(outcomes) == ["bound", "taken"]
    winner = 201 if outcomes[0] == "bound" else 202
    invitee = await one.invitee_by_token(token)
    assert invitee is not None and invitee.telegram_id == winner
    assert await two.invitee_by_telegram(403 - winner) is None
    assert await one.bind(token, winner) == "already_yours"


async def test_one_update_delivered_to_both_workers_is_handled_once(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection
) -> None:
    one, two = workers
    dave = await bound(one, "dave@powys.example", 301)
    first_has_read = asyncio.Event()
    go_on = asyncio.Event()

    async def deliver(repo: Repository, *, pause: bool) -> bool:
        """What the bot's middleware does with update 7001 (`OncePerUpdate`)."""
        async with repo.person_lock(301):
            context = await repo.update_context(301, 7001)
            if context.handled:
                return False
            if pause:
                first_has_read.set()
                await go_on.wait()
            cursor = "q3" if context.answers else "q2"  # a typed answer moves the cursor on
            with handling(7001):
                await repo.save_survey(
                    dave, **STATE, cursor=cursor, submitted=False, answers={"q1": answer("q1", "a")}
                )
            return True

    first = asyncio.ensure_future(deliver(one, pause=True))
    await first_has_read.wait()
    second = asyncio.ensure_future(deliver(two, pause=False))
    for _ in range(20):  # the second delivery is left to try the person's lock a while
        await asyncio.sleep(0.01)
    assert not second.done()
    go_on.set()
    assert sorted(await asyncio.gather(first, second)) == [False, True]
    record, _ = await one.survey(dave)
    assert record is not None and record.cursor == "q2"

    # The record alone, from both at once: one row, no error.
    await asyncio.gather(one.record_update(7002), two.record_update(7002))
    assert await observer.fetchval("SELECT COUNT(*) FROM handled_updates") == 2


async def test_two_roster_imports_at_once_both_succeed(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection, postgres_url: str
) -> None:
    one, two = workers
    rows = [
        RosterRow(council="powys", group="member", name=f"M{n}", email=f"m{n}@powys.example")
        for n in range(3)
    ]
    powys = await one.find_council("powys")
    assert powys is not None
    holder = await asyncpg.connect(postgres_url)
    try:
        blocker = holder.transaction()
        await blocker.start()
        await holder.execute(
            "INSERT INTO invitees (council_id, grp, name, email, created_at)"
            " VALUES ($1, 'member', 'M0', 'm0@powys.example', 'now')",
            powys.id,
        )
        # Both imports have found m0 missing, and wait to insert it.
        imports = [
            asyncio.ensure_future(one.import_roster(rows)),
            asyncio.ensure_future(two.import_roster(rows)),
        ]
        await until_waiting(observer, 2, *imports)
        await blocker.rollback()
        results = await asyncio.gather(*imports)
    finally:
        await holder.close()
    assert sorted(r.added for r in results) == [0, 3]
    assert sorted(r.unchanged for r in results) == [0, 3]
    assert await observer.fetchval("SELECT COUNT(*) FROM invitees") == 3


async def test_two_workers_releasing_one_council_at_once_store_one_release(
    workers: tuple[Repository, Repository], observer: asyncpg.Connection, postgres_url: str
) -> None:
    """Each release is decided against every one before it (the confidentiality rule): two
    reports asked for on two workers at once must not both store a release that the other's
    was never compared with."""
    one, two = workers
    for n, email in enumerate(("erin@powys.example", "fred@powys.example")):
        invitee = await bound(one, email, 401 + n)
        await one.save_survey(invitee, **STATE, cursor=None, submitted=True)
    powys = await one.find_council("powys")
    assert powys is not None
    seen: list[int] = []

    def decide(roll: Roll, history: list[PastRelease], final: bool) -> NewRelease:
        seen.append(len(history))
        members = tuple(p.response_id for p in roll.people if p.response_id is not None)
        return NewRelease(
            responses=len(members),
            final=final,
            groups=(),
            sizes=(),
            cells=(),
            figures=(),
            members=members,
        )

    holder = await asyncpg.connect(postgres_url)
    try:
        blocker = holder.transaction()
        await blocker.start()
        # A release's row names its council: both stores wait for this lock on that row.
        await holder.execute("SELECT 1 FROM councils WHERE id = $1 FOR UPDATE", powys.id)
        advances = [
            asyncio.ensure_future(repo.advance_release(powys.id, decide, 1, final=False))
            for repo in (one, two)
        ]
        await until_waiting(observer, 2, *advances)
        assert seen == [0, 0]  # both decided with no release before theirs
        await blocker.commit()
        shown = await asyncio.gather(*advances)
    finally:
        await holder.close()
    assert shown[0] is not None and shown[1] is not None and shown[0].id == shown[1].id
    assert await observer.fetchval("SELECT COUNT(*) FROM releases") == 1


async def test_fetch_together_keeps_order_types_and_placeholders(db: Database) -> None:
    """On both backends; on PostgreSQL it is one statement of JSON arrays (`_together`)."""
    councils, literal, nothing = await db.fetch_together(
        [
            ("SELECT slug, id FROM councils WHERE slug <> ? ORDER BY slug DESC", ("powys",)),
            ("SELECT '$1 ?' AS text, CAST(:n AS BIGINT) AS n, NULL AS none", {"n": 2**40}),
            ("SELECT id FROM councils WHERE id < ?", (0,)),
        ]
    )
    slugs = [row["slug"] for row in councils]
    assert len(slugs) == 21 and slugs == sorted(slugs, reverse=True) and "powys" not in slugs
    assert all(isinstance(row[1], int) for row in councils)
    assert dict(literal[0]) == {"text": "$1 ?", "n": 2**40, "none": None}
    text, n, none = literal[0]
    assert (text, n, none) == ("$1 ?", 2**40, None)
    assert nothing == []
