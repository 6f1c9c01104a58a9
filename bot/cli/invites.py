"""``datatool invites COUNCIL``: one personal invitation link per invitee (asks Telegram for the
bot's username, so the links are right); ``invites wales``: every council's, in one file and
one question to Telegram."""

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
from storage.councils import names_wales

BOM = "\ufeff"
"""Excel reads a CSV file as UTF-8 only when it starts with this mark (else ``SiÃ¢n``)."""


async def cmd_invites(args: argparse.Namespace, settings: Settings) -> int:
    # A one-off command asks a few times only, so an unreachable API fails in seconds.
    async with open_bot(settings, attempts=4) as bot:
        me = await bot.get_me()
    if not me.username:
        raise Failure(t("err.no_username"))
    async with open_repo(settings) as repo:
        if names_wales(args.council):
            councils = await repo.councils()
            scope = t("msg.every_council")
        else:
            councils = [await council_or_fail(repo, args.council)]
            scope = council_label(councils[0])
        invitations = [inv for c in councils for inv in await repo.ensure_tokens(c.id)]
    text = write_invitations(invitations, me.username)
    if args.out:
        # The file is for a spreadsheet: UTF-8 with its mark. Standard output stays plain.
        Path(args.out).write_text(BOM + text, encoding="utf-8")
        written = count(len(invitations), "invitation")
        print(t("msg.invites_written", invitations=written, council=scope, path=args.out))
    else:
        sys.stdout.write(text)
    return 0
