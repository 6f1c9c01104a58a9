"""`datatool report` and `datatool export`: the auditors' outputs, offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import Failure, council_label, council_or_fail, open_repo, wales_label
from bot.cli.counting import count
from bot.cli.spreadsheet import csv_text, write_csv
from bot.cli.words import operator_lang, t
from bot.config import Settings
from bot.services.report_builder import build, build_national_report, in_use
from bot.services.report_notes import FinalRefused
from reports.confidentiality import ExportWithheld, export_release
from reports.open_data import COLUMNS, as_cells, licence_lines
from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage.councils import names_wales
from storage.export import ExportRow
from storage.reporting import CommentRow
from storage.repository import Repository
from storage.rows import Council


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    # The operator's language unless they ask for another: a Welsh-speaking operator's report
    # is in Welsh.
    lang = args.lang or operator_lang()
    final = bool(getattr(args, "final", False))
    if final and names_wales(args.council):
        raise Failure(t("err.final_wales"))
    # The final version is kept (to be made again identical), so it needs to write.
    async with open_repo(settings, read_only=not final) as repo:
        if names_wales(args.council):
            built = await build_national_report(
                repo, load_questionnaire(), settings, lang, advance=False
            )
            what = wales_label()
        else:
            council = await council_or_fail(repo, args.council)
            try:
                built = await build(
                    repo,
                    load_questionnaire(),
                    settings,
                    council,
                    lang,
                    advance=False,
                    final=final,
                )
            except FinalRefused as refused:
                print(refused.say(operator_lang()), file=sys.stderr)
                return 1
            what = council_label(council)
    csv_out = getattr(args, "csv", None)
    if csv_out:
        # Open data: the figures the report shows, under the Open Government Licence.
        text = "\n".join(licence_lines()) + "\n" + csv_text(COLUMNS, as_cells(built.figures))
        Path(csv_out).write_text(text, encoding="utf-8")
        print(
            t(
                "msg.figures_written",
                council=what,
                path=csv_out,
                rows=count(len(built.figures), "row"),
            )
        )
        if not args.out:
            return 0
    out = Path(args.out) if args.out else Path(built.filename_for("pdf"))
    if out.suffix.lower() == ".html":
        out.write_text(built.html, encoding="utf-8")
    else:
        out.write_bytes(await built.pdf())
    print(t(f"msg.report_written.{lang}", council=what, path=out))
    return 0


class Refused(Exception):
    """No export may be made now; the message says why."""


async def export_tables(
    repo: Repository,
    settings: Settings,
    council: Council,
    questionnaire: Questionnaire | None = None,
) -> tuple[list[ExportRow], list[CommentRow], list[ExportWithheld]]:
    """The export's rows, comments and what it withholds, from the council's final release
    (made when the survey closes: `datatool survey close`, or the bot at the close), checked as
    one more output beside every release (`reports.confidentiality.export_release`). Rows of
    answers cannot be compared export with export without giving away whose rows arrived or
    went, so there is one set of rows, and none once someone counted in it has withdrawn."""
    release = await repo.latest_release(council.id)
    if release is None or not release.final:
        raise Refused(t("export.not_final", council=council_label(council)))
    if await repo.withdrawn_since(release):
        raise Refused(t("export.withdrawn", council=council_label(council)))
    rows, withheld = export_release(
        questionnaire or load_questionnaire(),
        await repo.release_roll(council.id),
        await repo.release_history(council.id),
        await repo.export_answers(release.id),
        settings.min_group_size,
        unanimity_safe_size=settings.unanimity_safe_size,
    )
    return rows, await repo.export_comments(release.id), withheld


def export_columns(
    asked: Questionnaire, versions: list[Questionnaire], packaged: Questionnaire
) -> list[str]:
    """The export's answer columns: the questions of the version the release answered, then
    those of every other version (oldest first, then the packaged one's) it lacks, so that no
    question anyone was asked is dropped from the file when a later version removes it."""
    seen: dict[str, None] = {}
    for q in (asked, *versions, packaged):
        for question in q.questions:
            if question.kind != "text":
                seen.setdefault(question.id, None)
    return list(seen)


def withheld_lines(withheld: list[ExportWithheld], k: int) -> list[str]:
    """What the export leaves out, one line each, in the operator's language."""
    out = []
    for w in withheld:
        key = f"export.withheld.{w.reason}"
        out.append(t(key, question=w.question or "", rows=count(w.rows, "row"), n=w.rows, min=k))
    return out


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    questionnaire = load_questionnaire()
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        try:
            asked = await in_use(repo, questionnaire, council.id)
            rows, comments, withheld = await export_tables(repo, settings, council, asked)
        except Refused as refused:
            print(str(refused), file=sys.stderr)
            return 1
        in_version = await repo.version_in_use(council.id)
        version = "" if in_version is None else str(in_version)
        question_ids = export_columns(
            asked, [v.questionnaire for v in await repo.questionnaire_versions()], questionnaire
        )
    out = Path(args.out)
    write_csv(
        out,
        ["group", "team", "language", "questionnaire_version", *question_ids],
        (
            [
                r.group or "",
                r.team or "",
                r.language or "",
                version,
                *(r.answers.get(q, "") for q in question_ids),
            ]
            for r in rows
        ),
    )
    comments_out = out.with_name(out.stem + "-comments" + out.suffix)
    write_csv(comments_out, ["question", "comment"], ([c.question_id, c.text] for c in comments))
    counts = {
        "responses": count(len(rows), "anonymous_response"),
        "comments": count(len(comments), "comment"),
    }
    for line in withheld_lines(withheld, settings.min_group_size):
        print(line)
    print(
        t(
            "msg.export_written",
            council=council_label(council),
            path=out,
            comments_path=comments_out,
            **counts,
        )
    )
    return 0
