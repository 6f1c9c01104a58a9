"""``datatool migrate-to postgresql://…``: the SQLite database (``DATATOOL_DB``) copied into an
empty PostgreSQL database, everything kept (codes, answers, reminders sent, releases), so that
moving to PostgreSQL re-emails nobody and changes no figure. The bot is stopped first (the
copy is of the file as it is then); afterwards ``DATATOOL_DB`` is set to the URL."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from bot.cli.common import Failure, open_database
from bot.cli.words import t
from bot.config import Settings
from storage.copy import TargetNotEmpty, copy_database
from storage.database import is_postgres


def _shown(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


async def cmd_migrate_to(args: argparse.Namespace, settings: Settings) -> int:
    if is_postgres(settings.datatool_db):
        raise Failure(t("migrate.not_sqlite", db=settings.database_label))
    if not is_postgres(args.target):
        raise Failure(t("migrate.not_postgres", target=_shown(args.target)))
    target_settings = settings.model_copy(update={"datatool_db": args.target})
    source = await open_database(settings, read_only=True)
    async with source, await open_database(target_settings) as target:
        try:
            copied = await copy_database(source, target)
        except TargetNotEmpty:
            raise Failure(t("migrate.not_empty", target=_shown(args.target))) from None
    print(
        t(
            "migrate.done",
            db=settings.database_label,
            target=_shown(args.target),
            invitees=copied["invitees"],
            responses=copied["responses"],
            answers=copied["answers"],
        )
    )
    return 0
