"""``datatool status`` and ``datatool survey open|close``: where a council's survey stands."""

from __future__ import annotations

import argparse
from datetime import date

from bot.cli.common import Failure, council_or_fail, open_repo
from bot.config import Settings
from storage.councils import names_wales

STATUS_COLUMNS = ("invited", "emailed", "opened", "started", "submitted", "unreachable")


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """One council's states by group; with `wales` (`cymru`), every council that has invitees."""
    async with open_repo(settings, read_only=True) as repo:
        if names_wales(args.council):
            found = [(c, await repo.status(c.id)) for c in await repo.councils()]
            found = [(c, rows) for c, rows in found if any(r.invited for r in rows)]
            if not found:
                print("nobody has been invited at any council")
        else:
            council = await council_or_fail(repo, args.council)
            found = [(council, await repo.status(council.id))]
    for i, (council, rows) in enumerate(found):
        if i:
            print()
        print(council.name_en)
        print(f"{'group':<10}" + "".join(f"{c:>12}" for c in STATUS_COLUMNS))
        for row in rows:
            print(f"{row.group:<10}" + "".join(f"{getattr(row, c):>12}" for c in STATUS_COLUMNS))
        totals = [sum(getattr(r, c) for r in rows) for c in STATUS_COLUMNS]
        print(f"{'total':<10}" + "".join(f"{t:>12}" for t in totals))
    return 0


async def cmd_survey(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        if args.action == "open":
            closes = _date(args.closes) if args.closes else None
            opens = _date(args.opens) if args.opens else None
            if opens and closes and opens > closes:
                raise Failure("--opens must not be after --closes")
            await repo.set_window(council.id, closes, opens)
            since = f" from {opens.isoformat()}" if opens else ""
            until = f" until the end of {closes.isoformat()}" if closes else ""
            print(f"{council.slug}: survey open{since}{until}")
        else:
            from bot.auditor.report_files import advance_releases
            from rubric.loader import load_questionnaire

            await repo.close_survey(council.id)
            # The final release, which counts everyone and which the export is made from.
            await advance_releases(
                repo, load_questionnaire(), settings.min_group_size, settings.timezone
            )
            print(f"{council.slug}: survey closed; final figures released")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(f"dates must look like 2026-12-31, not {text!r}") from None
