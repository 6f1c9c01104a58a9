"""A respondent's survey as the handlers use it: read, step, store, show.

Built once per update by the ``WhoIsThis`` middleware for anyone whose Telegram account is
bound to an invitation, so that every respondent handler receives a ready ``survey``.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot

from bot.config import Settings
from bot.respondent.journey import Respondent, apply
from bot.respondent.screens import Context, answered_text, render
from bot.survey_window import window_now
from flows import Answer, AskScreen, Event, Step, SurveyState, current_screen
from flows.window import Window, WindowState
from rubric.catalog import Messages
from rubric.models import Lang, Questionnaire
from storage.repository import Repository


def screen_context(
    questionnaire: Questionnaire,
    texts: Messages,
    settings: Settings,
    respondent: Respondent,
    lang: Lang,
) -> Context:
    """What the screens need to render for this respondent in ``lang``."""
    return Context(
        questionnaire=questionnaire,
        texts=texts,
        lang=lang,
        group=respondent.invitee.group,
        council_name=respondent.council.name(lang),
        min_group_size=settings.min_group_size,
    )


class Survey:
    """What every respondent handler needs, gathered once per update."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        repo: Repository,
        questionnaire: Questionnaire,
        texts: Messages,
        settings: Settings,
        respondent: Respondent,
    ) -> None:
        self.bot, self.chat_id, self.repo = bot, chat_id, repo
        self.questionnaire, self.texts, self.settings = questionnaire, texts, settings
        self.respondent = respondent
        self._window: tuple[WindowState, Window] = ("open", Window())

    def lang(self, state: SurveyState) -> Lang:
        return state.language or self.respondent.invitee.language or "cy"

    async def show(self, state: SurveyState, notice: str | None = None) -> None:
        """Sends the screen the person is on; a notice goes on top of it in the same message,
        so a stray text costs one message, not two (Telegram allows about one a second)."""
        screen = current_screen(self.questionnaire, state)
        rendered = render(screen, self._ctx(state.language or "cy"))
        text = f"<i>{notice}</i>\n\n{rendered.text}" if notice else rendered.text
        await self.bot.send_message(self.chat_id, text, reply_markup=rendered.markup)

    def _ctx(self, lang: Lang) -> Context:
        return screen_context(self.questionnaire, self.texts, self.settings, self.respondent, lang)

    async def is_open(self) -> bool:
        self._window = await window_now(
            self.repo, self.respondent.council.id, self.settings.timezone
        )
        return self._window[0] == "open"

    async def closed_notice(self, lang: Lang | None) -> None:
        """Before the window opens, when it opens; after it closes, that it has closed."""
        council = self.respondent.council
        state, window = self._window
        key = "survey.not_yet_open" if state == "not_yet" else "survey.not_open"
        opens = window.opens_on.isoformat() if state == "not_yet" and window.opens_on else ""
        langs: tuple[Lang, ...] = (lang,) if lang else ("cy", "en")
        text = "\n\n".join(
            self.texts(x, key, council=escape(council.name(x)), opens=opens) for x in langs
        )
        await self.bot.send_message(self.chat_id, text)

    async def apply(self, event: Event) -> tuple[SurveyState, Step]:
        return await apply(self.repo, self.questionnaire, self.respondent.invitee, event)

    def answered(self, before: SurveyState, answer: Answer) -> str | None:
        """The record a just-answered question's message is edited to."""
        screen = current_screen(self.questionnaire, before)
        if not isinstance(screen, AskScreen) or before.language is None:
            return None
        ctx = self._ctx(before.language)
        return answered_text(screen.question, answer, screen.index, screen.total, ctx)
