"""Handlers for respondents: /start with an invitation code, the language choice, the privacy
notice, answers, back, skip, the review and submission. Each handler is thin: it turns the
update into a flows event, lets ``journey.apply`` store the outcome, then shows the screen."""

from __future__ import annotations

import re

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.respondent.respondent_survey import Survey
from bot.respondent.screens import Rendered, ScreenCache, ScreenCaches, language_keyboard
from bot.services.access import auditor_help, auditor_lang, auditor_scope
from bot.services.report_builder import answers_changed
from bot.services.wording import notice_text, say, toast, too_long_text
from bot.telegram.callbacks import AnswerCb, LangCb, Nav, NavCb
from bot.telegram.edits import drop_buttons, edit
from bot.telegram.registry import Handlers
from flows import (
    AcceptPrivacy,
    Back,
    Change,
    Choose,
    ChooseLanguage,
    Event,
    Resume,
    ShowReview,
    Skip,
    Submit,
    Type,
)
from rubric.catalog import Messages
from rubric.schema import Lang, Questionnaire
from storage.questionnaires import Questionnaires
from storage.repository import Repository

handlers = Handlers("respondent")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@handlers.message(CommandStart())
async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    survey: Survey | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
    questionnaire: Questionnaire,
    screens: ScreenCache | None = None,
    questionnaires: Questionnaires | None = None,
    screen_caches: ScreenCaches | None = None,
) -> None:
    user = message.from_user
    assert user is not None
    code = (command.args or "").strip()
    if code:
        outcome = await repo.bind(code, user.id) if CODE.fullmatch(code) else "unknown"
        if outcome not in ("bound", "already_yours"):
            keys = {"unknown": "start.unknown_code", "taken": "start.taken"}
            await message.answer(say(texts, lang, keys.get(outcome, "start.has_other")))
            return
        # Bound just now: read again who this is (the update's own read predates the binding).
        context = await repo.update_context(user.id)
        version = context.questionnaire_version
        if questionnaires is not None and version is not None:
            questionnaire = await questionnaires.get(version)
            screens = screen_caches.of(version, questionnaire) if screen_caches else None
        survey = Survey.of(
            context, bot, user.id, repo, questionnaire, texts, settings, screens=screens
        )
        assert survey is not None
    if survey is None:
        # A stranger leaves no row behind: only respondents and auditors have an account.
        if await auditor_scope(repo, settings, user.id) is not None:
            await repo.remember_account(user.id)
            hinted = auditor_lang(
                message.from_user.language_code if message.from_user else None, lang
            )
            await message.answer(auditor_help(texts, hinted, respondent=False))
        else:
            await message.answer(texts.both("start.no_code"))
        return
    await repo.remember_account(user.id)
    state = survey.state
    if not state.submitted and not survey.is_open():
        await survey.closed_notice(state.language or lang)
        return
    await survey.show(state)


@handlers.message(Command("language", "iaith"))
async def language(message: Message, texts: Messages) -> None:
    await message.answer(texts.both("language.choose"), reply_markup=language_keyboard())


@handlers.callback_query(LangCb.filter(F.lang.in_({"en", "cy"})))
async def chose_language(
    query: CallbackQuery,
    callback_data: LangCb,
    bot: Bot,
    survey: Survey | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
) -> None:
    lang: Lang = "cy" if callback_data.lang == "cy" else "en"
    await repo.remember_account(query.from_user.id, lang)
    await query.answer()
    if isinstance(query.message, Message):
        await edit(query.message, Rendered(texts(lang, "language.set")))
    if survey is None:
        if await auditor_scope(repo, settings, query.from_user.id) is not None:
            text = auditor_help(texts, lang, respondent=False)
            await bot.send_message(query.from_user.id, text)
        return
    _, result = await survey.apply(ChooseLanguage(lang=lang))
    if not result.state.submitted and not survey.is_open():
        await survey.closed_notice(lang)
        return
    await survey.show(result.state)


async def _tap(
    query: CallbackQuery,
    survey: Survey | None,
    event: Event,
    texts: Messages,
    lang: Lang | None,
) -> None:
    """One button tap on the survey: apply it, answer the tap, update the chat."""
    if survey is None:
        await query.answer(toast(texts, lang, "toast.not_invited"), show_alert=True)
        return
    if not survey.is_open():
        await query.answer()
        await survey.closed_notice(lang)
        return
    before, result = await survey.apply(event)
    shown = survey.lang(result.state)
    message = query.message if isinstance(query.message, Message) else None
    if result.notice is not None:
        await query.answer(notice_text(texts, shown, result.notice), show_alert=False)
        if result.notice in ("incomplete", "stale"):
            # A stale button's chat may be ahead of the database (restored from a backup): the
            # question the person is on, at the bottom of the chat, where they can answer it.
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
    if result.state.submitted and not before.submitted:
        await answers_changed(
            survey.repo, survey.questionnaire, survey.settings, survey.respondent.invitee.council_id
        )


def nav_event(callback_data: NavCb) -> Event:
    """The journey's event a navigation button stands for (the survey's and a preview's)."""
    q = callback_data.q
    events: dict[Nav, Event] = {
        Nav.PRIVACY: AcceptPrivacy(),
        Nav.BACK: Back(question_id=q),
        Nav.SKIP: Skip(question_id=q),
        Nav.CHANGE: Change(question_id=q),
        Nav.REVIEW: ShowReview(),
        Nav.SUBMIT: Submit(),
        Nav.RESUME: Resume(),
    }
    return events[callback_data.action]


@handlers.callback_query(NavCb.filter(F.action == Nav.PRIVACY))
async def accepted_privacy(
    query: CallbackQuery, survey: Survey | None, texts: Messages, lang: Lang | None
) -> None:
    await _tap(query, survey, AcceptPrivacy(), texts, lang)


@handlers.callback_query(AnswerCb.filter())
async def answered(
    query: CallbackQuery,
    callback_data: AnswerCb,
    survey: Survey | None,
    texts: Messages,
    lang: Lang | None,
) -> None:
    event = Choose(question_id=callback_data.q, option_id=callback_data.o)
    await _tap(query, survey, event, texts, lang)


@handlers.callback_query(NavCb.filter())
async def navigated(
    query: CallbackQuery,
    callback_data: NavCb,
    survey: Survey | None,
    texts: Messages,
    lang: Lang | None,
) -> None:
    await _tap(query, survey, nav_event(callback_data), texts, lang)


@handlers.message(F.text & ~F.text.startswith("/"))
async def typed(
    message: Message, survey: Survey | None, texts: Messages, lang: Lang | None
) -> None:
    if survey is None:
        await message.answer(say(texts, lang, "start.not_invited"))
        return
    if not survey.is_open():
        await survey.closed_notice(lang)
        return
    text = message.text or ""
    _, result = await survey.apply(Type(text=text))
    shown = survey.lang(result.state)
    if result.notice == "too_long":
        await message.answer(too_long_text(texts, shown, text))
        return
    notice = notice_text(texts, shown, result.notice) if result.notice else None
    await survey.show(result.state, notice)
