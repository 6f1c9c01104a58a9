"""The send pacer keeps a worker's sends to its share of the overall rate, and keeps to it when
the share changes with sends already queued (two workers down to one, as after a kill -9).

The bounds are upper bounds over the time actually taken, so a busy machine (fewer sends in the
time) can only make them easier to meet."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.telegram.session import SendPacer

BOT = Bot("123:ABC")
SEND = SendMessage(chat_id=1, text="x")


class Clock:
    """A request chain that notes when each request went out."""

    def __init__(self) -> None:
        self.sent: list[float] = []

    async def __call__(self, bot: Bot, method: Any) -> Any:  # "ok" stands in for the Response
        self.sent.append(asyncio.get_running_loop().time())
        return "ok"


async def test_a_change_of_share_never_lets_queued_sends_go_at_the_old_pace_beside_the_new() -> (
    None
):
    rate = 20.0
    pacer, clock = SendPacer(rate), Clock()
    pacer.share(2)
    queued = [asyncio.create_task(pacer(clock, BOT, SEND)) for _ in range(30)]
    await asyncio.sleep(1.0)  # the bucket is full and sends are queued behind it
    changed = asyncio.get_running_loop().time()
    pacer.share(1)  # the other worker is gone
    more = [asyncio.create_task(pacer(clock, BOT, SEND)) for _ in range(20)]
    await asyncio.gather(*queued, *more)

    after = [t for t in clock.sent if t > changed]
    assert after, "sends went on after the change"
    elapsed = after[-1] - changed
    # One bucket: at most the full rate from the change on, plus a send's worth of rounding.
    # (Replacing the bucket let the queued sends go on at half the rate beside a fresh bucket's
    # burst and full rate: about 1.5 times the rate and a burst on top.)
    assert len(after) <= rate * elapsed + 2, (len(after), elapsed)


async def test_two_workers_sharing_keep_to_the_overall_rate_together() -> None:
    rate = 20.0
    a, b, clock = SendPacer(rate), SendPacer(rate), Clock()
    a.share(2)
    b.share(2)
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(p(clock, BOT, SEND) for p in (a, b) for _ in range(20)))
    elapsed = clock.sent[-1] - started
    # Each begins with a burst of half the bucket, then half the rate.
    assert len(clock.sent) <= rate * elapsed + rate + 2, (len(clock.sent), elapsed)


async def test_only_sends_are_paced_and_any_rate_or_share_works() -> None:
    slow, clock = SendPacer(0.5), Clock()  # under one a second: the bucket still holds one
    slow.share(3)  # more workers than the bucket holds
    async with asyncio.timeout(1):
        await slow(clock, BOT, AnswerCallbackQuery(callback_query_id="1"))
    fast = SendPacer(100.0)
    fast.share(250)
    async with asyncio.timeout(10):
        await fast(clock, BOT, SEND)
    assert len(clock.sent) == 2
