"""The answer-path benchmark's adapters read what each bot really sends (no timing here).

benchmarks/answer_path.py drives four bots by what they show: which question a message asks,
and the button to tap. The reference bots run in process here, through aiogram's dispatcher
with a session that records the Bot API calls instead of sending them; each call is turned
into the message a phone would see and read with that bot's adapter. The adapter of
aiogram-dialog-survey needs the ``peers`` group, which only ``./dev bench`` installs: its test
is benchmarks/peer_tests/, which ``./dev bench answer_path`` runs before it measures.
"""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, InlineKeyboardMarkup, Message

from benchmarks._common import BOT_USER, TOKEN, RecordingSession, Updates
from benchmarks.answer_path import (
    BOTS,
    CHOICE,
    KINDS,
    PEERS_DIR,
    bare_position,
    datatool_position,
    showing,
    spec,
)
from standin import StoredMessage
from tests.support.chat import QUESTIONS

USER = 5_000_001


class Keeping(RecordingSession):
    """Records every call made, in order; an edit answers with the edited message."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[TelegramMethod[Any]] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.sent.append(method)
        if isinstance(method, EditMessageText) and method.message_id is not None:
            edited = Message(  # as Telegram answers an edit (aiogram-dialog reads it)
                message_id=method.message_id,
                date=datetime.fromtimestamp(int(time.time()), UTC),
                chat=Chat(id=int(method.chat_id or USER), type="private"),
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup,
            )
            return edited  # type: ignore[return-value]
        return await super().make_request(bot, method, timeout)


def stored(method: TelegramMethod[Any], message_id: int = 1) -> StoredMessage:
    """The message a phone sees after the call (a sendMessage or an editMessageText)."""
    assert isinstance(method, SendMessage | EditMessageText), method
    assert method.text is not None
    markup = method.reply_markup
    return StoredMessage(
        message_id=message_id,
        chat_id=USER,
        from_bot=True,
        date=int(time.time()),
        text=method.text,
        reply_markup=(
            markup.model_dump(exclude_none=True)
            if isinstance(markup, InlineKeyboardMarkup)
            else None
        ),
        seq=message_id,
    )


def as_message(seen: StoredMessage) -> Message:
    """The message a tap comes from, as Telegram would put it in the update."""
    return Message(
        message_id=seen.message_id,
        date=datetime.fromtimestamp(seen.date, UTC),
        chat=Chat(id=USER, type="private"),
        from_user=BOT_USER,
        text=seen.text,
        reply_markup=InlineKeyboardMarkup.model_validate(seen.reply_markup),
    )


def button(seen: StoredMessage, label: str) -> str:
    data = [d for row in seen.buttons for text, d in row if text == label and d]
    assert data, seen.buttons
    return data[0]


def load_peer(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """A reference bot's script as a module, with its questions file (PEER_SPEC) in place."""
    spec_path = tmp_path / "questions.json"
    spec_path.write_text(json.dumps(spec()), encoding="utf-8")
    monkeypatch.setenv("PEER_SPEC", str(spec_path))
    monkeypatch.syspath_prepend(str(PEERS_DIR))  # the scripts import each other as run
    found = importlib.util.spec_from_file_location(f"peer_{name}", PEERS_DIR / f"{name}.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def test_the_questionnaire_is_datatools_with_a_button_for_each_choice() -> None:
    questions = spec()
    assert [q["id"] for q in questions] == QUESTIONS
    for q, kind in zip(questions, KINDS, strict=True):
        labels = [label for label, _ in q["options"]]  # type: ignore[attr-defined]
        assert (CHOICE[kind] in labels) if kind != "text" else labels == []


def test_datatool_adapter_reads_the_question_from_the_buttons() -> None:
    agree = StoredMessage(
        1,
        USER,
        True,
        0,
        "Vision, leadership & culture · Question 1/37\n\n…",
        reply_markup={
            "inline_keyboard": [
                [{"text": "Agree", "callback_data": "a:v_vision:a"}],
                [{"text": "Back", "callback_data": "n:back:v_vision"}],
            ]
        },
    )
    typed = StoredMessage(
        2,
        USER,
        True,
        0,
        "Question 9/37",
        reply_markup={
            "inline_keyboard": [
                [
                    {"text": "Back", "callback_data": "n:back:v_barriers"},
                    {"text": "Skip", "callback_data": "n:skip:v_barriers"},
                ]
            ]
        },
    )
    record = StoredMessage(3, USER, True, 0, "Question 1/37 … Agree")
    assert datatool_position(agree) == 0
    assert datatool_position(typed) == QUESTIONS.index("v_barriers") == 8
    assert datatool_position(record) is None


async def test_bare_adapter_reads_what_the_bare_bot_sends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bare = load_peer("bare", monkeypatch, tmp_path)
    session = Keeping()
    bot = Bot(TOKEN, session=session)
    dp = Dispatcher()
    dp.include_router(bare.build_router(bare.load_spec()))
    updates = Updates()

    await dp.feed_update(bot, updates.command(USER, "/start"))
    first = stored(session.sent[-1])
    assert bare_position(first) == 0

    await dp.feed_update(bot, updates.tap(USER, button(first, "Agree"), as_message(first)))
    names = [type(m).__name__ for m in session.sent[1:]]
    assert names == ["AnswerCallbackQuery", "EditMessageText", "SendMessage"]
    record, second = stored(session.sent[-2], 1), stored(session.sent[-1], 2)
    assert bare_position(record) is None  # the answered question asks nothing any more
    assert bare_position(second) == 1
    assert showing({1: record, 2: second}, BOTS[0], 1, 0) is second

    typed_at = KINDS.index("text")
    shown = second
    for position in range(1, typed_at):
        tap = updates.tap(USER, button(shown, CHOICE[KINDS[position]]), as_message(shown))
        await dp.feed_update(bot, tap)
        shown = stored(session.sent[-1])
    assert bare_position(shown) == typed_at and shown.buttons == []
    await dp.feed_update(bot, updates.text(USER, "a note"))
    assert bare_position(stored(session.sent[-1])) == typed_at + 1
