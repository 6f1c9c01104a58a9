"""Handlers for respondents: /start with an invitation code, the language choice, the privacy
notice, answers, back, skip, the review and submission. Each handler is thin: it turns the
update into a flows event, lets ``journey.apply`` store the outcome, then shows the screen."""

from __future__ import annotations

import re
from html import escape

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.callbacks import AnswerCb, LangCb, Nav, NavCb
from bot.config import Settings
from bot.handlers.registry import Handlers
from bot.journey import Respondent, apply, load_state
from bot.screens import Context, Rendered, answered_text, language_keyboard, render
from bot.ui import context, drop_buttons, edit, notice_text, say, window_now
from flows import (
    MAX_TEXT,
    AcceptPrivacy,
    Answer,
    AskScreen,
    Back,
    Change,
    Choose,
    ChooseLanguage,
    Event,
    Resume,
    ShowReview,
    Skip,
    Step,
    Submit,
    SurveyState,
    Type,
    current_screen,
)
from flows.window import WindowState
from rubric.catalog import Messages
from rubric.models import Lang, Questionnaire
from storage.repository import Repository

handlers = Handlers("respondent")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
        self._window: WindowState = "open"

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
        return context(self.questionnaire, self.texts, self.settings, self.respondent, lang)

    async def is_open(self) -> bool:
        self._window = await window_now(
            self.repo, self.respondent.council.id, self.settings.timezone
        )
        return self._window == "open"

    async def closed_notice(self, lang: Lang | None) -> None:
        """Before the window opens, when it opens; after it closes, that it has closed."""
        council = self.respondent.council
        key = "survey.not_yet_open" if self._window == "not_yet" else "survey.not_open"
        opens = ""
        if self._window == "not_yet":
            stored = await self.repo.window(council.id)
            opens = stored[2].isoformat() if stored and stored[2] else ""
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


def _survey(message: Message, respondent: Respondent, data: dict) -> Survey:
    return Survey(
        message.bot,  # type: ignore[arg-type]
        message.chat.id,
        data["repo"],
        data["questionnaire"],
        data["texts"],
        data["settings"],
        respondent,
    )


@handlers.message(CommandStart())
async def start(
    message: Message,
    command: CommandObject,
    respondent: Respondent | None,
    account_lang: Lang | None,
    repo: Repository,
    texts: Messages,
    **data: object,
) -> None:
    user = message.from_user
    assert user is not None
    code = (command.args or "").strip()
    await repo.remember_account(user.id)
    if code:
        outcome = await repo.bind(code, user.id) if CODE.fullmatch(code) else "unknown"
        if outcome not in ("bound", "already_yours"):
            keys = {"unknown": "start.unknown_code", "taken": "start.taken"}
            await message.answer(say(texts, account_lang, keys.get(outcome, "start.has_other")))
            return
        invitee = await repo.invitee_by_telegram(user.id)
        council = await repo.council(invitee.council_id) if invitee else None
        assert invitee is not None and council is not None
        respondent = Respondent(invitee=invitee, council=council)
    if respondent is None:
        if await is_auditor(repo, data["settings"], user.id):  # type: ignore[arg-type]
            await message.answer(texts(account_lang or "en", "help.auditor"))
        else:
            await message.answer(texts.both("start.no_code"))
        return
    survey = _survey(message, respondent, {"repo": repo, "texts": texts, **data})
    state = await load_state(repo, respondent.invitee)
    if not state.submitted and not await survey.is_open():
        await survey.closed_notice(state.language or account_lang)
        return
    await survey.show(state)


async def is_auditor(repo: Repository, settings: Settings, telegram_id: int) -> bool:
    return telegram_id in settings.auditor_ids or await repo.auditor_scope(telegram_id) is not None


@handlers.message(Command("language", "iaith"))
async def language(message: Message, texts: Messages) -> None:
    await message.answer(texts.both("language.choose"), reply_markup=language_keyboard())


