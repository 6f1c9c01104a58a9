"""``datatool backup FILE``: a consistent copy of the database, even while the bot runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Failure, open_database
from bot.cli.words import t
from bot.config import Settings
from storage.database import is_postgres
from storage.faults import STORAGE_ERRORS, cause_at


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.file)
    if is_postgres(settings.datatool_db):
        raise Failure(
            "DATATOOL_DB is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f datatool.dump)"
        )
    if dest.resolve() == Path(settings.datatool_db).resolve():
        raise Failure(t("err.backup_self"))
    async with await open_database(settings, read_only=True) as db:
        try:
            await db.backup(dest)
        except STORAGE_ERRORS as exc:
            raise Failure(f"cannot write the backup {dest}: {cause_at(dest, exc)}") from None
    print(t("msg.backed_up", db=settings.datatool_db, path=dest))
    return 0
