"""``datatool invites COUNCIL``: one personal invitation link per invitee (asks Telegram for the
bot's username, so the links are right)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import Failure, council_label, council_or_fail, open_repo
from bot.cli.counting import count
from bot.cli.roster_csv import write_invitations
from bot.cli.telegram import open_bot
from bot.cli.words import t
from bot.config import Settings


async def cmd_invites(args: argparse.Namespace, settings: Settings) -> int:
    # A one-off command asks a few times only, so an unreachable API fails in seconds.
    async with open_bot(settings, attempts=4) as bot:
        me = await bot.get_me()
    if not me.username:
        raise Failure(t("err.no_username"))
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        invitations = await repo.ensure_tokens(council.id)
    text = write_invitations(invitations, me.username)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        written = count(len(invitations), "invitation")
        print(
            t(
                "msg.invites_written",
                invitations=written,
                council=council_label(council),
                path=args.out,
            )
        )
    else:
        sys.stdout.write(text)
    return 0
