"""Reference bot for ``benchmarks/answer_path.py``: the least an aiogram survey bot does per
answer. A tap is answered, the question is edited into a record of the answer (buttons gone)
and the next question is sent; a typed answer gets the next question. No storage, no
middleware, no pacing: where a person is lives in the buttons' callback data (and, for a typed
answer, in a dict of the question last shown to each chat).

Run as a process by the benchmark, like ``datatool run``: ``BOT_TOKEN``, ``TELEGRAM_API_URL``
(the stand-in) and ``PEER_SPEC`` (the questions, JSON, written by the benchmark). With
``PEER_DB`` set, :mod:`bare_commit` adds one durable SQLite commit per answer.

Shows ``Question N/M`` first in every question's text; buttons carry ``N:option``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

Save = Callable[[int, str, str], Awaitable[None]]


def load_spec() -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = json.loads(Path(os.environ["PEER_SPEC"]).read_text())
    return questions


def make_bot() -> Bot:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    return Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))


def build_router(questions: list[dict[str, Any]], save: Save | None = None) -> Router:
    """The survey's handlers; ``save(chat, question id, answer)`` runs before the next question."""
    total = len(questions)
    shown: dict[int, int] = {}  # chat -> index of the question last sent (for typed answers)
    router = Router()

    def question(index: int) -> tuple[str, InlineKeyboardMarkup | None]:
        q = questions[index]
        text = f"Question {index + 1}/{total}\n\n{q['text']}"
        if not q["options"]:
            return text + "\n\nType your answer.", None
        rows = [
            [InlineKeyboardButton(text=label, callback_data=f"{index}:{value}")]
            for label, value in q["options"]
        ]
        return text, InlineKeyboardMarkup(inline_keyboard=rows)

    async def ask(message: Message, index: int) -> None:
        if index >= total:
            await message.answer("Thank you: that was the last question.")
            return
        text, keyboard = question(index)
        shown[message.chat.id] = index
        await message.answer(text, reply_markup=keyboard)

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await ask(message, 0)

    @router.callback_query(F.data)
    async def tapped(query: CallbackQuery) -> None:
        assert query.data is not None and isinstance(query.message, Message)
        index_text, value = query.data.split(":", 1)
        index = int(index_text)
        if save is not None:
            await save(query.message.chat.id, questions[index]["id"], value)
        await query.answer()
        label = dict(questions[index]["options"]).get(value, value)
        await query.message.edit_text(f"✓ {index + 1}/{total}: {label}")
        await ask(query.message, index + 1)

    @router.message(F.text)
    async def typed(message: Message) -> None:
        index = shown.get(message.chat.id)
        if index is None or questions[index]["options"]:
            await message.answer("Please use the buttons.")
            return
        if save is not None:
            await save(message.chat.id, questions[index]["id"], message.text or "")
        await ask(message, index + 1)

    return router


async def serve(save: Save | None = None) -> None:
    dp = Dispatcher()
    dp.include_router(build_router(load_spec(), save))
    await dp.start_polling(make_bot(), polling_timeout=10, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(serve())
