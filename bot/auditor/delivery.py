"""Builds a council's report from the database and delivers it in Telegram: the summary as a
message, the full report as an HTML document. Used by /report and when a survey closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import BufferedInputFile

from bot.config import Settings
from reports import build_report, render_html, render_summary, report_filename
from rubric.models import Lang, Questionnaire
from storage.models import Council
from storage.reporting import report_input
from storage.repository import Repository


@dataclass(frozen=True)
class BuiltReport:
    summary: str
    html: str
    filename: str


async def build(
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    lang: Lang,
) -> BuiltReport:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    rows = await report_input(repo.db, council.id)
    report = build_report(
        questionnaire, rows, council, lang, settings.min_group_size, generated_on=today
    )
    return BuiltReport(
        summary=render_summary(report, lang),
        html=render_html(report, lang),
        filename=report_filename(council, today),
    )


async def deliver_report(
    bot: Bot,
    repo: Repository,
    questionnaire: Questionnaire,
    settings: Settings,
    council: Council,
    chat_id: int,
    lang: Lang,
) -> None:
    built = await build(repo, questionnaire, settings, council, lang)
    await bot.send_message(chat_id, built.summary)
    await bot.send_document(
        chat_id,
        BufferedInputFile(built.html.encode("utf-8"), filename=built.filename),
    )
