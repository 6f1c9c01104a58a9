"""``datatool migrate-to postgresql://…``: the SQLite database (``DATATOOL_DB``) copied into an
empty PostgreSQL database, everything kept (codes, answers, reminders sent, releases), so that
moving to PostgreSQL re-emails nobody and changes no figure. The bot is stopped first (the
copy is of the file as it is then); afterwards ``DATATOOL_DB`` is set to the URL."""

from __future__ import annotations

import argparse

from bot.cli.common import Failure, open_database
from bot.cli.words import t
from bot.config import Settings, without_password
from storage.copy import TargetNotEmpty, copy_database
from storage.database import is_postgres


async def cmd_migrate_to(args: argparse.Namespace, settings: Settings) -> int:
    if is_postgres(settings.datatool_db):
        raise Failure(t("migrate.not_sqlite", db=settings.database_label))
    if not is_postgres(args.url):
        raise Failure(t("migrate.not_postgres", target=without_password(args.url)))
    target_settings = settings.model_copy(update={"datatool_db": args.url})
    source = await open_database(settings, read_only=True)
    async with source, await open_database(target_settings) as target:
        try:
            copied = await copy_database(source, target)
        except TargetNotEmpty:
            raise Failure(t("migrate.not_empty", target=without_password(args.url))) from None
    print(
        t(
            "migrate.done",
            db=settings.database_label,
            target=without_password(args.url),
            invitees=copied["invitees"],
            responses=copied["responses"],
            answers=copied["answers"],
        )
    )
    return 0
