"""``datatool auditors add|remove|list``: who may use the auditor commands."""

from __future__ import annotations

import argparse

from bot.cli.common import Failure, council_or_fail, open_repo
from bot.config import Settings
from storage.councils import names_wales


async def cmd_auditors(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        every = not args.council or names_wales(args.council)
        council = None if every else await council_or_fail(repo, args.council)
        council_id = council.id if council else None
        if args.action == "list":
            for telegram_id, slug in await repo.list_auditors():
                print(f"{telegram_id}\t{slug or 'all councils'}")
            for telegram_id in sorted(settings.auditor_ids):
                print(f"{telegram_id}\tall councils (AUDITOR_IDS)")
            return 0
        if args.telegram_id is None:
            raise Failure(f"auditors {args.action} needs a Telegram user id")
        scope = council.slug if council else "all councils"
        if args.action == "add":
            added = await repo.add_auditor(args.telegram_id, council_id)
            print(f"{'added' if added else 'already there'}: {args.telegram_id} for {scope}")
        else:
            removed = await repo.remove_auditor(args.telegram_id, council_id)
            print(f"{'removed' if removed else 'not found'}: {args.telegram_id} for {scope}")
    return 0
