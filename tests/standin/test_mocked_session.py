"""The in-process harness (tests/support/mocked_bot.py) refuses what Telegram refuses, as the
stand-in over HTTP does, and answers what it accepts with messages the bot can read: the tests
in tests/respondent and tests/auditor rest on it."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.support.mocked_bot import TOKEN, MockedSession, Telegram


@pytest.fixture
async def bot(telegram: Telegram) -> Bot:
    return Bot(
        TOKEN,
        session=MockedSession(telegram),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data=data)]]
    )


async def test_what_telegram_accepts_comes_back_as_it_would(telegram: Telegram, bot: Bot) -> None:
    phone = telegram.phone(501, "Ann")
    await phone.send("hello")  # no bot runs: the update waits, but the chat is known
    sent = await bot.send_message(501, "<b>Cwestiwn</b> 1", reply_markup=_keyboard("a:" + "q" * 62))
    assert isinstance(sent, Message) and sent.text == "Cwestiwn 1"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert phone.last is not None and phone.last.buttons == [[("x", "a:" + "q" * 62)]]
    edited = await bot.edit_message_text("Question 1", chat_id=501, message_id=sent.message_id)
    assert isinstance(edited, Message) and phone.last.text == "Question 1"
    document = await bot.send_document(501, BufferedInputFile(b"%PDF-1.7", filename="r.pdf"))
    assert document.document is not None and document.document.file_name == "r.pdf"
    assert phone.documents[0].data == b"%PDF-1.7"
    assert [c.method for c in telegram.calls] == ["sendMessage", "editMessageText", "sendDocument"]
    assert len(bot.session.requests) == 3  # type: ignore[attr-defined]
    assert telegram.violations == []


@pytest.mark.parametrize(
    ("call", "refusal"),
    [
        ({"chat_id": 404, "text": "hi"}, "chat not found"),
        ({"chat_id": 501, "text": "<b>unclosed"}, "can't parse entities"),
        ({"chat_id": 501, "text": "x" * 4097}, "message is too long"),
        ({"chat_id": 501, "text": "x", "reply_markup": _keyboard("d" * 65)}, "BUTTON_DATA_INVALID"),
    ],
)
async def test_what_telegram_refuses_is_refused_and_recorded(
    telegram: Telegram, bot: Bot, call: dict[str, object], refusal: str
) -> None:
    await telegram.phone(501, "Ann").send("hello")
    with pytest.raises(TelegramBadRequest, match=refusal):
        await bot.send_message(**call)  # type: ignore[arg-type]
    [violation] = telegram.violations
    assert violation.method == "sendMessage" and refusal in violation.description
    telegram.violations.clear()  # seen: the fixture's own check would fail the test
