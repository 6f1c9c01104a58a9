"""A send, an edit and a tap's answer whose answer the bot never reads.

Telegram answers ``sendMessage`` and ``editMessageText`` with the whole message as it now
stands, and aiogram reads that into a ``Message`` model, keyboard and entities included: on the
answer path the largest single piece of the bot's work after the update itself (py-spy under
the answer-path benchmark: about an eighth of the bot's thread). The survey's screens never
look at it (the next tap brings the message again), so these take the answer as plain JSON;
so does the answer to a tap (Telegram's ``true``). Everything else about the call is aiogram's:
the defaults (HTML), the session's pacing and retries, and the errors (a 400 is still
``TelegramBadRequest``).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


class Unread:
    """Marks a method whose answer is taken as Telegram's plain JSON, not built into aiogram's
    models: the session checks only that Telegram said ``ok``
    (`bot.telegram.json_body.JsonSession.check_response`)."""


class SendUnread(SendMessage, Unread):
    __returning__ = dict[str, Any]


class EditTextUnread(EditMessageText, Unread):
    __returning__ = dict[str, Any] | bool


class AnswerTapUnread(AnswerCallbackQuery, Unread):
    __returning__ = bool


def _bot_of(event: Message | CallbackQuery) -> Bot:
    bot = event.bot
    if bot is None:  # built by hand, not brought by an update
        raise RuntimeError(f"the {type(event).__name__} is not bound to a bot")
    return bot


async def answer_tap(query: CallbackQuery) -> None:
    """Stops the tap's spinner, saying nothing (``query.answer()``)."""
    await _bot_of(query)(AnswerTapUnread(callback_query_id=query.id))


async def send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await bot(SendUnread(chat_id=chat_id, text=text, reply_markup=markup))


async def edit_text(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    await _bot_of(message)(
        EditTextUnread(
            chat_id=message.chat.id, message_id=message.message_id, text=text, reply_markup=markup
        )
    )
