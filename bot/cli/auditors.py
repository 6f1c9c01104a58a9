"""``datatool auditors add|remove|list``: who may use the auditor commands."""

from __future__ import annotations

import argparse
import json

from bot.cli.common import Failure, council_label, council_or_fail, open_repo
from bot.cli.words import operator_lang, t
from bot.config import Settings
from storage.councils import by_slug, names_wales


async def cmd_auditors(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        every = not args.council or names_wales(args.council)
        council = None if every else await council_or_fail(repo, args.council)
        council_id = council.id if council else None
        if args.action == "list":
            if args.json:
                listed = [
                    {"telegram_id": telegram_id, "council": slug, "from": "datatool auditors"}
                    for telegram_id, slug in await repo.list_auditors()
                ]
                listed += [
                    {"telegram_id": telegram_id, "council": None, "from": "AUDITOR_IDS"}
                    for telegram_id in sorted(settings.auditor_ids)
                ]
                print(json.dumps({"auditors": listed}, ensure_ascii=False, indent=2))
                return 0
            for telegram_id, slug in await repo.list_auditors():
                print(f"{telegram_id}\t{_scope(slug) if slug else t('msg.all_councils')}")
            for telegram_id in sorted(settings.auditor_ids):
                print(f"{telegram_id}\t{t('msg.all_councils_setting')}")
            return 0
        if args.telegram_id is None:
            raise Failure(t("err.auditor_needs_id", action=args.action))
        scope = council_label(council) if council else t("msg.all_councils")
        if args.action == "add":
            added = await repo.add_auditor(args.telegram_id, council_id)
            key = "msg.auditor_added" if added else "msg.auditor_there"
            print(t(key, id=args.telegram_id, scope=scope))
        else:
            removed = await repo.remove_auditor(args.telegram_id, council_id)
            key = "msg.auditor_removed" if removed else "msg.auditor_not_found"
            print(t(key, id=args.telegram_id, scope=scope))
    return 0


def _scope(slug: str) -> str:
    """A council in the list: its Welsh name for a Welsh operator, else its slug."""
    return by_slug(slug).name_cy if operator_lang() == "cy" else slug
