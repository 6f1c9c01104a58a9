"""``datatool roster import``: invitees from a CSV file, all rows or none."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Failure, council_or_fail, current_questionnaire, open_repo, typed
from bot.cli.roster_csv import Problem, RosterFileError, read_roster
from bot.cli.words import operator_lang, t
from bot.config import Settings
from storage.councils import by_slug
from storage.roster import RosterError, RowProblem
from storage.rows import RosterRow


def row_reason(problem: RowProblem, lines: list[tuple[int, RosterRow]]) -> str:
    """A row that the import refused, in the operator's words, naming any other line it
    clashes with by the file's own line number."""
    if problem.code == "unknown_council":
        reason = t("err.unknown_council", query=typed(str(problem.params["council"])))
    else:
        params = dict(problem.params)
        if operator_lang() == "cy":  # the council by its Welsh name, not its slug
            params["council"] = by_slug(str(params["council"])).name_cy
        reason = t("roster.listed_twice", **params)
    if problem.also_index is not None:
        reason = t("roster.also_on_line", reason=reason, line=lines[problem.also_index][0])
    return reason


async def cmd_roster_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    async with open_repo(settings) as repo:
        lines = read_roster(path, (await current_questionnaire(repo)).groups)
        try:
            result = await repo.import_roster([row for _, row in lines])
        except RosterError as exc:
            problems = [Problem(lines[p.index][0], row_reason(p, lines)) for p in exc.problems]
            raise RosterFileError(path, problems) from None
    counts = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}
    print(t("msg.imported", path=path, **counts))
    return 0


async def cmd_roster_remove(args: argparse.Namespace, settings: Settings) -> int:
    """People added by mistake, taken off a council's roster (all or none): never emailed or
    reminded again. Anyone who had answered is withdrawn as by /forget."""
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        result = await repo.remove_invitees(council.id, args.emails)
    if result.unknown:
        names = ", ".join(result.unknown)
        raise Failure(t("err.not_on_roster", council=council.slug, emails=names))
    print(t("msg.removed", council=council.slug, n=len(result.removed)))
    if result.answered:
        print(t("msg.removed_answered", n=len(result.answered)))
    return 0