@handlers.callback_query(LangCb.filter(F.lang.in_({"en", "cy"})))
async def chose_language(
    query: CallbackQuery,
    callback_data: LangCb,
    respondent: Respondent | None,
    repo: Repository,
    texts: Messages,
    **data: object,
) -> None:
    lang: Lang = callback_data.lang  # type: ignore[assignment]
    await repo.remember_account(query.from_user.id, lang)
    await query.answer()
    if isinstance(query.message, Message):
        await edit(query.message, Rendered(texts(lang, "language.set")))
    if respondent is None:
        if await is_auditor(repo, data["settings"], query.from_user.id):  # type: ignore[arg-type]
            await query.bot.send_message(query.from_user.id, texts(lang, "help.auditor"))  # type: ignore[union-attr]
        return
    survey = Survey(
        query.bot,  # type: ignore[arg-type]
        query.from_user.id,
        repo,
        data["questionnaire"],  # type: ignore[arg-type]
        texts,
        data["settings"],  # type: ignore[arg-type]
        respondent,
    )
    _, result = await survey.apply(ChooseLanguage(lang=lang))
    if not result.state.submitted and not await survey.is_open():
        await survey.closed_notice(lang)
        return
    await survey.show(result.state)


def _query_survey(query: CallbackQuery, respondent: Respondent, data: dict) -> Survey:
    return Survey(
        query.bot,  # type: ignore[arg-type]
        query.from_user.id,
        data["repo"],
        data["questionnaire"],
        data["texts"],
        data["settings"],
        respondent,
    )


async def _tap(
    query: CallbackQuery, respondent: Respondent | None, event: Event, data: dict
) -> None:
    """One button tap on the survey: apply it, answer the tap, update the chat."""
    texts: Messages = data["texts"]
    account_lang: Lang | None = data.get("account_lang")
    if respondent is None:
        await query.answer(say(texts, account_lang, "start.not_invited")[:200], show_alert=True)
        return
    survey = _query_survey(query, respondent, data)
    if not await survey.is_open():
        await query.answer()
        await survey.closed_notice(account_lang)
        return
    before, result = await survey.apply(event)
    lang = survey.lang(result.state)
    message = query.message if isinstance(query.message, Message) else None
    if result.notice is not None:
        await query.answer(notice_text(texts, lang, result.notice), show_alert=False)
        if result.notice == "incomplete":
            await survey.show(result.state)
        return
    await query.answer()
    if message is not None:
        if isinstance(event, (Choose, Skip)):
            saved = next(iter(result.saved.values()), None)
            record = survey.answered(before, saved) if saved is not None else None
            if record is not None:
                await edit(message, Rendered(record))
            else:
                await drop_buttons(message)
        else:
            await drop_buttons(message)
    await survey.show(result.state)


@handlers.callback_query(NavCb.filter(F.action == Nav.PRIVACY))
async def accepted_privacy(
    query: CallbackQuery, respondent: Respondent | None, **data: object
) -> None:
    await _tap(query, respondent, AcceptPrivacy(), data)


@handlers.callback_query(AnswerCb.filter())
async def answered(
    query: CallbackQuery, callback_data: AnswerCb, respondent: Respondent | None, **data: object
) -> None:
    await _tap(
        query, respondent, Choose(question_id=callback_data.q, option_id=callback_data.o), data
    )


@handlers.callback_query(NavCb.filter())
async def navigated(
    query: CallbackQuery, callback_data: NavCb, respondent: Respondent | None, **data: object
) -> None:
    q = callback_data.q
    events: dict[Nav, Event] = {
        Nav.BACK: Back(question_id=q),
        Nav.SKIP: Skip(question_id=q),
        Nav.CHANGE: Change(question_id=q),
        Nav.REVIEW: ShowReview(),
        Nav.SUBMIT: Submit(),
        Nav.RESUME: Resume(),
    }
    await _tap(query, respondent, events[callback_data.action], data)


@handlers.message(F.text & ~F.text.startswith("/"))
async def typed(message: Message, respondent: Respondent | None, **data: object) -> None:
    texts: Messages = data["texts"]  # type: ignore[assignment]
    account_lang: Lang | None = data.get("account_lang")  # type: ignore[assignment]
    if respondent is None:
        await message.answer(say(texts, account_lang, "start.not_invited"))
        return
    survey = _survey(message, respondent, data)
    if not await survey.is_open():
        await survey.closed_notice(account_lang)
        return
    text = message.text or ""
    _, result = await survey.apply(Type(text=text))
    lang = survey.lang(result.state)
    if result.notice == "too_long":
        await message.answer(
            notice_text(
                texts, lang, "too_long", length=f"{len(text.strip()):,}", max=f"{MAX_TEXT:,}"
            )
        )
        return
    notice = notice_text(texts, lang, result.notice) if result.notice else None
    await survey.show(result.state, notice)
