"""SQLite behind one aiosqlite connection: the embedded default, which needs nothing installed.

The bot is one process with many coroutines sharing this connection. SQLite transactions belong
to a connection, not to a coroutine, so two coroutines writing at once would interleave their
statements inside one transaction. `SqliteDatabase` therefore serialises all use of the
connection with an asyncio.Lock: a write is `async with db.transaction() as conn:` (BEGIN
IMMEDIATE ... COMMIT, or ROLLBACK on any error), a read is `await db.fetchall(...)` and never sees
another coroutine's half-done transaction. Other processes (`datatool` commands, backups) are
handled by SQLite's own locking: WAL lets them read while we write, and busy_timeout makes a
writer wait for the lock rather than fail.

The answer path's own statements (`fetch_together`, `batch`, `execute_alone`: a few indexed
rows each) run on the event loop's thread, not aiosqlite's. Each is tens of microseconds of
SQLite, and a trip to the other thread cost more than that: the queue, the wake-up, the result
handed back through the loop, and the two threads taking turns at the GIL (under the
answer-path benchmark, moving them here cut the bot's CPU per answer by about a fifth and
raised its answers per second by about a third: docs/benchmarks.md). Two things could make
such a statement wait, and neither may stall the loop: another process holding the write lock
(those statements run with no busy wait, and one that finds the database busy runs again on
aiosqlite's thread, which waits as before), and a checkpoint, which fsyncs (this connection
never checkpoints by itself; every `CHECKPOINT_EVERY` commits it checkpoints on aiosqlite's
thread). Everything else (migrations, reports, exports, backups) keeps to aiosqlite's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from storage.database import Connection, Database, Params, Statement

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another connection's lock (a backup, a CLI command) before failing."""
CHECKPOINT_EVERY = 200
"""Commits between two checkpoints (a few pages each: about SQLite's own 1,000-page default)."""


PRIVATE = 0o600
"""A new database (and a backup) is its owner's alone: it holds everyone's answers. SQLite gives
the -wal and -shm files beside it the database's own permissions."""


def private_file(path: Path) -> None:
    """Creates ``path`` empty, readable and writable by its owner alone, unless it exists (an
    existing file keeps the permissions its operator gave it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return
    os.close(fd)


class SqliteConnection:
    """The `Connection` API over the aiosqlite connection, inside a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # execute_fetchall is one trip to aiosqlite's thread; a cursor's execute, fetch and
        # close would be three.
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        return next(iter(await self._conn.execute_fetchall(sql, params)), None)


