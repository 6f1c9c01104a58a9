"""The database seam: one `Database` API over SQLite (the embedded default) or PostgreSQL.

`await open_database(target)` (``storage.opening``) opens a SQLite file for a path, or
PostgreSQL for a ``postgresql://`` URL (`storage.sqlite.SqliteDatabase`,
`storage.postgres.PostgresDatabase`); this module knows neither backend, they build on it.
Both apply the same numbered migrations and seed the councils; the repository and the report
queries run unchanged on either.

The SQL is written once, in the portable subset of the two: `?` or `:name` placeholders,
`COALESCE`, `ON CONFLICT ... DO UPDATE/NOTHING`, `RETURNING`, `CAST`, and times as ISO-8601
text (`to_iso`), which sort and compare the same in both. What still differs is handled inside
the two implementations and nowhere else: placeholders and the migrations' column types are
rewritten for PostgreSQL (`storage.postgres.to_postgres`, `pg_schema`).

Writes are `async with db.transaction() as conn:` (on SQLite one at a time for the whole
database; on PostgreSQL at once, at READ COMMITTED, so a read that decides a write is made in the
writing statement itself: `storage.postgres`'s notes), `await db.serializable(work)` where many
reads decide many writes (a roster import), and one statement alone is
`await db.execute(...)`. Reads are `await db.fetchall(...)` / `fetchone(...)`; inside the
task's own transaction they read through it.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, Protocol, Self, TypeVar

from storage.councils import COUNCILS, mutate

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]
Dialect = Literal["sqlite", "postgresql"]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


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


def is_postgres(target: str | Path) -> bool:
    return str(target).startswith(POSTGRES_SCHEMES)


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


_DIALECT_LINE = re.compile(r"^--\s*dialect:\s*(sqlite|postgresql|all)\s*$")


def for_dialect(script: str, dialect: Dialect) -> str:
    """A migration's statements for one backend. Most migrations are one script for both; the
    few that cannot be (SQLite cannot drop a CHECK constraint with ALTER TABLE) mark sections
    with a ``-- dialect: sqlite`` or ``-- dialect: postgresql`` line, up to ``-- dialect: all``.
    The other backend's lines are left out (kept as blank lines)."""
    kept: list[str] = []
    current = "all"
    for line in script.splitlines(keepends=True):
        found = _DIALECT_LINE.match(line.strip())
        if found is not None:
            current = found.group(1)
            kept.append("\n")
            continue
        kept.append(line if current in ("all", dialect) else "\n")
    return "".join(kept)


class Row(Protocol):
    """A result row: by position (`row[0]`), by column name (`row["slug"]`), and `dict(row)`."""

    def __getitem__(self, key: int | str) -> Any: ...
    def keys(self) -> Any: ...


class Connection(Protocol):
    """What runs inside `Database.transaction()`."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; the number of rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...
    async def fetchone(self, sql: str, params: Params = ()) -> Any | None: ...


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a `Database.batch`: run once with ``params``, or (``many``) once per
    row of ``params``. ``check`` sees the rows it returned and raises to roll everything back
    (a read-then-write rule kept inside the one transaction, such as "no change after
    submission")."""

    sql: str
    params: Any = ()
    many: bool = False
    check: Callable[[list[Any]], None] | None = None


