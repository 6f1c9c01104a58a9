"""``datatool questionnaire export|import``: the questionnaire as an XLSForm the auditors edit.

Export writes the current questionnaire (the newest stored version, else the one that comes
with datatool); import checks a workbook whole (``rubric.xlsform``) before the database is even
opened, so nothing changes on a bad file, then stores it as the next version and says what
changed since the last, by name (``rubric.changes``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Failure, open_repo
from bot.cli.reasons import error_reason
from bot.cli.words import t
from bot.config import Settings
from rubric.changes import Change, changes
from rubric.loader import load_questionnaire
from rubric.xlsform import Problem, XlsFormError, read_workbook, to_workbook


def problem_line(problem: Problem) -> str:
    """One problem in the operator's words: where (sheet, row, column) and what."""
    where = [t("xls.sheet", sheet=problem.sheet)] if problem.sheet else []
    if problem.row is not None:
        where.append(t("xls.row", row=problem.row))
    if problem.column is not None:
        where.append(t("xls.column", column=problem.column))
    values = dict(problem.values)
    if problem.pydantic is not None:
        kind, ctx, english = problem.pydantic
        values["reason"] = error_reason(kind, ctx, english)
    if problem.code == "model" and not values.get("field"):
        what = values["reason"]
    else:
        what = t(f"xls.{problem.code}", **values)
    return t("xls.problem", where=", ".join(where), problem=what) if where else what


def change_line(change: Change) -> str:
    what = f"reworded_{change.lang}" if change.what == "reworded" else change.what
    return t(
        "q.change", kind=t(f"q.kind.{change.kind}"), name=change.name, what=t(f"q.what.{what}")
    )


async def cmd_questionnaire_export(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        latest = await repo.latest_questionnaire_version()
    if latest is None:
        questionnaire, source = load_questionnaire(), t("q.packaged")
    else:
        questionnaire, source = latest.questionnaire, t("q.version", number=latest.number)
    to_workbook(questionnaire).save(args.file)
    print(t("q.exported", path=args.file, label=questionnaire.version, source=source))
    return 0


async def cmd_questionnaire_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        questionnaire = read_workbook(Path(args.file))
    except XlsFormError as exc:
        lines = [t("q.refused", path=args.file), *(problem_line(p) for p in exc.problems)]
        raise Failure("\n".join(lines)) from None
    draft = bool(getattr(args, "draft", False))
    async with open_repo(settings) as repo:
        # Against the newest version stored, a draft too: importing it again stores nothing.
        latest = await repo.newest_questionnaire_version()
        if latest is None:
            base, before = t("q.packaged"), load_questionnaire()
        else:
            base, before = t("q.version", number=latest.number), latest.questionnaire
        if latest is not None and latest.questionnaire == questionnaire:
            print(t("q.unchanged", base=base))
            return 0
        number = await repo.add_questionnaire_version(questionnaire, draft=draft)
    key = "q.stored_draft" if draft else "q.stored"
    print(t(key, number=number, label=questionnaire.version, base=base))
    found = changes(before, questionnaire)
    for change in found:
        print(change_line(change))
    if not found:
        print(t("q.no_changes"))
    return 0


async def cmd_questionnaire_publish(args: argparse.Namespace, settings: Settings) -> int:
    """A draft made the current questionnaire (it was tried with ``/preview`` first)."""
    async with open_repo(settings) as repo:
        outcome = await repo.publish_questionnaire_version(args.number)
        version = await repo.questionnaire_version(args.number)
    if outcome == "unknown" or version is None:
        raise Failure(t("err.no_version", number=args.number))
    if outcome == "superseded":
        latest = await _latest_number(settings)
        raise Failure(t("err.superseded", number=args.number, latest=latest))
    if outcome == "already":
        print(t("q.already_published", number=args.number))
        return 0
    print(t("q.published", number=args.number, label=version.questionnaire.version))
    return 0


async def _latest_number(settings: Settings) -> int:
    async with open_repo(settings) as repo:
        latest = await repo.latest_questionnaire_version()
    assert latest is not None  # a superseded draft has a newer published version
    return latest.number
