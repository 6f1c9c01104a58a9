"""A council's report, or the national report, built from the database: the Telegram summary,
the full HTML, its PDF and their file names. No aiogram here, so ``datatool report`` writes the
file without loading Telegram's client.

The PDF takes WeasyPrint a second or more, so it is made in a worker thread: the bot keeps
answering respondents meanwhile."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.services.report_notes import final_input, stored_notes
from flows.window import Window, window_state
from reports import build_report, render_html, render_summary, report_filename
from reports.confidentiality import make_release, wales_may_move
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
from reports.survey_dates import SurveyWindow
from rubric.advice import load_advice
from rubric.schema import LANGS, Lang, Questionnaire
from storage.questionnaires import Questionnaires
from storage.releases import Decide
from storage.reporting import NewRelease, PastRelease, Roll
from storage.repository import Repository
from storage.rows import Council

ReportFormat = Literal["pdf", "html"]
log = logging.getLogger(__name__)


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


async def in_use(
    repo: Repository, questionnaire: Questionnaire, council_id: int | None = None
) -> Questionnaire:
    """The questionnaire a council's report (None: the national report) is built with: the
    version its responses are pinned to (`Repository.version_in_use`), else ``questionnaire``
    (the packaged one)."""
    version = await repo.version_in_use(council_id)
    if version is None:
        return questionnaire
    return await Questionnaires(repo, questionnaire).get(version)


async def build(
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    lang: Lang,
    reader_covers: frozenset[str] = frozenset(),
    *,
    advance: bool = True,
    final: bool = False,
) -> BuiltReport:
    """The council's report as its reader may see it (`reader_covers`: see
    ``bot.services.access.reader_covers``; the operator's command line reads the database
    anyway, so it passes nothing), with the auditor's notes (`datatool notes import`).
    Releases are moved forward where answers change (`advance_releases` after a submission, a
    withdrawal, a close); `advance` only catches up on a closing date passed while nothing ran,
    and the command line, which only reads, passes False: it shows the release every other
    reader sees. With `final`, the version to publish
    (`bot.services.report_notes.final_input`): stamped, and made again identical from the same
    release and notes; `FinalRefused` when it cannot be."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    if advance:
        await advance_releases(repo, questionnaire, settings)
    questionnaire = await in_use(repo, questionnaire, council.id)
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
        window=survey_window(await repo.window(council.id), settings.timezone),
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


def survey_window(
    stored: tuple[date | None, datetime | None, date | None] | None, timezone: str
) -> SurveyWindow | None:
    """A council's stored window (`Repository.window`: closes_on, closed_at, opens_on) as the
    report's dates, a close by hand on its day in the survey's time zone."""
    if stored is None:
        return None
    closes_on, closed_at, opens_on = stored
    closed_on = None if closed_at is None else closed_at.astimezone(ZoneInfo(timezone)).date()
    return SurveyWindow(opens_on=opens_on, closes_on=closes_on, closed_on=closed_on)


async def council_documents(
    repo: Repository, questionnaire: Questionnaire, settings: Settings, council: Council
) -> dict[Lang, CouncilDocument]:
    """The council's document in both languages as the rules write it, before any notes: what
    the auditor's draft shows and what a draft is checked against. Like `datatool report`, it
    only reads the release every other reader sees: releases move where answers change."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    questionnaire = await in_use(repo, questionnaire, council.id)
    rows = await repo.report_input(council.id)
    k = settings.min_group_size
    return {
        lang: build_document(
            build_report(questionnaire, rows, council, lang, k, generated_on=today)
        )
        for lang in LANGS
    }


async def advance_releases(
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council_ids: frozenset[int] | None = None,
) -> None:
    """Moves every council's release (or those of `council_ids`) forward where the
    confidentiality rule lets it, so that every report and the Wales figures are as current as
    they may be. A council whose survey has closed gets its final release. Called where answers
    change: after a submission or a withdrawal is committed (the bot), when a survey closes
    (`datatool survey close`, the bot's schedule at the closing date); then the Wales release
    follows (`Repository.advance_wales`). On a read-only database the releases stay as stored."""
    k, safe = settings.min_group_size, settings.unanimity_safe_size

    def decider(asked: Questionnaire) -> Decide:
        def decide(roll: Roll, history: list[PastRelease], final: bool) -> NewRelease | None:
            return make_release(asked, roll, k, history, final=final, unanimity_safe_size=safe)

        return decide

    windows = await repo.windows()
    now, tz = datetime.now(UTC), ZoneInfo(settings.timezone)
    for council_id, changed in await repo.pending_releases():
        if council_ids is not None and council_id not in council_ids:
            continue
        stored = windows.get(council_id)
        window = Window() if stored is None else Window(*stored)
        closed = window_state(window, now, tz) == "closed"
        if changed or closed:
            asked = await in_use(repo, questionnaire, council_id)
            await repo.advance_release(council_id, decider(asked), k, final=closed)
    await repo.advance_wales(wales_may_move)


async def answers_changed(
    repo: Repository, questionnaire: Questionnaire, settings: Settings, council_id: int
) -> None:
    """After a submission or a withdrawal has been committed: the council's release (and Wales)
    moved forward now, so that every reader (the command line, a copy, another worker) reads
    the release the rule allows without having to write. A failure here is logged and never
    fails the respondent's update: the next change, report or schedule round tries again."""
    try:
        await advance_releases(repo, questionnaire, settings, frozenset({council_id}))
    except Exception:
        log.exception("the release of council %s did not move forward", council_id)


async def build_national_report(
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    lang: Lang,
    *,
    advance: bool = True,
) -> BuiltReport:
    """The national report: every council's own report, built one at a time from the input its
    own report has, then Wales, with the recommendations and good practice the council reports'
    own rules give over the advice data (`rubric.advice`)."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    if advance:
        await advance_releases(repo, questionnaire, settings)
    questionnaire = await in_use(repo, questionnaire)
    councils = await repo.councils()
    inputs = await repo.national_input(councils)
    k = settings.min_group_size
    stored = await repo.windows()
    windows = {
        c.slug: w
        for c in councils
        if (w := survey_window(stored.get(c.id), settings.timezone)) is not None
    }
    reports = council_reports(
        questionnaire, inputs, councils, lang, k, generated_on=today, windows=windows
    )
    advice = rubric_advice(reports, load_advice())
    wales = next(iter(inputs.values())).wales if inputs else ()
    report = build_national(
        questionnaire, councils, reports, lang, k, generated_on=today, advice=advice, wales=wales
    )
    return BuiltReport(
        summary=render_national_summary(report, lang),
        html=render_national_html(report, lang),
        filename=national_filename(today),
        lang=lang,
        title=report.title,
        figures=tuple(national_rows(reports)),
    )
