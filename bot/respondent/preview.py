"""``/preview [N] [GROUP]``: an auditor answers questionnaire version N (the newest draft when
none is named) as a respondent of that group would, in their own chat, before it is published.

The command sits behind the auditor gate (``bot.auditor.gate``: anyone else gets its one
refusal); the journey is the respondent's own (`flows.step`, the same screens), with the
answers held by `bot.services.preview.Previews` and never stored. Every screen carries a short
banner in both languages saying it is a preview; ``/preview stop`` or submitting the review
ends it. While a chat has a preview, its taps and typed answers go to the preview (the
``taps`` router sits before the respondent's).
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.config import Settings
from bot.respondent.answering import nav_event
from bot.respondent.screens import Context, render
from bot.services.access import PREVIEW
from bot.services.preview import Preview, Previews, begin, parse_request
from bot.services.wording import notice_text, say, too_long_text
from bot.telegram.callbacks import AnswerCb, LangCb, NavCb
from bot.telegram.edits import drop_buttons
from bot.telegram.registry import Handlers
from flows import Choose, ChooseLanguage, Event, Type, current_screen
from rubric.catalog import Messages
from rubric.schema import LANGS, Lang
from storage.repository import Repository

commands = Handlers("preview")
"""``/preview``, for the auditor gate's room list."""
taps = Handlers("preview.taps")
"""A previewing chat's taps and typed answers."""


def _banner(texts: Messages, preview: Preview) -> str:
    """The first message's banner, in both languages (Welsh first): what is previewed, as
    which audience, that nothing is kept, and the way out."""
    q = preview.questionnaire
    audience = q.audience(preview.state.group)
    parts = []
    for lang in LANGS:
        label = audience.label(lang) if audience is not None else preview.state.group
        parts.append(
            texts(
                lang,
                "preview.banner",
                number=preview.number,
                label=escape(q.version),
                status=texts(lang, "preview.draft" if preview.draft else "preview.published"),
                audience=escape(label),
            )
        )
    return "\n\n".join(parts)


async def _show(bot: Bot, chat_id: int, texts: Messages, settings: Settings, p: Preview) -> None:
    """The preview's current screen, under the short banner of every preview message."""
    lang: Lang = p.lang or "cy"
    ctx = Context(
        questionnaire=p.questionnaire,
        texts=texts,
        lang=lang,
        group=p.state.group,
        council_name=texts(lang, "preview.council"),
        min_group_size=settings.min_group_size,
    )
    rendered = render(current_screen(p.questionnaire, p.state), ctx)
    text = f"{texts.both('preview.tag', ' · ')}\n\n{rendered.text}"
    await bot.send_message(chat_id, text, reply_markup=rendered.markup)


@commands.message(Command(*PREVIEW))
async def preview(
    message: Message,
    command: CommandObject,
    bot: Bot,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    chat = message.chat.id
    asked = parse_request(command.args)
    if asked.stop:
        key = "preview.stopped" if previews.stop(chat) is not None else "preview.not_running"
        await message.answer(say(texts, lang, key))
        return
    if asked.bad is not None:
        await message.answer(say(texts, lang, "preview.usage", word=escape(asked.bad)))
        return
    if asked.number is None:
        version = await repo.latest_questionnaire_draft()
        if version is None:
            await message.answer(say(texts, lang, "preview.no_draft"))
            return
    else:
        version = await repo.questionnaire_version(asked.number)
        if version is None:
            await message.answer(say(texts, lang, "preview.no_version", number=asked.number))
            return
    q = version.questionnaire
    group = asked.group or q.groups[0]
    if q.audience(group) is None:
        known = ", ".join(f"<code>{escape(g)}</code>" for g in q.groups)
        await message.answer(
            say(
                texts,
                lang,
                "preview.no_group",
                number=version.number,
                group=f"<code>{escape(group)}</code>",
                known=known,
            )
        )
        return
    started = begin(version.number, version.draft, q, group, lang)
    previews.start(chat, started)
    await message.answer(_banner(texts, started))
    await _show(bot, chat, texts, settings, started)


class InPreview(Filter):
    """Admits an update from a chat with a preview running (and hands it on as ``preview``)."""

    async def __call__(self, event: TelegramObject, previews: Previews) -> bool | dict[str, Any]:
        user = getattr(event, "from_user", None)
        if user is None:
            return False
        running = previews.get(user.id)
        return False if running is None else {"preview": running}


async def _step(
    query: CallbackQuery,
    event: Event,
    bot: Bot,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    """A tap on a preview screen: the journey's step, in memory; then the next screen, or the
    end of the preview once the review is submitted."""
    chat = query.from_user.id
    outcome = previews.apply(chat, event)
    if outcome is None:  # stopped between the filter and here
        await query.answer()
        return
    now, result = outcome
    if result.notice is not None:
        await query.answer(notice_text(texts, now.lang or "cy", result.notice))
        if result.notice in ("incomplete", "stale"):
            await _show(bot, chat, texts, settings, now)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await drop_buttons(query.message)
    if result.state.submitted:
        await bot.send_message(chat, say(texts, now.lang, "preview.finished"))
        return
    await _show(bot, chat, texts, settings, now)


@taps.callback_query(LangCb.filter(F.lang.in_({"en", "cy"})), InPreview())
async def chose_language(
    query: CallbackQuery,
    callback_data: LangCb,
    bot: Bot,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    chosen: Lang = "cy" if callback_data.lang == "cy" else "en"
    await _step(query, ChooseLanguage(lang=chosen), bot, texts, settings, previews)


@taps.callback_query(AnswerCb.filter(), InPreview())
async def answered(
    query: CallbackQuery,
    callback_data: AnswerCb,
    bot: Bot,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    event = Choose(question_id=callback_data.q, option_id=callback_data.o)
    await _step(query, event, bot, texts, settings, previews)


@taps.callback_query(NavCb.filter(), InPreview())
async def navigated(
    query: CallbackQuery,
    callback_data: NavCb,
    bot: Bot,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    await _step(query, nav_event(callback_data), bot, texts, settings, previews)


@taps.message(F.text & ~F.text.startswith("/"), InPreview())
async def typed(
    message: Message,
    bot: Bot,
    texts: Messages,
    settings: Settings,
    previews: Previews,
) -> None:
    chat = message.chat.id
    text = message.text or ""
    outcome = previews.apply(chat, Type(text=text))
    if outcome is None:
        return
    now, result = outcome
    shown: Lang = now.lang or "cy"
    if result.notice == "too_long":
        await message.answer(too_long_text(texts, shown, text))
        return
    if result.notice is not None:
        await message.answer(notice_text(texts, shown, result.notice))
    await _show(bot, chat, texts, settings, now)
