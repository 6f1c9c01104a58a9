"""Delivers a council's report, or the national report, in Telegram: the summary as a message,
the full report as a PDF (which Telegram opens on a phone) or, when asked, the HTML document.
Used by /report and when a survey closes."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.auditor.report_files import ReportFormat, build, build_national_report
from bot.config import Settings
from rubric.models import Lang, Questionnaire
from storage.models import Council
from storage.repository import Repository


async def deliver_report(
    bot: Bot,
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    chat_id: int,
    lang: Lang,
    fmt: ReportFormat = "pdf",
    reader_covers: frozenset[str] = frozenset(),
) -> None:
    built = await build(repo, questionnaire, settings, council, lang, reader_covers)
    await bot.send_message(chat_id, built.summary)
    await bot.send_document(
        chat_id,
        BufferedInputFile(await built.document(fmt), filename=built.filename_for(fmt)),
    )


async def deliver_national(
    bot: Bot,
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    chat_id: int,
    lang: Lang,
    fmt: ReportFormat = "pdf",
) -> None:
    built = await build_national_report(repo, questionnaire, settings, lang)
    await bot.send_message(chat_id, built.summary)
    await bot.send_document(
        chat_id,
        BufferedInputFile(await built.document(fmt), filename=built.filename_for(fmt)),
    )
