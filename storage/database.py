"""One SQLite database behind one aiosqlite connection.

The bot is one process with many coroutines sharing this connection. SQLite transactions belong
to a connection, not to a coroutine, so two coroutines writing at once would interleave their
statements inside one transaction. `Database` therefore serialises all use of the connection with
an asyncio.Lock: a write is `async with db.transaction() as conn:` (BEGIN IMMEDIATE ... COMMIT, or
ROLLBACK on any error), a read is `await db.fetchall(...)` and never sees another coroutine's
half-done transaction. Other processes (`datatool` commands, backups) are handled by SQLite's own
locking: WAL lets them read while we write, and busy_timeout makes a writer wait for the lock
rather than fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from storage.councils import COUNCILS, mutate

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another connection's lock (a backup, a CLI command) before failing."""

Params = Sequence[Any] | dict[str, Any]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def utcnow() -> datetime:
    """Now, in UTC, to the second (the stored precision)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    """The stored form of a time: ISO-8601 UTC with a Z. A naive time is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    """Reads a stored time back as an aware UTC datetime."""
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The numbered `NNNN_name.sql` files of `directory`, in order. Two files with one number are
    an error: which one runs must never depend on directory order."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file name {path.name!r} is not NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations numbered {version:04d} in {directory}")
        found[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


class Database:
    """The connection, its write lock and the schema's migrations.

    Use `await Database.open(path)` (or `async with await Database.open(path) as db:`).
    Inside `transaction()`, run statements on the yielded connection; `fetchall`/`fetchone`
    called by the same task inside its transaction read through that transaction.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    # --- opening and closing -------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | Path, *, migrations_dir: Path | None = None) -> Database:
        """Opens (creating if needed) the database, applies new migrations and seeds councils."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted rows (a withdrawn person's answers) are overwritten with zeros, not left
            # in free pages; `checkpoint` then empties the -wal file of their old copies.
            await conn.execute("PRAGMA secure_delete = ON")
            await db._migrate(load_migrations(migrations_dir or MIGRATIONS_DIR))
            await db._seed_councils()
        except BaseException:
            await conn.close()
            raise
        return db

    @classmethod
    async def open_read_only(
        cls, path: str | Path, *, migrations_dir: Path | None = None
    ) -> Database:
        """Opens an existing database for reading only (SQLite's ``mode=ro``): no migration, no
        seeding, nothing written, so it works on a read-only file in a read-only folder. A
        schema older than this program's migrations raises `SchemaBehind`, since its queries
        would fail on the missing columns."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        base = path.resolve().as_uri()
        try:
            conn = await _connect(base + "?mode=ro")
        except sqlite3.OperationalError:
            # A WAL database whose folder is read-only cannot get its -shm file; nobody can
            # write it there either, so reading it as immutable is exact.
            conn = await _connect(base + "?mode=ro&immutable=1")
        db = cls(conn, path)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA query_only = ON")
            known = [m.version for m in load_migrations(migrations_dir or MIGRATIONS_DIR)]
            table = await db.fetchone(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            )
            applied = await db.applied_migrations() if table is not None else []
            if known and (not applied or max(applied) < max(known)):
                raise SchemaBehind(path, max(applied, default=0), max(known))
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- writing ------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, alone on the connection: BEGIN IMMEDIATE takes SQLite's write
        lock at the start (waiting up to busy_timeout for other processes), so a transaction
        never fails half-way for want of the lock."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("transaction() is not re-entrant: this task already holds one")
        async with self._lock:
            self._owner = task
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
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

    async def execute_alone(self, sql: str, params: Params = ()) -> int:
        """One write statement in autocommit mode: SQLite makes a single statement atomic by
        itself, so this is one trip to the database thread instead of three (BEGIN, the
        statement, COMMIT). For hot paths such as recording a handled update."""
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    # --- reading ------------------------------------------------------------------------

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._owner is not None and self._owner is asyncio.current_task():
            yield self._conn
            return
        async with self._lock:
            yield self._conn

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._reading() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        # execute_fetchall is one trip to aiosqlite's thread; a cursor's execute, fetchone
        # and close would be three.
        async with self._reading() as conn:
            rows = await conn.execute_fetchall(sql, params)
            return next(iter(rows), None)

    async def checkpoint(self) -> None:
        """Copies the -wal file into the database and truncates it to nothing, so that rows
        just deleted (securely) leave no old copy behind in the write-ahead log. Readers in
        other processes can hold it back; then it is done by the next checkpoint."""
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def pragma(self, name: str) -> Any:
        """The value of a PRAGMA (for checks and diagnostics)."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a pragma name: {name!r}")
        row = await self.fetchone(f"PRAGMA {name}")
        return None if row is None else row[0]

    # --- backup -------------------------------------------------------------------------

    async def backup(self, dest: str | Path) -> Path:
        """A consistent copy of the database at `dest`, taken with SQLite's online backup API
        while the bot keeps running. The copy is written beside `dest` and renamed into place,
        so `dest` is never a half-written file."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise ValueError("the backup file must not be the database itself")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
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

    async def applied_migrations(self) -> list[int]:
        rows = await self.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in rows]

    async def _migrate(self, migrations: Iterable[Migration]) -> None:
        """Applies each migration not yet recorded, each in its own transaction. The check is
        made inside the transaction, so two processes opening a new file at once apply each
        migration exactly once."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in migrations:
            async with self.transaction() as conn:
                async with conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ) as cursor:
                    if await cursor.fetchone() is not None:
                        continue
                await _run_script(conn, migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, to_iso(utcnow())),
                )

    async def _seed_councils(self) -> None:
        """Inserts the 22 councils, or corrects a stored name that the data has since fixed."""
        rows = [
            (
                c.slug,
                c.slug_cy,
                c.name_en,
                c.name_cy,
                mutate(c.name_cy, "soft"),
                mutate(c.name_cy, "nasal"),
                mutate(c.name_cy, "aspirate"),
            )
            for c in COUNCILS
        ]
        async with self.transaction() as conn:
            await conn.executemany(
                "INSERT INTO councils (slug, slug_cy, name_en, name_cy, name_cy_soft,"
                " name_cy_nasal, name_cy_aspirate) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (slug) DO UPDATE SET slug_cy = excluded.slug_cy,"
                " name_en = excluded.name_en, name_cy = excluded.name_cy,"
                " name_cy_soft = excluded.name_cy_soft, name_cy_nasal = excluded.name_cy_nasal,"
                " name_cy_aspirate = excluded.name_cy_aspirate"
                " WHERE (slug_cy, name_en, name_cy, name_cy_soft, name_cy_nasal,"
                " name_cy_aspirate) IS NOT (excluded.slug_cy, excluded.name_en,"
                " excluded.name_cy, excluded.name_cy_soft, excluded.name_cy_nasal,"
                " excluded.name_cy_aspirate)",
                rows,
            )


class SchemaBehind(Exception):
    """A database opened read-only whose schema this program has newer migrations for."""

    def __init__(self, path: Path, version: int, wanted: int) -> None:
        super().__init__(
            f"{path} has schema version {version}, this datatool needs {wanted}:"
            " run a command that writes (such as `datatool run`) once to upgrade it"
        )
        self.path, self.version, self.wanted = path, version, wanted


async def _connect(uri: str) -> aiosqlite.Connection:
    """A connection that has read the file (SQLite opens lazily, so a file it cannot read
    fails here rather than at the first query)."""
    conn = await aiosqlite.connect(
        uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        await conn.execute_fetchall("SELECT COUNT(*) FROM sqlite_master")
    except BaseException:
        await conn.close()
        raise
    conn.row_factory = aiosqlite.Row
    return conn


async def _run_script(conn: aiosqlite.Connection, script: str) -> None:
    """Runs a migration's statements one by one inside the open transaction (executescript
    would COMMIT first, which would split a migration over two transactions)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip():
                await conn.execute(statement)
            statement = ""
    if statement.strip() and not _only_comments(statement):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {statement!r}")


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
