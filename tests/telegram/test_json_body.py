"""The session that sends Bot API calls as JSON (bot.telegram.json_body): the same fields as
aiogram's form, the keyboard as an object, the bot's defaults filled in; a file still goes as
aiogram's multipart form; and the stand-in, strict as Telegram, takes both."""

from __future__ import annotations

import orjson
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import BytesPayload, FormData

from bot.telegram.json_body import JsonSession
from bot.telegram.unread import SendUnread
from standin import StandIn

TOKEN = "123:ABC"
ANN = 5001
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Cytuno · Agree", callback_data="a:q1:agree")]]
)


def _bot(session: JsonSession) -> Bot:
    return Bot(
        TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def test_a_call_is_one_json_object_with_aiograms_values() -> None:
    session = JsonSession()
    bot = _bot(session)
    method = SendMessage(chat_id=ANN, text="<b>C1</b> Ydych chi'n cytuno?", reply_markup=KEYBOARD)
    body = session.build_form_data(bot, method)
    assert isinstance(body, BytesPayload)
    assert body.content_type == "application/json"
    sent = orjson.loads(body._value)
    assert sent == {
        "chat_id": ANN,
        "text": "<b>C1</b> Ydych chi'n cytuno?",
        "parse_mode": "HTML",  # the bot's default, as aiogram's form fills it in
        "link_preview_options": {"is_disabled": True},
        "disable_web_page_preview": True,
        "reply_markup": {
            "inline_keyboard": [[{"text": "Cytuno · Agree", "callback_data": "a:q1:agree"}]]
        },
    }
    await session.close()


async def test_a_file_goes_as_aiograms_multipart_form() -> None:
    session = JsonSession()
    bot = _bot(session)
    method = SendDocument(chat_id=ANN, document=BufferedInputFile(b"%PDF-1.7", "powys.pdf"))
    assert isinstance(session.build_form_data(bot, method), FormData)
    await session.close()


async def test_the_stand_in_takes_json_calls_and_uploads() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(ANN, "Ann")
        await phone.send("/start")  # a bot may write only to whoever wrote to it
        session = JsonSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = _bot(session)
        try:
            sent = await bot.send_message(
                ANN, "<b>C1</b> Ydych chi'n cytuno?", reply_markup=KEYBOARD
            )
            await bot.edit_message_text("<i>C1</i> Cytuno", chat_id=ANN, message_id=sent.message_id)
            await bot.send_document(ANN, BufferedInputFile(b"%PDF-1.7 report", "powys.pdf"))
        finally:
            await session.close()
        assert api.violations == []
        [question, document] = phone.bot_messages
        assert question.text == "C1 Cytuno" and question.edits == 1
        assert question.reply_markup is None  # an edit without a keyboard removes it
        assert document.document is not None


async def test_an_unread_answer_is_checked_for_ok_and_an_error_still_raises() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(ANN, "Ann")
        await phone.send("/start")
        session = JsonSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = _bot(session)
        try:
            answer = await bot(SendUnread(chat_id=ANN, text="<b>C2</b>", reply_markup=KEYBOARD))
            assert isinstance(answer, dict) and answer["chat"]["id"] == ANN  # as Telegram sent it
            with pytest.raises(TelegramBadRequest, match="chat not found"):
                await bot(SendUnread(chat_id=ANN + 1, text="<b>C2</b>"))
            with pytest.raises(TelegramBadRequest, match="parse entities"):
                await bot(SendUnread(chat_id=ANN, text="<b>C2"))
        finally:
            await session.close()
