"""The bot's one retry policy (at aiogram's session) and the reminder sender that relies on it:
a 429 pauses every request and sends the same one again, a 403 is never retried, network faults
back off and give up, and the sender never adds retries of its own on top."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import GetUpdates, SendMessage

from bot.reminders.sender import TelegramSender
from bot.telegram.session import RetryMiddleware, retry_policy

METHOD = SendMessage(chat_id=1, text="x")
BOT = Bot("123:ABC")


class Script:
    """A request chain that raises the scripted exceptions, then succeeds."""

    def __init__(self, script: list[Exception]) -> None:
        self.script = script
        self.calls = 0

    async def __call__(self, bot: Bot, method: Any) -> Any:  # "ok" stands in for the Response
        self.calls += 1
        if self.script:
            raise self.script.pop(0)
        return "ok"


def _policy(attempts: int = 10) -> tuple[RetryMiddleware, list[float]]:
    slept: list[float] = []
    now = [1000.0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    policy = RetryMiddleware(attempts=attempts, backoff=0.5, sleep=sleep, clock=lambda: now[0])
    return policy, slept


async def test_429_pauses_then_sends_the_same_request_again() -> None:
    policy, slept = _policy()
    chain = Script([TelegramRetryAfter(METHOD, "flood", 3)])
    assert await policy(chain, BOT, METHOD) == "ok"
    assert chain.calls == 2 and policy.retry_afters == 1
    assert slept == [3.0]


async def test_a_429_pauses_every_other_request_too() -> None:
    """Telegram's limits are per bot: while one request waits out a 429, the next request
    waits too before its first try, instead of collecting a 429 of its own."""
    policy, slept = _policy()
    seen: list[float] = []

    async def chain_a(bot: Bot, method: Any) -> Any:
        seen.append(policy.clock())
        if len(seen) == 1:
            # A second request arrives while the first's 429 is being answered.
            raise TelegramRetryAfter(METHOD, "flood", 3)
        return "ok"

    assert await policy(chain_a, BOT, METHOD) == "ok"
    policy.resume_at = policy.clock() + 2  # as a 429 at this instant would leave it
    other = Script([])
    assert await policy(other, BOT, METHOD) == "ok"
    assert slept == [3.0, 2.0] and other.calls == 1


async def test_403_is_never_retried() -> None:
    policy, _ = _policy()
    chain = Script([TelegramForbiddenError(METHOD, "bot was blocked")])
    with pytest.raises(TelegramForbiddenError):
        await policy(chain, BOT, METHOD)
    assert chain.calls == 1


async def test_network_errors_back_off_then_give_up() -> None:
    policy, slept = _policy(attempts=5)
    assert await policy(Script([TelegramNetworkError(METHOD, "reset")] * 2), BOT, METHOD) == "ok"
    assert slept == [0.5, 1.0]
    chain = Script([TelegramNetworkError(METHOD, "reset")] * 9)
    with pytest.raises(TelegramNetworkError):
        await policy(chain, BOT, METHOD)
    assert chain.calls == 5


async def test_polling_is_left_to_the_polling_loop() -> None:
    policy, _ = _policy()
    chain = Script([TelegramNetworkError(METHOD, "reset")])
    with pytest.raises(TelegramNetworkError):
        await policy(chain, BOT, GetUpdates())
    assert chain.calls == 1


class FakeBot:
    """Answers send_message with one scripted exception (what is left after the session's
    retries), or success."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.calls = 0

    async def send_message(self, chat_id: int, text: str, reply_markup: object = None) -> None:
        self.calls += 1
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "sent"),
        (TelegramForbiddenError(METHOD, "bot was blocked"), "blocked"),
        (TelegramNetworkError(METHOD, "reset"), "failed"),
        (TelegramRetryAfter(METHOD, "flood", 3), "failed"),
    ],
)
async def test_the_sender_tries_once_and_says_what_became_of_it(
    error: Exception | None, outcome: str
) -> None:
    fake = FakeBot(error)
    result = await TelegramSender(1000).send(fake, 1, "hello")  # type: ignore[arg-type]
    assert result.outcome == outcome and fake.calls == 1
    assert (result.unreachable == "blocked") == (outcome == "blocked")


def test_the_policy_is_found_on_the_bots_session() -> None:
    from aiogram.client.session.aiohttp import AiohttpSession

    from bot.app import create_bot
    from bot.config import Settings

    settings = Settings(_env_file=None, bot_token="123:ABC")
    bot = create_bot(settings, AiohttpSession(), attempts=3)
    policy = retry_policy(bot)
    assert policy is not None and policy.attempts == 3
    assert retry_policy(Bot("123:ABC")) is None
