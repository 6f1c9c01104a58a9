"""PostgreSQL through an asyncpg pool, for deployments with several workers or that already run
PostgreSQL. ``DATATOOL_DB=postgresql://user:password@host:5432/datatool``.

The SQL is the same as for SQLite; `to_postgres` rewrites its placeholders (`?` and `:name`
become `$1`...) and `pg_schema` the migrations' column types, and that is all the dialect
there is.

Concurrency is PostgreSQL's own: there is no lock shared by every writer, so two workers write
at once and one slow transaction holds up only the rows it touches. Write transactions run at
READ COMMITTED, where each statement sees what was committed when it began, and an UPDATE or
an upsert locks the row it changes and re-reads it once any other writer of that row has
finished. A decision that rests on a row is therefore made inside the statement that writes it,
never only in Python from an earlier SELECT; each write path, and why it is safe:

- one person's updates: `person_lock` (below) lets one worker at a time handle a person's
  update, so what is one person's alone (their response, answers, account) has one writer.
- the update record (``handled_updates``): keyed by the update's id, written with
  ``INSERT ... ON CONFLICT (update_id)``, so two workers recording one update leave one row.
- a survey step (`Repository.save_survey`): the response's upsert locks its row and returns its
  submission time from the locked row, so the check "no change after submission" reads what is
  true until COMMIT.
- binding a code (`Repository.bind`): two people with one code hold different person locks.
  The binding's UPDATE is a compare-and-set (``... WHERE telegram_id IS NULL``): the second
  waits for the first's row lock, finds the code taken and changes nothing; and an account
  answers for one invitation at most by the unique key on ``invitees.telegram_id``.
- personal codes (`Repository.ensure_tokens`): ``... WHERE token IS NULL`` again, so a code
  once given is never replaced by a concurrent run's.
- leases, heartbeats, reminder claims: one upsert each, its condition in its ``WHERE``.
- a roster import, many rows decided by reading them first, too many for one statement's
  condition: `serializable`, PostgreSQL's SERIALIZABLE, run again (`SERIALIZABLE_TRIES` in all,
  tenacity) when PostgreSQL aborts it for a concurrent transaction. It is the CLI's, rare, and
  never on the answer path, where every transaction stays at READ COMMITTED and never fails
  for another's sake.
- a release (`storage.releases.store`): decided in Python against every earlier release of the
  council, so stored only if none was stored since (else `Stale`, and it is decided again),
  `serializable` so that two workers storing at once cannot both find none.
- migrations and the councils' seed: one process at a time (`MIGRATION_LOCK`, an advisory lock
  on a connection of their own), since DDL has no ON CONFLICT.

Transactions that change both a person's invitation and their account change the invitation
first, so two of them never wait for each other in a circle.

The answer path's read (`fetch_together`) is one statement, one round trip: each query's rows
travel as a JSON array in one column of one row (the schema holds only integers and text, which
JSON carries exactly), and one statement reads one snapshot. A connection given back to the
pool is not reset (`_keep_session`: another round trip per use), since nothing here changes a
pooled connection's session.

`person_lock` holds a session advisory lock per person on one connection kept for the purpose:
a worker that dies loses its connection and PostgreSQL releases its locks at once, so the next
delivery of that person's update, to another worker, goes ahead without waiting for a lease to
run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import asyncpg
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from storage.database import Connection, Database, Migration, Params

T = TypeVar("T")
Isolation = Literal["read_committed", "serializable"]

POOL_SIZE = 10
MIGRATION_LOCK = -7_301_016
"""The advisory lock key that migrations and the councils' seed take (person keys are Telegram
ids, > 0)."""
PERSON_LOCK_WAIT = (0.005, 0.1)
"""The first and the longest pause between tries for a person's lock held by another worker."""
SERIALIZABLE_TRIES = 8
"""How many times `PostgresDatabase.serializable` runs its work before a conflict is raised."""
CONFLICTS = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)
"""What PostgreSQL aborts a transaction with for another's sake: it may simply run again."""

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|::|\?|:[A-Za-z_][A-Za-z0-9_]*")
_NUMBERED = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|\$(\d+)")


