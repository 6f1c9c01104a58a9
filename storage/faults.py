"""The database's failures, in words an operator or a log reader can act on.

SQLite reports a full disk, a read-only file and a lock held too long as one exception class
(`sqlite3.OperationalError`) told apart only by its message; this module names them once, for
the command line (one line, never a traceback) and for the bot (a failed write is told to the
respondent and logged by its cause).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import asyncpg

STORAGE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
"""What a database call (or the file or socket beneath it) can raise: SQLite's errors,
PostgreSQL's and the operating system's. Callers outside storage catch these without importing
the SQL drivers themselves."""

_PG_WRITE_FAULTS = (
    asyncpg.exceptions.DiskFullError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
    ConnectionError,
)

_CAUSES = (
    ("database or disk is full", "the disk is full"),
    ("disk i/o error", "the disk refused the write (disk I/O error: full or failing?)"),
    ("attempt to write a readonly database", "it is read-only"),
    ("readonly database", "it is read-only"),
    ("database is locked", "another program held its lock too long"),
    ("database table is locked", "another program held its lock too long"),
    ("unable to open database file", "it cannot be opened (missing, or no permission)"),
    ("file is not a database", "it is not a SQLite database"),
    ("database disk image is malformed", "the file is damaged (malformed)"),
)


def cause(exc: BaseException) -> str:
    """A few words for why a database call failed."""
    if isinstance(exc, PermissionError):
        return "no permission"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = str(exc).strip().lower()
    for needle, words in _CAUSES:
        if needle in text:
            return words
    return str(exc).strip() or type(exc).__name__


def cause_at(path: Path, exc: BaseException) -> str:
    """`cause`, made exact for a file that exists but cannot be written: SQLite says only
    "unable to open" when a WAL database's folder is read-only."""
    words = cause(exc)
    if words in ("it is read-only", "it cannot be opened (missing, or no permission)") or (
        isinstance(exc, PermissionError)
    ):
        if path.is_file() and not os.access(path, os.W_OK):
            return "it is read-only"
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            return f"its folder {path.parent} is read-only"
    return words


def is_write_fault(exc: BaseException) -> bool:
    """True for the failures that a write meets when the machine, not the data, is at fault: a
    full disk, a read-only file, a lock held too long, an I/O error. Such a write can succeed
    a moment later; nothing about the person's input is wrong."""
    if isinstance(exc, _PG_WRITE_FAULTS):
        return True
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        return False
    text = str(exc).lower()
    return any(
        needle in text
        for needle in (
            "full",
            "disk i/o",
            "readonly",
            "read-only",
            "locked",
            "unable to open",
        )
    )
