"""`datatool notes export` and `datatool notes import`: the auditor's own words on a council's
report, as a draft file to edit (`reports.notes`) and, once checked, stored for every worker
and /report alike."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import Failure, council_or_fail, open_repo
from bot.cli.words import operator_lang, t
from bot.config import Settings
from bot.services.report_builder import council_documents
from bot.services.report_notes import store_notes, stored_notes
from reports.notes import DraftRejected, draft_toml, read_notes
from rubric.loader import load_questionnaire


async def cmd_notes_export(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        documents = await council_documents(repo, load_questionnaire(), settings, council)
        notes = await stored_notes(repo, council)
    out = Path(args.file)
    out.write_text(draft_toml(documents, notes), encoding="utf-8")
    print(t("msg.notes_exported", council=council.slug, path=out))
    return 0


async def cmd_notes_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Failure(t("err.notes_file", path=path, cause=exc)) from None
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        documents = await council_documents(repo, load_questionnaire(), settings, council)
        try:
            notes = read_notes(text, documents["en"])
        except DraftRejected as rejected:
            lang = operator_lang()
            print(t("msg.notes_rejected", path=path, n=len(rejected.problems)), file=sys.stderr)
            for problem in rejected.problems:
                print(problem.say(lang), file=sys.stderr)
            return 1
        await store_notes(repo, council, notes)
    print(
        t(
            "msg.notes_imported",
            council=council.slug,
            sections=len(notes.sections),
            recommendations=len(notes.recommendations),
        )
    )
    missing = notes.one_language()
    if missing:
        print(t("msg.notes_one_language", tables=", ".join(missing)))
    return 0
