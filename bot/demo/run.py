"""``datatool demo``: respondents answer through the real bot, then an auditor asks for Powys's
report, which is printed as a summary and saved as PDF and as HTML, in English and in Welsh.

The running commentary is the operator's, in their language (``bot.cli.words``); what the bot
says is shown as the bot says it.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.text import Text

from bot.cli.counting import count
from bot.cli.words import operator_lang, t
from bot.demo.render import message_body
from bot.demo.respondents import AnswerPlan, plan_answers, walk
from bot.demo.roster import Person, demo_people
from bot.demo.stage import Stage, StageError, demo_bot
from bot.demo.workspace import fresh_database
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from standin import StoredMessage
from storage.councils import short_name

SEED = 2018
AUDITOR_ID = 900001
FIRST_PHONE = 700001
CONCURRENT_PHONES = 24
REPORT_COUNCIL = "powys"
REPORT_TIMEOUT = 60.0


class DemoReport(BaseModel):
    lang: Lang
    summary: str
    """The summary message as the auditor's phone shows it (visible text)."""
    path: Path


class DemoResult(BaseModel):
    database: Path
    respondents: int
    submitted: int
    seconds_answering: float
    reports: list[DemoReport]


async def run_demo(
    out_dir: Path, *, quick: bool = False, console: Console | None = None, seed: int = SEED
) -> DemoResult:
    """The automatic demo; prints as it goes and returns what it made."""
    console = console or Console(highlight=False, soft_wrap=True)
    rng = random.Random(seed)
    people = demo_people(rng, quick=quick)
    plans = plan_answers(load_questionnaire(), people, rng)
    db_path = fresh_database(out_dir, "demo")
    councils = list(dict.fromkeys(p.row.council for p in people))
    roster = t(
        "demo.roster",
        invitees=count(len(people), "invitee"),
        councils=count(len(councils), "council"),
        names=", ".join(short_name(slug, operator_lang()) for slug in councils),
    )
    console.print(Text("\n".join([t("demo.title"), t("demo.database", path=db_path), roster])))
    async with demo_bot(
        db_path, [p.row for p in people], auditor_ids=frozenset({AUDITOR_ID})
    ) as stage:
        started = time.monotonic()
        submitted = await _answer_all(stage, people, plans, console)
        answering = time.monotonic() - started
        seconds = f"{answering:.1f}"
        console.print(
            t(
                "demo.submitted",
                surveys=count(submitted, "survey"),
                respondents=count(len(plans), "respondent"),
                seconds=seconds,
            )
        )
        reports = [
            await _report(stage, out_dir, lang, fmt, console)
            for fmt in ("pdf", "html")
            for lang in ("en", "cy")
        ]
        if stage.api.violations:
            first = stage.api.violations[0]
            raise StageError(
                t(
                    "demo.err.refused",
                    requests=count(len(stage.api.violations), "request"),
                    method=first.method,
                    description=first.description,
                )
            )
    return DemoResult(
        database=db_path,
        respondents=len(plans),
        submitted=submitted,
        seconds_answering=round(answering, 2),
        reports=reports,
    )


async def _answer_all(
    stage: Stage, people: list[Person], plans: dict[str, AnswerPlan], console: Console
) -> int:
    answering = [p for p in people if p.answers]
    questionnaire = load_questionnaire()
    total_answers = sum(
        plans[p.row.email].stop_after
        or sum(1 for q in questionnaire.questions if p.row.group in q.audience)
        for p in answering
    )
    gate = asyncio.Semaphore(CONCURRENT_PHONES)
    submitted = 0
    with Progress(
        TextColumn("[bold]" + t("demo.answering")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(t("demo.progress", done="{task.fields[done]}")),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("answering", total=total_answers, done=0)

        async def one(index: int, person: Person) -> None:
            nonlocal submitted
            phone = stage.api.phone(
                FIRST_PHONE + index, person.row.name.split()[0], language_code=person.lang
            )
            async with gate:
                finished = await walk(
                    phone,
                    stage.api.state.messages(phone.user_id),
                    stage.tokens[person.row.email],
                    person.lang,
                    plans[person.row.email],
                    lambda: progress.advance(task),
                )
            if finished:
                submitted += 1
                progress.update(task, done=submitted)

        await asyncio.gather(*(one(i, p) for i, p in enumerate(answering)))
        progress.update(task, completed=total_answers)
    return submitted


async def _report(
    stage: Stage, out_dir: Path, lang: Lang, fmt: str, console: Console
) -> DemoReport:
    """Asks for the report as an auditor would; the HTML requests print only the file saved,
    since their summary is the one the PDF request already printed."""
    auditor = stage.api.phone(AUDITOR_ID, "Auditor", language_code=lang)
    command = f"/adroddiad {REPORT_COUNCIL} cy" if lang == "cy" else f"/report {REPORT_COUNCIL} en"
    command += " html" if fmt == "html" else ""
    before = max((m.message_id for m in auditor.bot_messages), default=0)
    await auditor.send(command)
    try:
        await auditor.wait_for(
            lambda m: m.message_id > before and m.document is not None, REPORT_TIMEOUT
        )
    except TimeoutError:
        said = [m.shown[:120] for m in auditor.bot_messages if m.message_id > before]
        raise StageError(t("demo.err.no_report", command=command, said=said)) from None
    await auditor.wait_quiet(0.3, REPORT_TIMEOUT)
    fresh = [m for m in auditor.bot_messages if m.message_id > before]
    document = next(m for m in fresh if m.document is not None)
    assert document.document is not None
    path = out_dir / f"{REPORT_COUNCIL}-report-{lang}.{fmt}"
    path.write_bytes(document.document.data)
    console.print(Rule(t("demo.auditor", command=command)))
    if fmt == "pdf":
        for message in fresh:
            _print_message(console, message)
    saved = t("demo.saved", path="\0", name=document.document.file_name)
    before_path, _, after_path = saved.partition("\0")
    console.print(Text(before_path) + Text(str(path), style="bold") + Text(after_path))
    summary = "\n\n".join(m.shown for m in fresh if m.document is None)
    return DemoReport(lang=lang, summary=summary, path=path)


def _print_message(console: Console, message: StoredMessage) -> None:
    if message.document is not None:
        console.print(Text(t("demo.document", name=message.document.file_name), style="bold"))
    body = message_body(message)
    if body.plain:
        console.print(body)
    console.print()
