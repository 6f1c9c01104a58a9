"""`datatool report` and `datatool export`: the auditors' outputs, offline."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.cli.spreadsheet import write_csv
from bot.config import Settings
from rubric.loader import load_questionnaire
from storage.export import export_answers


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.auditor.delivery import build
    from bot.cli.main import council_or_fail, open_repo

    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        built = await build(repo, load_questionnaire(), settings, council, args.lang)
    out = Path(args.out) if args.out else Path(built.filename)
    out.write_text(built.html, encoding="utf-8")
    print(f"wrote the {args.lang} report for {council.slug} to {out}")
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.main import council_or_fail, open_repo

    questionnaire = load_questionnaire()
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        rows = await export_answers(repo.db, council.id)
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


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("report", cmd_report, "a council's report as one self-contained HTML file")
    p.add_argument("council")
    p.add_argument("--lang", choices=("en", "cy"), default="en")
    p.add_argument("--out", help="the HTML file (default: datatool-COUNCIL-DATE.html)")
    p = add("export", cmd_export, "anonymised answers as CSV, one row per response")
    p.add_argument("council")
    p.add_argument("--out", required=True)
