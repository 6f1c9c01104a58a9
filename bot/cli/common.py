"""What every ``datatool`` command shares: the one-line failure, the database and repository,
the council.

Every command module imports this one and nothing else of ``bot.cli``, so the command groups
cannot import each other in a circle. Nothing here imports aiogram: commands that never talk to
Telegram (``roster import``, ``report``, ``export``, ``status``) start in a blink.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.cli.reasons import error_reason, fault_reason
from bot.cli.roster_csv import RosterFileError
from bot.cli.words import operator_lang, t
from bot.config import ConfigError, Settings, load_settings
from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage import opening
from storage.councils import names_wales, short_name_cy
from storage.database import Database, SchemaBehind, is_postgres
from storage.faults import STORAGE_ERRORS, fault_at
from storage.repository import Repository
from storage.rows import Council

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


class Failure(Exception):
    """A one-line reason for the operator; exit code 1 (2 for a setting to fix)."""

    def __init__(self, reason: str, *, code: int = 1) -> None:
        super().__init__(reason)
        self.code = code


class DatabaseFailure(Failure):
    """The database could not be opened, read or written: names the file and the cause."""


async def open_database(settings: Settings, *, read_only: bool = False) -> Database:
    """The database, opened for writing (migrations applied) or, for the commands that only
    read, with SQLite's ``mode=ro``: those work on a read-only copy and never change a file."""
    path, label = settings.datatool_db, settings.database_label
    folder = Path(path).parent
    if not read_only and not is_postgres(path) and not folder.is_dir():
        # A typo in DATATOOL_DB must not make a new, empty database in a new folder.
        raise DatabaseFailure(t("db.no_folder", db=label, folder=folder))
    try:
        if read_only:
            return await opening.open_read_only(path)
        return await opening.open_database(path)
    except SchemaBehind as exc:
        raise DatabaseFailure(schema_behind(exc)) from None
    except FileNotFoundError:
        raise DatabaseFailure(t("db.missing", db=label)) from None
    except STORAGE_ERRORS as exc:
        key = "db.cannot_open" if read_only else "db.cannot_open_write"
        raise DatabaseFailure(
            t(key, db=label, cause=fault_reason(fault_at(Path(path), exc)))
        ) from None


def schema_behind(exc: SchemaBehind) -> str:
    return t("db.schema_behind", path=exc.path, version=exc.version, wanted=exc.wanted)


@asynccontextmanager
async def open_repo(settings: Settings, *, read_only: bool = False) -> AsyncIterator[Repository]:
    async with await open_database(settings, read_only=read_only) as db:
        yield Repository(db)


def council_label(council: Council) -> str:
    """A council as the operator reads it in a sentence: in Welsh its Welsh name ("Cyngor
    Caerdydd", never the slug "cardiff"); in English its slug, as the operator types it."""
    return council.name_cy if operator_lang() == "cy" else council.slug


def wales_label() -> str:
    """The whole of Wales where a council's label would stand: "Cymru gyfan" / "wales"."""
    return t("msg.all_of_wales")


def typed(query: str) -> str:
    """What the operator typed, shown inside quotation marks: one line, no control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in query[:100])


async def council_or_fail(repo: Repository, query: str) -> Council:
    if names_wales(query):
        raise Failure(t("err.every_council", query=typed(query)))
    council = await repo.find_council(query)
    if council is None:
        suggestions = await repo.suggest_councils(query)
        if suggestions:
            welsh = operator_lang() == "cy"
            # What the operator can type back: in Welsh the place's Welsh name.
            names = ", ".join(short_name_cy(c.name_cy) if welsh else c.slug for c in suggestions)
            raise Failure(t("err.unknown_council_hint", query=typed(query), names=names))
        raise Failure(t("err.unknown_council", query=typed(query)))
    return council


def setting_error(exc: ConfigError) -> str:
    """A setting's error in the operator's language, from what the settings (shared with the
    bot, which logs them in English) say went wrong: a sentence of ours whole (a token that is
    not set), or the setting's name and pydantic's error type and ctx."""
    if exc.kind in _WHOLE:
        return t(exc.kind)
    if not exc.kind:
        return str(exc)
    reason = error_reason(exc.kind, exc.ctx, exc.detail)
    return t("config.malformed", name=exc.setting, reason=reason)


_WHOLE = frozenset({"config.token_missing", "config.token_malformed", "config.secret_missing"})
"""Settings errors that are a whole sentence, naming their setting themselves."""


def execute(command: Command, args: argparse.Namespace) -> int:
    """Runs one command; whatever a person can cause ends as one line on stderr (a roster with
    several bad lines: one line each)."""
    settings: Settings | None = None
    try:
        settings = load_settings()
        from bot.cli.log_format import configure_logging, default_level

        configure_logging(
            level=settings.log_level,
            log_format=settings.log_format,
            default_level=default_level(args),
        )
        return asyncio.run(command(args, settings))
    except ConfigError as exc:
        print(f"datatool: {setting_error(exc)}", file=sys.stderr)
        return 2
    except (Failure, RosterFileError) as exc:
        for line in str(exc).splitlines():
            print(f"datatool: {line}", file=sys.stderr)
        return exc.code if isinstance(exc, Failure) else 1
    except STORAGE_ERRORS as exc:
        # A database that failed part-way (the disk filled, the file became read-only), or an
        # output file that could not be written: one line naming the file and the cause.
        if settings is None:
            raise
        filename = getattr(exc, "filename", None)
        path = Path(filename) if filename else Path(settings.datatool_db)
        cause = fault_reason(fault_at(path, exc))
        if filename:
            line = t("db.cannot_write_file", path=filename, cause=cause)
        else:
            line = t("db.cannot_write_db", db=settings.database_label, cause=cause)
        print(f"datatool: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def current_questionnaire(repo: Repository) -> Questionnaire:
    """What respondents are asked now: the newest published version, else the packaged one
    (a draft is never current)."""
    latest = await repo.latest_questionnaire_version()
    return load_questionnaire() if latest is None else latest.questionnaire
