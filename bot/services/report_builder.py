"""A council's report, or the national report, built from the database: the Telegram summary,
the full HTML, its PDF and their file names. No aiogram here, so ``datatool report`` writes the
file without loading Telegram's client.

The PDF takes WeasyPrint a second or more, so it is made in a worker thread: the bot keeps
answering respondents meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.services.report_notes import final_input, stored_notes
from flows.window import Window, window_state
from reports import build_report, render_html, render_summary, report_filename
from reports.confidentiality import make_release
from reports.document import build_document
from reports.national import build_national, council_reports, rubric_advice
from reports.national_render import (
    national_filename,
    render_national_html,
    render_national_summary,
)
from reports.notes import apply_notes, final_stamp
from reports.open_data import Row, national_rows, report_rows
from reports.pdf import html_to_pdf
from reports.results import CouncilDocument
from rubric.advice import load_advice
from rubric.schema import LANGS, Lang, Questionnaire
from storage.reporting import History, LiveRows, NewRelease
from storage.repository import Repository
from storage.rows import Council

ReportFormat = Literal["pdf", "html"]


@dataclass(frozen=True)
class BuiltReport:
    summary: str
    html: str
    filename: str
    """The HTML's file name (``datatool-powys-2026-11-27.html``)."""
    lang: Lang = "en"
    title: str = ""
    figures: tuple[Row, ...] = ()
    """The figures the report shows, as open data (`reports.open_data`)."""

    def filename_for(self, fmt: ReportFormat) -> str:
        return self.filename.removesuffix(".html") + f".{fmt}"

    async def pdf(self) -> bytes:
        return await asyncio.to_thread(html_to_pdf, self.html, self.lang, self.title)

    async def document(self, fmt: ReportFormat) -> bytes:
        return await self.pdf() if fmt == "pdf" else self.html.encode("utf-8")


async def build(
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    lang: Lang,
    reader_covers: frozenset[str] = frozenset(),
    *,
    final: bool = False,
) -> BuiltReport:
    """The council's report as its reader may see it (`reader_covers`: see
    ``bot.services.access.reader_covers``; the operator's command line reads the database
    anyway, so it passes nothing), with the auditor's notes (`datatool notes import`). With
    `final`, the version to publish (`bot.services.report_notes.final_input`): stamped, and
    made again identical from the same release and notes; `FinalRefused` when it cannot be."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    await advance_releases(repo, questionnaire, settings.min_group_size, settings.timezone)
    rows = await repo.report_input(council.id)
    notes = await stored_notes(repo, council)
    made = await final_input(repo, council, rows, notes, today) if final else None
    if made is not None:
        rows, today = made.rows, made.made_on
    report = build_report(
        questionnaire,
        rows,
        council,
        lang,
        settings.min_group_size,
        generated_on=today,
        reader_covers=reader_covers,
    )
    document = apply_notes(build_document(report), notes)
    if made is not None:
        stamp = final_stamp(lang, made.made_on, made.release_id, made.responses)
        document = document.model_copy(update={"final": stamp})
    filename = report_filename(council, today)
    return BuiltReport(
        summary=render_summary(document, lang),
        html=render_html(document, lang),
        filename=filename.replace(".html", "-final.html") if final else filename,
        lang=lang,
        title=report.title,
        figures=tuple(report_rows(report)),
    )


async def council_documents(
    repo: Repository, questionnaire: Questionnaire, settings: Settings, council: Council
) -> dict[Lang, CouncilDocument]:
    """The council's document in both languages as the rules write it, before any notes: what
    the auditor's draft shows and what a draft is checked against."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    await advance_releases(repo, questionnaire, settings.min_group_size, settings.timezone)
    rows = await repo.report_input(council.id)
    k = settings.min_group_size
    return {
        lang: build_document(
            build_report(questionnaire, rows, council, lang, k, generated_on=today)
        )
        for lang in LANGS
    }


async def advance_releases(
    repo: Repository, questionnaire: Questionnaire, min_group_size: int, timezone: str
) -> None:
    """Moves every council's release forward where the confidentiality rule lets it, so that
    the report and the Wales figures are as current as they may be. A council whose survey has
    closed gets its final release, which counts everyone. On a read-only database (a copy) the
    releases stay as stored."""

    def decide(live: LiveRows, history: list[History], final: bool) -> NewRelease | None:
        return make_release(questionnaire, live, min_group_size, history, final=final)

    windows = await repo.windows()
    now, tz = datetime.now(UTC), ZoneInfo(timezone)
    for council_id, changed in await repo.pending_releases():
        stored = windows.get(council_id)
        window = Window() if stored is None else Window(*stored)
        closed = window_state(window, now, tz) == "closed"
        if changed or closed:
            await repo.advance_release(council_id, decide, min_group_size, final=closed)


async def build_national_report(
    repo: Repository, questionnaire: Questionnaire, settings: Settings, lang: Lang
) -> BuiltReport:
    """The national report: every council's own report, built one at a time from the input its
    own report has, then Wales, with the recommendations and good practice the council reports'
    own rules give over the advice data (`rubric.advice`)."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    await advance_releases(repo, questionnaire, settings.min_group_size, settings.timezone)
    councils = await repo.councils()
    inputs = await repo.national_input(councils)
    k = settings.min_group_size
    reports = council_reports(questionnaire, inputs, councils, lang, k, generated_on=today)
    advice = rubric_advice(reports, load_advice())
    report = build_national(
        questionnaire, councils, reports, lang, k, generated_on=today, advice=advice
    )
    return BuiltReport(
        summary=render_national_summary(report, lang),
        html=render_national_html(report, lang),
        filename=national_filename(today),
        lang=lang,
        title=report.title,
        figures=tuple(national_rows(reports)),
    )
