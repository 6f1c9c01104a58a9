"""A respondent's survey as the handlers use it: read, step, store, show.

Built once per update by the ``WhoIsThis`` middleware for anyone whose Telegram account is
bound to an invitation, from the update's one read (`storage.rows.UpdateContext`: the stored
state and the council's window come with it), so that every respondent handler receives a ready
``survey`` and nothing is read again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot

from bot.config import Settings
from bot.respondent.screens import Context, ScreenCache, answered_text, render
from bot.services.journey import Respondent, apply, state_of
from flows import Answer, AskScreen, Event, Step, SurveyState, current_screen
from flows.window import Window, WindowState, window_state
from rubric.catalog import Messages
from rubric.schema import Lang, Questionnaire
from storage.repository import Repository
from storage.rows import StoredWindow, UpdateContext


def screen_context(
    questionnaire: Questionnaire,
    texts: Messages,
    settings: Settings,
    respondent: Respondent,
    lang: Lang,
    screens: ScreenCache | None = None,
) -> Context:
    """What the screens need to render for this respondent in ``lang``."""
    return Context(
        questionnaire=questionnaire,
        texts=texts,
        lang=lang,
        group=respondent.invitee.group,
        council_name=respondent.council.name(lang),
        min_group_size=settings.min_group_size,
        cache=screens,
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
        state: SurveyState,
        window: StoredWindow | None,
        screens: ScreenCache | None = None,
        questionnaire_version: int | None = None,
        retired: frozenset[str] = frozenset(),
    ) -> None:
        self.bot, self.chat_id, self.repo = bot, chat_id, repo
        self.questionnaire_version = questionnaire_version
        """The version ``questionnaire`` is (None: the packaged one), pinned on the response
        when its row is made."""
        self.retired = retired
        """Question ids of other versions: a tap naming one is stale (`flows.step`)."""
        self.questionnaire, self.texts, self.settings = questionnaire, texts, settings
        self.respondent = respondent
        self.state = state
        """The stored state: as read before the update, then as its last step left it."""
        self._stored_window = window
        self.screens = screens
        self._window: tuple[WindowState, Window] | None = None

    @classmethod
    def of(
        cls,
        context: UpdateContext,
        bot: Bot,
        chat_id: int,
        repo: Repository,
        questionnaire: Questionnaire,
        texts: Messages,
        settings: Settings,
        screens: ScreenCache | None = None,
        *,
        retired: frozenset[str] = frozenset(),
    ) -> Survey | None:
        """The survey of whoever the update's read found, or None for someone not invited."""
        if context.invitee is None or context.council is None:
            return None
        respondent = Respondent(invitee=context.invitee, council=context.council)
        state = state_of(context.invitee, context.record, context.answers)
        return cls(
            bot,
            chat_id,
            repo,
            questionnaire,
            texts,
            settings,
            respondent,
            state,
            context.window,
            screens,
            context.questionnaire_version,
            retired,
        )

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
        return screen_context(
            self.questionnaire, self.texts, self.settings, self.respondent, lang, self.screens
        )

    def window(self) -> tuple[WindowState, Window]:
        """Where the council's survey window stands now, from the update's read."""
        if self._window is None:
            stored = self._stored_window
            if stored is None:
                window = Window()
            else:
                closes_on, closed_at, opens_on = stored
                window = Window(closes_on=closes_on, closed_at=closed_at, opens_on=opens_on)
            now = datetime.now(UTC)
            self._window = window_state(window, now, ZoneInfo(self.settings.timezone)), window
        return self._window

    def is_open(self) -> bool:
        return self.window()[0] == "open"

    async def closed_notice(self, lang: Lang | None) -> None:
        """Before the window opens, when it opens; after it closes, that it has closed."""
        council = self.respondent.council
        state, window = self.window()
        key = "survey.not_yet_open" if state == "not_yet" else "survey.not_open"
        opens = window.opens_on.isoformat() if state == "not_yet" and window.opens_on else ""
        langs: tuple[Lang, ...] = (lang,) if lang else ("cy", "en")
        text = "\n\n".join(
            self.texts(x, key, council=escape(council.name(x)), opens=opens) for x in langs
        )
        await self.bot.send_message(self.chat_id, text)

    async def apply(self, event: Event) -> tuple[SurveyState, Step]:
        """Applies ``event`` to the stored state and stores the outcome; returns the state
        before and the step."""
        before = self.state
        result = await apply(
            self.repo,
            self.questionnaire,
            self.respondent.invitee,
            event,
            before,
            questionnaire_version=self.questionnaire_version,
            retired=self.retired,
        )
        self.state = result.state
        return before, result

    def answered(self, before: SurveyState, answer: Answer) -> str | None:
        """The record a just-answered question's message is edited to."""
        screen = current_screen(self.questionnaire, before)
        if not isinstance(screen, AskScreen) or before.language is None:
            return None
        ctx = self._ctx(before.language)
        return answered_text(screen.question, answer, screen.index, screen.total, ctx)
