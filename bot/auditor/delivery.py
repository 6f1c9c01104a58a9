"""Delivers a council's report, or the national report, in Telegram: the summary as a message,
the full report as a PDF (which Telegram opens on a phone) or, when asked, the HTML document.
Used by /report and when a survey closes."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BufferedInputFile

from bot.config import Settings
from bot.services.report_builder import ReportFormat, build, build_national_report
from bot.services.schedule import Undeliverable
from rubric.schema import Lang, Questionnaire
from storage.repository import Repository
from storage.rows import Council


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
    *,
    final: bool = False,
) -> None:
    """The summary and the document; with `final`, the version to publish (raises
    `bot.services.report_notes.FinalRefused` before sending anything when it cannot be made)."""
    built = await build(repo, questionnaire, settings, council, lang, reader_covers, final=final)
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


async def deliver_closed_report(
    bot: Bot,
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    chat_id: int,
    lang: Lang,
    reader_covers: frozenset[str],
) -> None:
    """A closed survey's report, for the schedule (``bot.services.schedule.Deliver``): an
    auditor who blocked the bot or never opened it is ``Undeliverable``."""
    try:
        await deliver_report(
            bot, repo, questionnaire, settings, council, chat_id, lang, "pdf", reader_covers
        )
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        raise Undeliverable(str(exc)) from exc
