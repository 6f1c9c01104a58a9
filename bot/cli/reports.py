"""`datatool report` and `datatool export`: the auditors' outputs, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.auditor.report_files import build
from bot.cli.common import council_or_fail, open_repo
from bot.cli.spreadsheet import write_csv
from bot.config import Settings
from rubric.loader import load_questionnaire


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        built = await build(repo, load_questionnaire(), settings, council, args.lang)
    out = Path(args.out) if args.out else Path(built.filename)
    out.write_text(built.html, encoding="utf-8")
    print(f"wrote the {args.lang} report for {council.slug} to {out}")
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    questionnaire = load_questionnaire()
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        rows = await repo.export_answers(council.id)
    question_ids = [q.id for q in questionnaire.questions]
    write_csv(
        Path(args.out),
        ["response", "group", "language", *question_ids],
        (
            [number, row.group, row.language or "", *(row.answers.get(q, "") for q in question_ids)]
            for number, row in enumerate(rows, start=1)
        ),
    )
    print(f"wrote {len(rows)} anonymised responses for {council.slug} to {args.out}")
    return 0
