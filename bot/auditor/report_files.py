"""A council's report built from the database: the Telegram summary, the full HTML and its file
name. No aiogram here, so ``datatool report`` writes the file without loading Telegram's client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from reports import build_report, render_html, render_summary, report_filename
from rubric.models import Lang, Questionnaire
from storage.models import Council
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
    rows = await repo.report_input(council.id)
    report = build_report(
        questionnaire, rows, council, lang, settings.min_group_size, generated_on=today
    )
    return BuiltReport(
        summary=render_summary(report, lang),
        html=render_html(report, lang),
        filename=report_filename(council, today),
    )
