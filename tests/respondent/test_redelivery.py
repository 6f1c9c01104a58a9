"""Repeated, reordered and doubled updates, through the real dispatcher in this process: an
update Telegram delivers again is skipped, two taps on one question arriving in reverse order
or within milliseconds advance the survey once, and every tap is answered. (Redelivery after a
kill -9, which only the process shows, is tests/e2e/test_faults.py.)"""

from __future__ import annotations

import logging

import pytest

from standin import Phone
from standin.methods import new_callback
from tests.support.bot_process import seed_roster
from tests.support.chat import QUESTIONS, asked, begin, current_question, shows
from tests.support.mocked_bot import InProcessBot, Telegram
from tests.support.stored import stored_answers


def email(n: int) -> str:
    return f"officer.{n:03d}@powys.example"


def advanced_once(phone: Phone, mark: int, index: int) -> bool:
    """Since ``mark`` the bot asked question ``index`` (a stale second tap may ask it again)
    and nothing beyond it."""
    fresh = [asked(m) for m in phone.bot_messages if m.seq > mark]
    return QUESTIONS[index] in fresh and not set(fresh) & set(QUESTIONS[index + 1 :])


def raw_tap(telegram: Telegram, user_id: int, message_id: int, data: str) -> str:
    """A tap with any callback data on a message, as the person saw it a moment ago (the
    stand-in's own ``tap`` only finds buttons still on the message); delivered with the rest."""
    message = telegram.state.messages(user_id)[message_id]
    body = new_callback(telegram.state, user_id, message, data)
    telegram.state.push_update({"callback_query": body})
    query_id: str = body["id"]
    return query_id


def update_id_of(telegram: Telegram, callback_id: str) -> int:
    for update_id, update in telegram.state.history.items():
        if update.get("callback_query", {}).get("id") == callback_id:
            return update_id
    raise LookupError(callback_id)


async def test_redelivered_reordered_and_double_taps(
    telegram: Telegram, datatool: InProcessBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.middlewares")
    tokens = await seed_roster(
        datatool.db_path, [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(3)]
    )
    await datatool.start()
    a, b, c = (telegram.phone(6000 + n, f"P{n}") for n in range(3))
    for n, phone in enumerate((a, b, c)):
        await begin(phone, tokens[email(n)])

    # The same update twice: the second delivery is skipped, nothing new is said.
    tap = await a.tap(f"a:{QUESTIONS[0]}:sa")
    await a.wait_for(lambda m: shows(m, QUESTIONS[1]))
    sent_before = len(a.bot_messages)
    telegram.state.redeliver(update_id_of(telegram, tap))
    await telegram.deliver()
    assert len(a.bot_messages) == sent_before
    assert stored_answers(datatool.sqlite_path)[email(0)] == {QUESTIONS[0]: ("sa", None)}
    assert "delivered again; skipped" in caplog.text

    # Two taps on one question arriving in reverse order: the one handled first is kept, the
    # message records it, and the survey advances once.
    question = current_question(b)
    assert question is not None
    first_mark = telegram.state.seq
    async with telegram.held():
        await b.tap(f"a:{QUESTIONS[0]}:d", question)
        await b.tap(f"a:{QUESTIONS[0]}:a", question)
        pending = telegram.state.pending
        pending[-2], pending[-1] = pending[-1], pending[-2]
    assert advanced_once(b, first_mark, 1)
    assert stored_answers(datatool.sqlite_path)[email(1)] == {QUESTIONS[0]: ("a", None)}
    record = telegram.state.messages(b.user_id)[question.message_id]
    assert "Agree" in record.text and "Disagree" not in record.text and not record.buttons

    # Two different taps within milliseconds (both arrive before the first is handled), then the
    # same button twice: one answer each time.
    question = current_question(c)
    assert question is not None
    mark = telegram.state.seq
    async with telegram.held():
        await c.tap(f"a:{QUESTIONS[0]}:n", question)
        raw_tap(telegram, c.user_id, question.message_id, f"a:{QUESTIONS[0]}:sd")
    assert advanced_once(c, mark, 1)
    first = stored_answers(datatool.sqlite_path)[email(2)][QUESTIONS[0]]
    assert first in (("n", None), ("sd", None))
    question = current_question(c)
    assert question is not None and asked(question) == QUESTIONS[1]
    mark = telegram.state.seq
    async with telegram.held():
        await c.tap(f"a:{QUESTIONS[1]}:a", question)
        await c.tap(f"a:{QUESTIONS[1]}:a", question)
    assert advanced_once(c, mark, 2)
    assert len([m for m in c.bot_messages if m.seq > mark and shows(m, QUESTIONS[2])]) == 1
    assert stored_answers(datatool.sqlite_path)[email(2)] == {
        QUESTIONS[0]: first,
        QUESTIONS[1]: ("a", None),
    }
    # Every tap was answered (no endless spinner), even the ones that changed nothing.
    assert all(q.answered for p in (a, b, c) for q in p.answers)
    assert datatool.errors == []