class Database(ABC):
    """The database, its transactions and the schema's migrations (see the module's notes)."""

    dialect: ClassVar[Dialect]

    @classmethod
    async def open(cls, target: str | Path, *, migrations_dir: Path | None = None) -> Database:
        """Opens (creating if needed) the database, applies new migrations and seeds councils:
        on the backend it is called on (``storage.opening.open_database`` picks it: PostgreSQL
        for a ``postgresql://`` URL, else a SQLite file)."""
        db = await cls.connect(str(target))
        try:
            await db.migrate(load_migrations(migrations_dir or MIGRATIONS_DIR))
            await db.seed_councils()
        except BaseException:
            await db.close()
            raise
        return db

    @classmethod
    async def open_read_only(
        cls, target: str | Path, *, migrations_dir: Path | None = None
    ) -> Database:
        """Opens an existing database for reading only (SQLite's ``mode=ro``, PostgreSQL's
        read-only transactions): no migration, no seeding, nothing written, so it works on a
        read-only file in a read-only folder. A schema older than this program's migrations
        raises `SchemaBehind`, since its queries would fail on the missing columns. On the
        backend it is called on (``storage.opening.open_read_only`` picks it)."""
        db = await cls.connect_read_only(str(target))
        try:
            known = [m.version for m in load_migrations(migrations_dir or MIGRATIONS_DIR)]
            has_table = await db.has_table("schema_migrations")
            applied = await db.applied_migrations() if has_table else []
            if known and (not applied or max(applied) < max(known)):
                where = db.label if is_postgres(target) else Path(target)
                raise SchemaBehind(where, max(applied, default=0), max(known))
        except BaseException:
            await db.close()
            raise
        return db

    @classmethod
    @abstractmethod
    async def connect(cls, target: str) -> Database: ...

    @classmethod
    @abstractmethod
    async def connect_read_only(cls, target: str) -> Database: ...

    @abstractmethod
    async def has_table(self, name: str) -> bool: ...

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- reading and writing ---------------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One write transaction: COMMIT at the end, ROLLBACK on any error. Not re-entrant. Alone
        among writers on SQLite, not on PostgreSQL (READ COMMITTED there)."""

    async def serializable(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """``work`` in one write transaction that behaves as if it ran alone, whatever it reads
        before it writes: SQLite's transactions do already; PostgreSQL's SERIALIZABLE may abort
        it for a concurrent one's sake, and then it runs again (`PostgresDatabase.serializable`),
        so ``work`` must do nothing outside the database."""
        async with self.transaction() as conn:
            return await work(conn)

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement, atomic by itself; the number of rows changed."""

    async def batch(self, statements: Sequence[Statement]) -> list[list[Any]]:
        """Runs ``statements`` in order in one write transaction and returns each one's rows
        (empty for a ``many`` statement). SQLite sends the leading statements with the BEGIN in
        one script (`SqliteDatabase.batch`), and those return no rows; elsewhere it is a
        `transaction` like any other."""
        results: list[list[Any]] = []
        async with self.transaction() as conn:
            for statement in statements:
                if statement.many:
                    await conn.executemany(statement.sql, statement.params)
                    rows: list[Any] = []
                else:
                    rows = await conn.fetchall(statement.sql, statement.params)
                if statement.check is not None:
                    statement.check(rows)
                results.append(rows)
        return results

    async def execute_alone(self, sql: str, params: Params = ()) -> int:
        """One write statement on a hot path (recording a handled update): the cheapest way
        each database makes a single statement atomic."""
        return await self.execute(sql, params)

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...

    @abstractmethod
    async def fetch_together(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        """Several reads from one consistent snapshot, each query's rows in order: on SQLite
        one read transaction (BEGIN, the queries, COMMIT: a trip each); on PostgreSQL one
        statement. (The answer path's read on SQLite is one statement instead:
        `AnswerBook.update_context`.)"""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Any | None: ...

    # --- serving ---------------------------------------------------------------------------

    @abstractmethod
    async def ping(self) -> bool:
        """True when the database answers a query (the webhook's /healthz)."""

    async def checkpoint(self) -> None:
        """Leaves no old copy of deleted rows behind in the database's own logs (SQLite's -wal
        file); PostgreSQL's are its operator's to manage, so there it does nothing."""
        return None

    @abstractmethod
    def person_lock(self, key: int) -> AbstractAsyncContextManager[object]:
        """Held while one person's update is handled, on top of the bot's in-process lock, so
        that workers sharing the database handle one person's updates one at a time."""

    @abstractmethod
    async def backup(self, dest: str | Path) -> Path:
        """A consistent copy of the database at `dest`, taken while the bot keeps running."""

    @property
    @abstractmethod
    def label(self) -> str:
        """What the database is, for messages (never a password)."""

    # --- schema ----------------------------------------------------------------------------

    async def applied_migrations(self) -> list[int]:
        rows = await self.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in rows]

    @abstractmethod
    async def _run_script(self, conn: Connection, script: str) -> None:
        """Runs a migration's statements inside the open transaction."""

    async def migrate(self, migrations: Iterable[Migration]) -> None:
        """Applies each migration not yet recorded, each in its own transaction. The check is
        made inside the transaction, which on SQLite is exclusive and on PostgreSQL runs under
        a lock of its own (`PostgresDatabase.migrate`), so two processes opening a new database
        at once apply each migration exactly once."""
        async with self.transaction() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        for migration in migrations:
            async with self.transaction() as conn:
                if await conn.fetchone(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ):
                    continue
                await self._run_script(conn, for_dialect(migration.sql, self.dialect))
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, to_iso(utcnow())),
                )

    async def seed_councils(self) -> None:
        """Inserts the 22 councils, or corrects a stored name that the data has since fixed."""
        fields = (
            "slug_cy",
            "name_en",
            "name_cy",
            "name_cy_soft",
            "name_cy_nasal",
            "name_cy_aspirate",
        )
        wanted = {
            c.slug: (
                c.slug_cy,
                c.name_en,
                c.name_cy,
                mutate(c.name_cy, "soft"),
                mutate(c.name_cy, "nasal"),
                mutate(c.name_cy, "aspirate"),
            )
            for c in COUNCILS
        }
        stored = {
            r[0]: tuple(r[1:])
            for r in await self.fetchall(f"SELECT slug, {', '.join(fields)} FROM councils")
        }
        if all(stored.get(slug) == values for slug, values in wanted.items()):
            return
        async with self.transaction() as conn:
            await conn.executemany(
                f"INSERT INTO councils (slug, {', '.join(fields)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT (slug) DO UPDATE SET"
                f" {', '.join(f'{f} = excluded.{f}' for f in fields)}",
                [(slug, *values) for slug, values in wanted.items() if stored.get(slug) != values],
            )


class SchemaBehind(Exception):
    """A database opened read-only whose schema this program has newer migrations for."""

    def __init__(self, path: Path | str, version: int, wanted: int) -> None:
        super().__init__(
            f"{path} has schema version {version}, this datatool needs {wanted}:"
            " run a command that writes (such as `datatool run`) once to upgrade it"
        )
        self.path, self.version, self.wanted = path, version, wanted