@functools.lru_cache(maxsize=1024)
def to_postgres(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`?` placeholders become `$1`, `$2`...; `:name` ones become numbered too, and the names
    are returned in the order of their numbers (None for positional SQL). Quoted text and
    comments are left alone."""
    names: list[str] = []
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group(0)
        if token == "?":
            count += 1
            return f"${count}"
        if token.startswith(":") and token != "::":
            name = token[1:]
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"
        return token

    converted = _TOKEN.sub(replace, sql)
    if names and count:
        raise ValueError("a statement mixes ? and :name placeholders")
    return converted, (tuple(names) if names else None)


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    converted, names = to_postgres(sql)
    if names is None:
        if isinstance(params, dict):
            if params:
                raise ValueError("named parameters for a statement with ? placeholders")
            return converted, []
        return converted, list(params)
    if not isinstance(params, dict):
        raise ValueError("a statement with :name placeholders needs a dict of parameters")
    return converted, [params[name] for name in names]


def pg_schema(script: str) -> str:
    """A migration written for SQLite, in PostgreSQL's types: an `id INTEGER PRIMARY KEY` (a
    SQLite rowid) is an identity column, every other INTEGER a BIGINT (Telegram ids do not fit
    in 32 bits), a SQLite WITHOUT ROWID table is a plain table, and IFNULL is COALESCE."""
    script = re.sub(
        r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b",
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        script,
        flags=re.IGNORECASE,
    )
    script = re.sub(r"\bINTEGER\b", "BIGINT", script)
    script = re.sub(r"\)\s*WITHOUT\s+ROWID", ")", script, flags=re.IGNORECASE)
    return re.sub(r"\bIFNULL\s*\(", "COALESCE(", script, flags=re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _together(sqls: tuple[str, ...]) -> tuple[str, tuple[tuple[str, ...] | None, ...]]:
    """One statement for `fetch_together`'s queries: a row of one column per query, each the
    query's rows as a JSON array (in the query's order: a sorted subquery is not flattened into
    the aggregate's), with every query's placeholders numbered after the ones before it. The
    names are each query's (as `to_postgres`)."""
    columns: list[str] = []
    names: list[tuple[str, ...] | None] = []
    offset = 0
    for n, sql in enumerate(sqls):
        converted, own = to_postgres(sql)
        count = 0

        def shift(match: re.Match[str], offset: int = offset) -> str:
            nonlocal count
            if match.group(1) is None:
                return match.group(0)
            count = max(count, int(match.group(1)))
            return f"${int(match.group(1)) + offset}"

        converted = _NUMBERED.sub(shift, converted)
        columns.append(
            f"(SELECT COALESCE(json_agg(together_rows), '[]') FROM ({converted}) AS together_rows)"
            f" AS rows_{n}"
        )
        names.append(own)
        offset += count
    return "SELECT " + ", ".join(columns), tuple(names)


