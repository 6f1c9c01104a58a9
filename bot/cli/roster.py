"""``datatool roster import``: invitees from a CSV file, all rows or none."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import open_repo
from bot.cli.roster_csv import Problem, RosterFileError, read_roster
from bot.cli.words import t
from bot.config import Settings
from storage.repository import RosterError


async def cmd_roster_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    lines = read_roster(path)
    async with open_repo(settings) as repo:
        try:
            result = await repo.import_roster([row for _, row in lines])
        except RosterError as exc:
            raise RosterFileError(
                path,
                [
                    Problem(
                        lines[p.index][0],
                        p.reason
                        + (
                            ""
                            if p.also_index is None
                            else f", also on line {lines[p.also_index][0]}"
                        ),
                    )
                    for p in exc.problems
                ],
            ) from None
    counts = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
    print(t("msg.imported", path=path, **counts))
    return 0
