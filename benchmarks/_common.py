"""What the benchmarks share: a Bot API session that records requests instead of sending them,
and builders for the updates Telegram would deliver."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update, User

TOKEN = "123456:BENCH-token"
BOT_USER = User(id=123456, is_bot=True, first_name="Datatool", username="datatool_bot")


class RecordingSession(BaseSession):
    """Answers every Bot API call at once with a plausible result and keeps a count, so a
    benchmark measures the bot's own work and nothing of the network."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self._ids = itertools.count(1_000)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = type(method).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            result: Any = Message(
                message_id=next(self._ids),
                date=int(time.time()),
                chat=chat,
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup,
            )
        else:  # editMessageText, editMessageReplyMarkup, answerCallbackQuery, ...
            result = True
        return result  # type: ignore[no-any-return]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        return None


class Updates:
    """Numbered updates from simulated people."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._messages = itertools.count(1)

    def person(self, user_id: int) -> User:
        return User(id=user_id, is_bot=False, first_name=f"P{user_id}", language_code="en")

    def text(self, user_id: int, text: str) -> Update:
        user = self.person(user_id)
        message = Message(
            message_id=next(self._messages),
            date=int(time.time()),
            chat=Chat(id=user_id, type="private"),
            from_user=user,
            text=text,
        )
        return Update(update_id=next(self._ids), message=message)

    def command(self, user_id: int, text: str) -> Update:
        update = self.text(user_id, text)
        assert update.message is not None
        command = text.split()[0]
        entity = MessageEntity(type="bot_command", offset=0, length=len(command))
        message = update.message.model_copy(update={"entities": [entity]})
        return Update(update_id=update.update_id, message=message)

    def tap(self, user_id: int, data: str, shown: Message | None = None) -> Update:
        user = self.person(user_id)
        message = shown or Message(
            message_id=next(self._messages),
            date=int(time.time()),
            chat=Chat(id=user_id, type="private"),
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)),
            from_user=user,
            chat_instance=str(user_id),
            message=message,
            data=data,
        )
        return Update(update_id=next(self._ids), callback_query=query)
