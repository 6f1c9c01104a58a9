"""The bot's session (bot.telegram.session.json_session): aiogram's own aiohttp session with
orjson through its public ``json_loads``/``json_dumps``; the stand-in, strict as Telegram, takes
its calls (a keyboard, an edit, an upload), and Telegram's errors still raise aiogram's
exceptions."""

from __future__ import annotations

import orjson
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.session import json_session
from standin import StandIn

TOKEN = "123:ABC"
ANN = 5001
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Cytuno · Agree", callback_data="a:q1:agree")]]
)


def _bot(session: AiohttpSession) -> Bot:
    return Bot(
        TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def test_it_is_aiograms_session_with_orjson() -> None:
    session = json_session()
    assert type(session) is AiohttpSession
    assert session.json_loads is orjson.loads
    assert orjson.loads(session.json_dumps({"text": "Cytuno · Agree"})) == {
        "text": "Cytuno · Agree"
    }


async def test_the_stand_in_takes_its_calls_and_its_errors_are_aiograms() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(ANN, "Ann")
        await phone.send("/start")  # a bot may write only to whoever wrote to it
        bot = _bot(json_session(TelegramAPIServer.from_base(api.base_url)))
        try:
            sent = await bot.send_message(
                ANN, "<b>C1</b> Ydych chi'n cytuno?", reply_markup=KEYBOARD
            )
            assert sent.chat.id == ANN and sent.reply_markup is not None
            assert sent.reply_markup.inline_keyboard[0][0].callback_data == "a:q1:agree"
            await bot.edit_message_text("<i>C1</i> Cytuno", chat_id=ANN, message_id=sent.message_id)
            await bot.send_document(ANN, BufferedInputFile(b"%PDF-1.7 report", "powys.pdf"))
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot.send_message(ANN + 1, "<b>C2</b>")
            with pytest.raises(TelegramBadRequest, match="parse entities"):
                await bot.send_message(ANN, "<b>C2")
        finally:
            await bot.session.close()
        # The two calls refused on purpose, and nothing else.
        refused = [v.description for v in api.violations]
        assert len(refused) == 2 and "chat not found" in refused[0]
        assert "parse entities" in refused[1]
        [question, document] = phone.bot_messages
        assert question.text == "C1 Cytuno" and question.edits == 1
        assert question.reply_markup is None  # an edit without a keyboard removes it
        assert document.document is not None