class JsonRow:
    """A row of `fetch_together`, read back from JSON: by position, by column name, unpacked,
    and `dict(row)`, as an asyncpg record."""

    __slots__ = ("_names", "_values")

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self._values = tuple(value for _, value in pairs)
        self._names: dict[str, int] = {}
        for index, (name, _) in enumerate(pairs):
            self._names.setdefault(name, index)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._names[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"JsonRow({dict(zip(self._names, self._values, strict=False))!r})"


def _json_rows(text: str) -> list[Any]:
    rows: list[Any] = json.loads(text, object_pairs_hook=JsonRow)
    return rows


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset of a connection given back (asyncpg rolls back an open transaction
    first): nothing, since no pooled connection's session is ever changed here (no SET, LISTEN,
    cursor or session lock: those live on connections of their own), and asyncpg's default
    reset is one more round trip on every use."""


def _rowcount(status: str) -> int:
    """asyncpg's command tag ('INSERT 0 1', 'UPDATE 3', 'DELETE 0') as a count of rows."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresConnection:
    """The `Connection` API over one pooled asyncpg connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        query, args = _args(sql, params)
        return _rowcount(await self.raw.execute(query, *args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        query, _ = to_postgres(sql)
        batch = [tuple(r) for r in rows]
        if batch:
            await self.raw.executemany(query, batch)

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        query, args = _args(sql, params)
        return list(await self.raw.fetch(query, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        query, args = _args(sql, params)
        return await self.raw.fetchrow(query, *args)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self._owners: dict[asyncio.Task[Any], PostgresConnection] = {}
        self._locks_conn: asyncpg.Connection | None = None
        self._locks_guard = asyncio.Lock()

    @classmethod
    async def connect(cls, target: str) -> PostgresDatabase:
        pool = await asyncpg.create_pool(
            target, min_size=1, max_size=POOL_SIZE, reset=_keep_session
        )
        return cls(pool, target)

    @classmethod
    async def connect_read_only(cls, target: str) -> PostgresDatabase:
        pool = await asyncpg.create_pool(
            target,
            min_size=1,
            max_size=POOL_SIZE,
            reset=_keep_session,
            server_settings={"default_transaction_read_only": "on"},
        )
        return cls(pool, target)

    async def has_table(self, name: str) -> bool:
        return bool(await self._pool.fetchval("SELECT to_regclass($1) IS NOT NULL", name))

    async def close(self) -> None:
        if self._locks_conn is not None:
            with contextlib.suppress(Exception):
                await self._locks_conn.close()
        await self._pool.close()

    @property
    def label(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        return f"postgresql://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"

    @property
    def path(self) -> Path:
        raise AttributeError("a PostgreSQL database has no file")

    # --- writing ------------------------------------------------------------------------

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """READ COMMITTED, with no lock of its own: what each write path relies on instead is in
        the module's notes."""
        return self._transaction("read_committed")

    @asynccontextmanager
    async def _transaction(self, isolation: Isolation) -> AsyncIterator[Connection]:
        task = asyncio.current_task()
        if task is not None and task in self._owners:
            raise RuntimeError("transaction() is not re-entrant: this task already holds one")
        async with self._pool.acquire() as raw, raw.transaction(isolation=isolation):
            conn = PostgresConnection(raw)
            if task is not None:
                self._owners[task] = conn
            try:
                yield conn
            finally:
                if task is not None:
                    self._owners.pop(task, None)

    async def serializable(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """``work`` in a SERIALIZABLE transaction, run again from the start (after a short
        random pause) when PostgreSQL aborts it for a concurrent transaction's sake, up to
        `SERIALIZABLE_TRIES` times in all."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(SERIALIZABLE_TRIES),
            wait=wait_random_exponential(multiplier=0.005, max=0.2),
            retry=retry_if_exception_type(CONFLICTS),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                async with self._transaction("serializable") as conn:
                    return await work(conn)
        raise AssertionError("tenacity neither returned nor raised")  # pragma: no cover

    async def execute(self, sql: str, params: Params = ()) -> int:
        """A single statement, atomic by itself (autocommit)."""
        own = self._own()
        if own is not None:
            return await own.execute(sql, params)
        query, args = _args(sql, params)
        return _rowcount(await self._pool.execute(query, *args))

    # --- reading ------------------------------------------------------------------------

    def _own(self) -> PostgresConnection | None:
        task = asyncio.current_task()
        return None if task is None else self._owners.get(task)

    async def fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        own = self._own()
        if own is not None:
            return await own.fetchall(sql, params)
        query, args = _args(sql, params)
        return list(await self._pool.fetch(query, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        own = self._own()
        if own is not None:
            return await own.fetchone(sql, params)
        query, args = _args(sql, params)
        return await self._pool.fetchrow(query, *args)

    async def fetch_together(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        """One statement (`_together`), so one round trip and one snapshot, where a read-only
        transaction of separate queries was four (BEGIN, the queries, COMMIT)."""
        sql, names = _together(tuple(sql for sql, _ in queries))
        args: list[Any] = []
        for (_, params), own in zip(queries, names, strict=True):
            if own is None:
                if isinstance(params, dict) and params:
                    raise ValueError("named parameters for a statement with ? placeholders")
                args.extend(() if isinstance(params, dict) else params)
            elif isinstance(params, dict):
                args.extend(params[name] for name in own)
            else:
                raise ValueError("a statement with :name placeholders needs a dict of parameters")
        conn = self._own()
        row = (
            await self._pool.fetchrow(sql, *args)
            if conn is None
            else await conn.raw.fetchrow(sql, *args)
        )
        assert row is not None
        return [_json_rows(text) for text in row]

    # --- serving ------------------------------------------------------------------------

    async def ping(self) -> bool:
        try:
            await self._pool.fetchval("SELECT COUNT(*) FROM schema_migrations", timeout=2)
        except Exception:  # whatever the failure (refused, reset, closed pool): not healthy
            return False
        return True

    async def _locks(self, sql: str, key: int) -> Any:
        """One statement on the connection that holds the person locks (one at a time: an
        asyncpg connection runs one query at once). A broken connection is replaced; its
        locks went with it."""
        async with self._locks_guard:
            if self._locks_conn is None or self._locks_conn.is_closed():
                self._locks_conn = await asyncpg.connect(self.url)
            try:
                return await self._locks_conn.fetchval(sql, key)
            except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError):
                with contextlib.suppress(Exception):
                    await self._locks_conn.close()
                self._locks_conn = None
                raise

    @asynccontextmanager
    async def person_lock(self, key: int) -> AsyncIterator[object]:
        """Session advisory locks are re-entrant for their session, and every task of this
        process shares the one session: the bot's in-process lock per person (taken first)
        keeps two of its own tasks from both getting the lock."""
        delay, longest = PERSON_LOCK_WAIT
        while not await self._locks("SELECT pg_try_advisory_lock($1)", key):
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)
        try:
            yield None
        finally:
            with contextlib.suppress(OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
                await asyncio.shield(self._locks("SELECT pg_advisory_unlock($1)", key))

    async def backup(self, dest: str | Path) -> Path:
        raise NotImplementedError(
            "a PostgreSQL database is backed up with pg_dump, e.g. pg_dump -Fc -f datatool.dump"
        )

    # --- schema -------------------------------------------------------------------------

    @asynccontextmanager
    async def _schema_alone(self) -> AsyncIterator[None]:
        """`MIGRATION_LOCK`, held on a connection of its own and closed after (which releases
        it whatever happened), so that two processes opening one database at once change its
        schema one after the other."""
        holder = await asyncpg.connect(self.url)
        try:
            await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            yield
        finally:
            await holder.close()

    async def migrate(self, migrations: Iterable[Migration]) -> None:
        async with self._schema_alone():
            await super().migrate(migrations)

    async def seed_councils(self) -> None:
        async with self._schema_alone():
            await super().seed_councils()

    async def _run_script(self, conn: Connection, script: str) -> None:
        """The whole script at once (PostgreSQL runs several statements in one simple query),
        inside the open transaction."""
        assert isinstance(conn, PostgresConnection)
        await conn.raw.execute(pg_schema(script))
