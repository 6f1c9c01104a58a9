"""``datatool backup FILE``: a consistent copy of the database, even while the bot runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Failure, open_database
from bot.cli.reasons import fault_reason
from bot.cli.words import t
from bot.config import Settings
from storage.database import is_postgres
from storage.faults import STORAGE_ERRORS, fault_at


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.file)
    if is_postgres(settings.datatool_db):
        raise Failure(t("db.postgres_backup"))
    if dest.resolve() == Path(settings.datatool_db).resolve():
        raise Failure(t("err.backup_self"))
    async with await open_database(settings, read_only=True) as db:
        try:
            await db.backup(dest)
        except STORAGE_ERRORS as exc:
            cause = fault_reason(fault_at(dest, exc))
            raise Failure(t("db.cannot_write_backup", path=dest, cause=cause)) from None
    print(t("msg.backed_up", db=settings.datatool_db, path=dest))
    return 0
