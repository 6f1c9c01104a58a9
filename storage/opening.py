"""Opening the database: the backend chosen by the target, a SQLite file for a path or
PostgreSQL for a ``postgresql://`` URL. Here, not in `storage.database`, so that the seam and
its two backends import one way: both backends import the seam, and only this module imports
the backends (PostgreSQL's only when asked for, so asyncpg is not loaded for a SQLite file).
"""

from __future__ import annotations

from pathlib import Path

from storage.database import Database, is_postgres


def _backend(target: str | Path) -> type[Database]:
    if is_postgres(target):
        from storage.postgres import PostgresDatabase

        return PostgresDatabase
    from storage.sqlite import SqliteDatabase

    return SqliteDatabase


async def open_database(target: str | Path, *, migrations_dir: Path | None = None) -> Database:
    """Opens (creating if needed) the database, applies new migrations and seeds councils."""
    return await _backend(target).open(target, migrations_dir=migrations_dir)


async def open_read_only(target: str | Path, *, migrations_dir: Path | None = None) -> Database:
    """Opens an existing database for reading only (see `Database.open_read_only`)."""
    return await _backend(target).open_read_only(target, migrations_dir=migrations_dir)