class SqliteDatabase(Database):
    """One SQLite file (or ``:memory:``), its connection and its write lock."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._wrapped = SqliteConnection(conn)
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._commits = 0
        """Commits since the last checkpoint."""

    @classmethod
    async def _connect(cls, target: str) -> SqliteDatabase:
        path = Path(target)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            private_file(path)
        # check_same_thread=False: the answer path's statements run on the loop's thread (see
        # the module's notes), always under the lock, never beside aiosqlite's own work.
        conn = await aiosqlite.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")
            await conn.execute_fetchall("PRAGMA foreign_keys = ON")
            await conn.execute_fetchall("PRAGMA synchronous = NORMAL")
            # Checkpoints fsync: `_committed` runs them on aiosqlite's thread instead.
            await conn.execute_fetchall("PRAGMA wal_autocheckpoint = 0")
            # Deleted rows (a withdrawn person's answers) are overwritten with zeros, not left
            # in free pages; `checkpoint` then empties the -wal file of their old copies.
            await conn.execute_fetchall("PRAGMA secure_delete = ON")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    @classmethod
    async def _connect_read_only(cls, target: str) -> SqliteDatabase:
        path = Path(target)
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        base = path.resolve().as_uri()
        try:
            conn = await _connect_uri(base + "?mode=ro")
        except sqlite3.OperationalError:
            # A WAL database whose folder is read-only cannot get its -shm file; nobody can
            # write it there either, so reading it as immutable is exact.
            conn = await _connect_uri(base + "?mode=ro&immutable=1")
        try:
            await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute_fetchall("PRAGMA query_only = ON")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def _has_table(self, name: str) -> bool:
        row = await self.fetchone(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return row is not None

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @property
    def label(self) -> str:
        return str(self.path)

    # --- writing ------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """BEGIN IMMEDIATE takes SQLite's write lock at the start (waiting up to busy_timeout
        for other processes), so a transaction never fails half-way for want of the lock."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("transaction() is not re-entrant: this task already holds one")
        async with self._lock:
            self._owner = task
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._wrapped
                await self._conn.commit()
            except BaseException:
                # Unconditional: a BEGIN or COMMIT whose await was cancelled still runs on the
                # connection's thread, and this ROLLBACK is queued after it, so no transaction
                # is ever left open for the next holder of the lock.
                with contextlib.suppress(sqlite3.Error):
                    await self._conn.execute("ROLLBACK")
                raise
            finally:
                self._owner = None
            await self._committed()

    async def _on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``work`` with the sqlite3 connection on aiosqlite's own thread: one trip, however
        many statements it runs. (aiosqlite has no public call for this; ``_execute`` is what
        each of its own methods queues its work with.) The caller holds the lock; if it is
        cancelled, the work still runs to its end on the thread, and the lock is kept until
        then, so nothing run on the loop's thread can fall inside it."""
        conn = self._conn
        done = asyncio.ensure_future(conn._execute(lambda: work(conn._conn)))  # type: ignore[no-untyped-call]
        try:
            return cast(T, await asyncio.shield(done))
        finally:
            if not done.done():
                await asyncio.wait({done})

    async def _quick(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``work`` (a few indexed rows) on the loop's thread, never waiting for another
        process's lock: if the database is busy, on aiosqlite's thread, which waits. ``work``
        must be safe to run again after a busy failure: one transaction, or one statement.
        The caller holds the lock."""
        raw: sqlite3.Connection = self._conn._conn
        raw.execute("PRAGMA busy_timeout = 0").close()
        try:
            return work(raw)
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").close()
        return await self._on_thread(lambda conn: work(_rolled_back(conn)))

    async def _committed(self) -> None:
        """Counts a commit, and checkpoints (passively: never waiting for readers) on
        aiosqlite's thread every `CHECKPOINT_EVERY` commits. The caller holds the lock."""
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY:
            return
        self._commits = 0
        try:
            await self._on_thread(lambda conn: _checkpoint(conn, "PASSIVE"))
        except sqlite3.Error as e:  # the commit stands; the next checkpoint does this one's work
            log.warning("checkpoint failed: %s", type(e).__name__)

    async def batch(self, statements: Sequence[Statement]) -> list[list[Any]]:
        """The whole transaction (BEGIN IMMEDIATE, the statements and their checks, COMMIT or
        ROLLBACK) in one function on the loop's thread (`_quick`), so nothing another coroutine
        queues can run in the middle of it and no cancellation can stop it half-way."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("batch() inside this task's own transaction()")
        async with self._lock:
            results = await self._quick(lambda conn: _run_batch(conn, statements))
            await self._committed()
            return results

    async def execute_alone(self, sql: str, params: Params = ()) -> int:
        """Autocommit: SQLite makes a single statement atomic by itself, so this is one
        statement instead of three (BEGIN, the statement, COMMIT), on the loop's thread."""
        async with self._lock:
            count = await self._quick(lambda conn: conn.execute(sql, params).rowcount)
            await self._committed()
            return count

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as conn:
            return await conn.execute(sql, params)

    # --- reading ------------------------------------------------------------------------

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[SqliteConnection]:
        if self._owner is not None and self._owner is asyncio.current_task():
            yield self._wrapped
            return
        async with self._lock:
            yield self._wrapped

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._reading() as conn:
            return await conn.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._reading() as conn:
            return await conn.fetchone(sql, params)

    async def fetch_together(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        if self._owner is not None and self._owner is asyncio.current_task():
            return [await self._wrapped.fetchall(sql, params) for sql, params in queries]
        async with self._lock:
            return await self._quick(lambda conn: _read_together(conn, queries))

    async def checkpoint(self) -> None:
        """Copies the -wal file into the database and truncates it to nothing, so that rows
        just deleted (securely) leave no old copy behind in the write-ahead log. Readers in
        other processes can hold it back; then it is done by the next checkpoint."""
        async with self._lock:
            await self._on_thread(lambda conn: _checkpoint(conn, "TRUNCATE"))

    async def pragma(self, name: str) -> Any:
        """The value of a PRAGMA (for checks and diagnostics)."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a pragma name: {name!r}")
        row = await self.fetchone(f"PRAGMA {name}")
        return None if row is None else row[0]

    # --- serving ------------------------------------------------------------------------

    async def ping(self) -> bool:
        try:
            await self.fetchone("SELECT COUNT(*) FROM schema_migrations")
        except (sqlite3.Error, ValueError):
            return False
        return True

    def person_lock(self, key: int) -> AbstractAsyncContextManager[object]:
        """One process serves a SQLite file, so the bot's in-process lock is all there is."""
        return contextlib.nullcontext()

    # --- backup -------------------------------------------------------------------------

    async def backup(self, dest: str | Path) -> Path:
        """SQLite's online backup API. The copy is written beside `dest` and renamed into
        place, so `dest` is never a half-written file."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise ValueError("the backup file must not be the database itself")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
        private_file(partial)  # a copy of everyone's answers: the owner's alone, as the database
        target = await aiosqlite.connect(partial, isolation_level=None)
        try:
            async with self._lock:
                await self._conn.backup(target)
            # A single self-contained file: no -wal beside the copy.
            await target.execute("PRAGMA journal_mode = DELETE")
        finally:
            await target.close()
        os.replace(partial, dest)
        return dest

    # --- schema -------------------------------------------------------------------------

    async def _run_script(self, conn: Connection, script: str) -> None:
        """Statement by statement inside the open transaction (executescript would COMMIT
        first, which would split a migration over two transactions)."""
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                if statement.strip():
                    await conn.execute(statement)
                statement = ""
        if statement.strip() and not _only_comments(statement):
            raise ValueError(f"incomplete SQL statement at the end of a migration: {statement!r}")


async def _connect_uri(uri: str) -> aiosqlite.Connection:
    """A connection that has read the file (SQLite opens lazily, so a file it cannot read
    fails here rather than at the first query)."""
    conn = await aiosqlite.connect(
        uri,
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,  # as the bot's: see `SqliteDatabase._connect`
    )
    try:
        await conn.execute_fetchall("SELECT COUNT(*) FROM sqlite_master")
    except BaseException:
        await conn.close()
        raise
    conn.row_factory = aiosqlite.Row
    return conn


def _rolled_back(conn: sqlite3.Connection) -> sqlite3.Connection:
    """The connection with no transaction open: one that a failed try on the loop's thread left
    open (say, its COMMIT found a statement still active) is rolled back before ``work`` runs
    again. Under the lock, no other transaction of this connection can be open."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    return conn


def _read_together(
    conn: sqlite3.Connection, queries: Sequence[tuple[str, Params]]
) -> list[list[Any]]:
    """`SqliteDatabase.fetch_together`'s reads, inside one read transaction, so that another
    process's commit cannot fall between them."""
    conn.execute("BEGIN")
    try:
        return [conn.execute(sql, params).fetchall() for sql, params in queries]
    finally:
        conn.execute("COMMIT")


def _run_batch(conn: sqlite3.Connection, statements: Sequence[Statement]) -> list[list[Any]]:
    """`SqliteDatabase.batch`'s transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        results: list[list[Any]] = []
        for statement in statements:
            if statement.many:
                conn.executemany(statement.sql, statement.params)
                rows: list[Any] = []
            else:
                rows = conn.execute(statement.sql, statement.params).fetchall()
            if statement.check is not None:
                statement.check(rows)
            results.append(rows)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return results


def _checkpoint(conn: sqlite3.Connection, mode: str) -> None:
    # Its row read to the end: a statement left half-read stays active (holding, for TRUNCATE,
    # the write lock) until its cursor is freed, and its cursor lives on in aiosqlite's thread
    # until that thread's next piece of work, which the loop's own statements never are.
    conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
