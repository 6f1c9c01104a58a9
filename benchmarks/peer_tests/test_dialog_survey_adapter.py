"""The answer-path benchmark's adapter for aiogram-dialog-survey reads what that bot really
sends (no timing here), as tests/benchmarks/test_answer_path_adapters.py does for the others.

It needs the ``peers`` dependency group, which ``./dev test`` does not install: ``./dev bench
answer_path`` installs it and runs this first (``./dev bench peer_tests`` alone), so a broken
adapter stops the benchmark instead of skipping quietly anywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText, SendMessage

from benchmarks._common import TOKEN, Updates
from benchmarks.answer_path import dialog_position
from tests.benchmarks.test_answer_path_adapters import (
    USER,
    Keeping,
    as_message,
    button,
    load_peer,
    stored,
)


async def test_dialog_survey_adapter_reads_what_aiogram_dialog_survey_sends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aiogram.fsm.storage.memory import MemoryStorage
    from aiogram.types import Message as Msg
    from aiogram_dialog import DialogManager, setup_dialogs

    peer = load_peer("dialog_survey", monkeypatch, tmp_path)
    survey = peer.build_survey()

    async def start_handler(message: Msg, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(survey.state_manager.get_first_state())

    session = Keeping()
    bot = Bot(TOKEN, session=session)
    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(survey.to_dialog())
    dp.message.register(start_handler)
    setup_dialogs(dp)
    updates = Updates()

    await dp.feed_update(bot, updates.command(USER, "/start"))
    sends = [m for m in session.sent if isinstance(m, SendMessage)]
    first = stored(sends[-1], 1000)  # RecordingSession numbers sent messages from 1000
    assert dialog_position(first) == 0

    await dp.feed_update(bot, updates.tap(USER, button(first, "Agree"), as_message(first)))
    edits = [m for m in session.sent if isinstance(m, EditMessageText)]
    assert edits, [type(m).__name__ for m in session.sent]
    assert dialog_position(stored(edits[-1], 1000)) == 1  # the one message, edited
