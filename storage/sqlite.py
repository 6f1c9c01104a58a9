"""SQLite behind one aiosqlite connection: the embedded default, which needs nothing installed.

The bot is one process with many coroutines sharing this connection. SQLite transactions belong
to a connection, not to a coroutine, so two coroutines writing at once would interleave their
statements inside one transaction. `SqliteDatabase` therefore serialises all use of the
connection with an asyncio.Lock: a write is `async with db.transaction() as conn:` (BEGIN
IMMEDIATE ... COMMIT, or ROLLBACK on any error), a read is `await db.fetchall(...)` and never sees
another coroutine's half-done transaction. Other processes (`datatool` commands, backups) are
handled by SQLite's own locking: WAL lets them read while we write, and busy_timeout makes a
writer wait for the lock rather than fail.

Everything runs on aiosqlite's one thread, through its public API, and the sqlite3 connection
is opened with ``check_same_thread`` on, so a statement run from any other thread (the event
loop's) fails at once instead of mixing with aiosqlite's work (the write lock left held after a
checkpoint, fixed in 9baa0cc, came from exactly such a mix). So a wait for another process's
write lock (busy_timeout) is spent on that thread and never stalls the loop; a checkpoint, which
fsyncs, also runs there (this connection never checkpoints by itself: every `CHECKPOINT_EVERY`
commits it checkpoints passively). Each call is one trip to that thread (a wake-up of it and
then of the loop, and a turn at the GIL each way), and the trips of a transaction hold the
connection for every other person, so the answer path makes few: the update's read is one
statement (`storage.answers`), and `batch` sends the statements it can with the BEGIN in one
script (`_inline`: only those whose parameters are numbers, codes and times, never what a person
typed), so a tap's write is three trips (the script, the check's read, the COMMIT). Per answer
that is 4 trips where it was 10 (docs/benchmarks.md, issue 24).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.database import Connection, Database, Params, Statement

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
        # The cursor closed (not left to the collector): a statement left half-read stays
        # active, and an active statement keeps a COMMIT from releasing the write lock.
        async with await self._conn.execute(sql, params) as cursor:
            count: int = cursor.rowcount
            return count

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
        self.commits_since_checkpoint = 0
        """Commits since the last checkpoint (`CHECKPOINT_EVERY`)."""

    @classmethod
    async def connect(cls, target: str) -> SqliteDatabase:
        path = Path(target)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            private_file(path)
        # check_same_thread left on: only aiosqlite's thread may use it (the module's notes).
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")
            await conn.execute_fetchall("PRAGMA foreign_keys = ON")
            await conn.execute_fetchall("PRAGMA synchronous = NORMAL")
            # Checkpoints fsync: `_committed` runs them every so many commits instead.
            await conn.execute_fetchall("PRAGMA wal_autocheckpoint = 0")
            # Deleted rows (a withdrawn person's answers) are overwritten with zeros, not left
            # in free pages; `checkpoint` then empties the -wal file of their old copies.
            await conn.execute_fetchall("PRAGMA secure_delete = ON")
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    @classmethod
    async def connect_read_only(cls, target: str) -> SqliteDatabase:
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

    async def has_table(self, name: str) -> bool:
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
        async with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @asynccontextmanager
    async def _transaction(self, begin: str) -> AsyncIterator[Connection]:
        """`transaction`, opened by ``begin``: BEGIN IMMEDIATE, and maybe a first statement
        with it in one script (`batch`)."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("transaction() is not re-entrant: this task already holds one")
        async with self._lock:
            self._owner = task
            try:
                await self._conn.executescript(begin)
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

    async def _committed(self) -> None:
        """Counts a commit, and checkpoints (passively: never waiting for readers) every
        `CHECKPOINT_EVERY` commits. The caller holds the lock."""
        self.commits_since_checkpoint += 1
        if self.commits_since_checkpoint < CHECKPOINT_EVERY:
            return
        self.commits_since_checkpoint = 0
        try:
            await self._checkpoint("PASSIVE")
        except sqlite3.Error as e:  # the commit stands; the next checkpoint does this one's work
            log.warning("checkpoint failed: %s", type(e).__name__)

    async def _checkpoint(self, mode: str) -> None:
        # Its row read to the end (execute_fetchall): a statement left half-read stays active
        # (holding, for TRUNCATE, the write lock) until its cursor is freed.
        await self._conn.execute_fetchall(f"PRAGMA wal_checkpoint({mode})")

    async def batch(self, statements: Sequence[Statement]) -> list[list[Any]]:
        """The statements and their checks in one transaction (`transaction`: BEGIN IMMEDIATE,
        COMMIT, or ROLLBACK on a failed check, an error or a cancellation)."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("batch() inside this task's own transaction()")
        results: list[list[Any]] = []
        script = ["BEGIN IMMEDIATE"]
        for statement in statements:  # the leading statements that can go with the BEGIN
            inlined = _inline(statement)
            if inlined is None:
                break
            script.append(inlined)
            results.append([])
        statements = statements[len(results) :]
        async with self._transaction(";\n".join(script)):
            for statement in statements:
                if statement.many:
                    await self._conn.executemany(statement.sql, statement.params)
                    rows: list[Any] = []
                else:
                    rows = list(await self._conn.execute_fetchall(statement.sql, statement.params))
                if statement.check is not None:
                    statement.check(rows)
                results.append(rows)
        return results

    async def execute_alone(self, sql: str, params: Params = ()) -> int:
        """Autocommit: SQLite makes a single statement atomic by itself, so this is one
        statement instead of three (BEGIN, the statement, COMMIT)."""
        async with self._lock:
            count = await self._wrapped.execute(sql, params)
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
        """The reads inside one read transaction, so that another process's commit cannot fall
        between them."""
        if self._owner is not None and self._owner is asyncio.current_task():
            return [await self._wrapped.fetchall(sql, params) for sql, params in queries]
        async with self._lock:
            try:
                await self._conn.execute_fetchall("BEGIN")
                return [await self._wrapped.fetchall(sql, params) for sql, params in queries]
            finally:
                # Queued after whatever a cancellation interrupted, so no read transaction is
                # left open for the next holder of the lock.
                with contextlib.suppress(sqlite3.Error):
                    await self._conn.execute_fetchall("COMMIT")

    async def checkpoint(self) -> None:
        """Copies the -wal file into the database and truncates it to nothing, so that rows
        just deleted (securely) leave no old copy behind in the write-ahead log. Readers in
        other processes can hold it back; then it is done by the next checkpoint."""
        async with self._lock:
            await self._checkpoint("TRUNCATE")

    async def trace(self, callback: Callable[[str], object] | None) -> None:
        """Calls ``callback`` with each statement's SQL as SQLite runs it, on the thread that runs
        it (diagnostics, and the test that every statement runs on aiosqlite's thread); None
        stops."""
        await self._conn.set_trace_callback(callback)  # type: ignore[arg-type]

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


_LITERAL_TEXT = re.compile(r"[0-9A-Za-z_:.+-]*")
"""Text that is safe as an SQL literal between single quotes, as it stands: times as stored
(`storage.database.to_iso`), codes and ids; never what a person typed."""


def _inline(statement: Statement) -> str | None:
    """``statement`` with its parameters written into it, when they are all numbers, None or
    `_LITERAL_TEXT` and it needs no rows back (a script returns none): then it can go to
    aiosqlite's thread in one script with the BEGIN, one trip where it was two. Else None."""
    params = statement.params
    if statement.many:  # one row: as one statement
        if not isinstance(params, list) or len(params) != 1:
            return None
        params = params[0]
    if statement.check is not None or not isinstance(params, tuple):
        return None
    sql = statement.sql.lstrip().upper()
    if not sql.startswith(("INSERT", "UPDATE", "DELETE")) or "RETURNING" in sql:
        return None
    literals: list[str] = []
    for value in params:
        if value is None:
            literals.append("NULL")
        elif type(value) is int:  # in brackets when negative: "n-?" must not become "n--1"
            literals.append(str(value) if value >= 0 else f"({value})")
        elif isinstance(value, str) and _LITERAL_TEXT.fullmatch(value):
            literals.append(f"'{value}'")
        else:
            return None
    parts = statement.sql.split("?")
    if len(parts) != len(literals) + 1 or "'" in statement.sql or ";" in statement.sql:
        return None
    return "".join(part + literal for part, literal in zip(parts, [*literals, ""], strict=True))


async def _connect_uri(uri: str) -> aiosqlite.Connection:
    """A connection that has read the file (SQLite opens lazily, so a file it cannot read
    fails here rather than at the first query)."""
    conn = await aiosqlite.connect(
        uri,
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        await conn.execute_fetchall("SELECT COUNT(*) FROM sqlite_master")
    except BaseException:
        await conn.close()
        raise
    conn.row_factory = aiosqlite.Row
    return conn


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
