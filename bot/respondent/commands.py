"""Commands for everyone (/help, /privacy, /forget) and the fallbacks that make sure nothing a
person sends goes unanswered: unknown commands, stickers and photos, forged or stale buttons.

Each handler gets the person's ``lang`` from the ``WhoIsThis`` middleware (None while unknown:
then both languages, Welsh first)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.respondent.respondent_survey import Survey, screen_context
from bot.respondent.screens import Rendered, ScreenCache, button, keyboard, render
from bot.services.access import auditor_help, auditor_lang, auditor_scope
from bot.services.journey import Respondent, load_state
from bot.services.report_builder import answers_changed
from bot.services.wording import say
from bot.telegram.callbacks import ForgetCb
from bot.telegram.edits import edit
from bot.telegram.registry import Handlers
from flows import current_screen
from rubric.catalog import Messages
from rubric.schema import Lang, Questionnaire
from storage.repository import Repository

handlers = Handlers("common")


@handlers.message(Command("help", "cymorth"))
async def help_(
    message: Message,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
) -> None:
    """A respondent's help; an auditor's lists the auditor commands, and an auditor who is not
    also a respondent gets those alone (in their language, or both while it is not known)."""
    assert message.from_user is not None
    if await auditor_scope(repo, settings, message.from_user.id) is None:
        await message.answer(say(texts, lang, "help.respondent"))
    elif respondent is None:
        hinted = auditor_lang(message.from_user.language_code if message.from_user else None, lang)
        await message.answer(auditor_help(texts, hinted, respondent=False))
    else:
        text = say(texts, lang, "help.respondent")
        await message.answer(text + "\n\n" + auditor_help(texts, lang, respondent=True))


@handlers.message(Command("privacy", "preifatrwydd"))
async def privacy(
    message: Message,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
) -> None:
    await message.answer(say(texts, lang, "privacy.text", min=settings.min_group_size))


@handlers.message(Command("forget", "anghofio"))
async def forget(
    message: Message,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
) -> None:
    if respondent is None and lang is None:
        # A stranger: whatever little was kept (that the account wrote, or blocked the bot) is
        # deleted first, so that "nothing is stored" is true when it is said.
        assert message.from_user is not None
        await repo.forget(message.from_user.id)
        await message.answer(say(texts, lang, "forget.nothing"))
        return
    assert message.from_user is not None
    await repo.ask_forget(message.from_user.id)
    shown: Lang = lang or "cy"
    choices = keyboard(
        [
            [button(texts(shown, "button.forget_yes"), ForgetCb(confirm=True))],
            [button(texts(shown, "button.forget_no"), ForgetCb(confirm=False))],
        ]
    )
    await message.answer(say(texts, lang, "forget.confirm"), reply_markup=choices)


@handlers.callback_query(ForgetCb.filter())
async def forget_confirmed(
    query: CallbackQuery,
    callback_data: ForgetCb,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    questionnaire: Questionnaire,
    settings: Settings,
) -> None:
    """The withdrawal, confirmed: only by a tap on the confirmation the server showed this
    account (within the hour), never by a tap on a forged button alone."""
    await query.answer()
    asked = await repo.confirm_forget(query.from_user.id)
    if callback_data.confirm and not asked:
        text = say(texts, lang, "forget.not_asked")
    elif callback_data.confirm:
        deleted = await repo.forget(query.from_user.id)
        text = say(texts, lang, "forget.done" if deleted else "forget.nothing")
        if deleted and respondent is not None:
            await answers_changed(repo, questionnaire, settings, respondent.invitee.council_id)
    else:
        text = say(texts, lang, "forget.kept")
    if isinstance(query.message, Message):
        await edit(query.message, Rendered(text))


@handlers.message(F.text.startswith("/"))
async def unknown_command(
    message: Message,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
) -> None:
    await message.answer(say(texts, lang, "help.respondent"))


@handlers.message()
async def unsupported(
    message: Message,
    respondent: Respondent | None,
    survey: Survey | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    questionnaire: Questionnaire,
    settings: Settings,
    screens: ScreenCache | None = None,
) -> None:
    """Stickers, photos, voice notes: say what the bot can read, then the question again."""
    notice = say(texts, lang, "notice.unsupported")
    if respondent is None or lang is None:
        await message.answer(notice)
        return
    state = survey.state if survey is not None else await load_state(repo, respondent.invitee)
    ctx = screen_context(questionnaire, texts, settings, respondent, lang, screens)
    rendered = render(current_screen(questionnaire, state), ctx)
    await message.answer(f"<i>{notice}</i>\n\n{rendered.text}", reply_markup=rendered.markup)


@handlers.callback_query()
async def unknown_button(
    query: CallbackQuery,
    respondent: Respondent | None,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
) -> None:
    """Forged or outdated callback data: answer the tap so the spinner stops, change nothing."""
    await query.answer(texts(lang or "cy", "notice.invalid"))
