"""The database's failures, in words an operator or a log reader can act on.

SQLite reports a full disk, a read-only file and a lock held too long as one exception class
(`sqlite3.OperationalError`) told apart only by its message; this module names them once, for
the command line (one line, never a traceback) and for the bot (a failed write is told to the
respondent and logged by its cause).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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

FaultCode = Literal[
    "disk_full",
    "disk_io",
    "read_only",
    "locked",
    "cannot_open",
    "not_database",
    "damaged",
    "no_permission",
    "folder_read_only",
    "other",
]


@dataclass(frozen=True)
class Fault:
    """Why a database call failed, as a code for the command line to word in the operator's
    language: ``detail`` is the operating system's or the driver's own words for ``other``, the
    folder for ``folder_read_only``, else empty."""

    code: FaultCode
    detail: str = ""


_CAUSES: tuple[tuple[str, FaultCode], ...] = (
    ("database or disk is full", "disk_full"),
    ("disk i/o error", "disk_io"),
    ("attempt to write a readonly database", "read_only"),
    ("readonly database", "read_only"),
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("unable to open database file", "cannot_open"),
    ("file is not a database", "not_database"),
    ("database disk image is malformed", "damaged"),
)
_ENGLISH: dict[FaultCode, str] = {
    "disk_full": "the disk is full",
    "disk_io": "the disk refused the write (disk I/O error: full or failing?)",
    "read_only": "it is read-only",
    "locked": "another program held its lock too long",
    "cannot_open": "it cannot be opened (missing, or no permission)",
    "not_database": "it is not a SQLite database",
    "damaged": "the file is damaged (malformed)",
    "no_permission": "no permission",
    "folder_read_only": "its folder {detail} is read-only",
    "other": "{detail}",
}
"""The causes in English, for the bot's log."""


def fault(exc: BaseException) -> Fault:
    """Why a database call failed."""
    if isinstance(exc, PermissionError):
        return Fault("no_permission")
    if isinstance(exc, OSError):
        return Fault("other", exc.strerror or type(exc).__name__)
    text = str(exc).strip().lower()
    for needle, code in _CAUSES:
        if needle in text:
            return Fault(code)
    return Fault("other", str(exc).strip() or type(exc).__name__)


def fault_at(path: Path, exc: BaseException) -> Fault:
    """`fault`, made exact for a file that exists but cannot be written: SQLite says only
    "unable to open" when a WAL database's folder is read-only."""
    found = fault(exc)
    if found.code in ("read_only", "cannot_open", "no_permission"):
        if path.is_file() and not os.access(path, os.W_OK):
            return Fault("read_only")
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            return Fault("folder_read_only", str(path.parent))
    return found


def english(found: Fault) -> str:
    return _ENGLISH[found.code].format(detail=found.detail)


def cause(exc: BaseException) -> str:
    """A few words for why a database call failed (English, for the log)."""
    return english(fault(exc))


def cause_at(path: Path, exc: BaseException) -> str:
    """`fault_at` in English words."""
    return english(fault_at(path, exc))


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
