"""Benchmark: reply latency, from a tap reaching the local Bot API stand-in to the bot's next
question arriving there, with 100 phones answering at once against the real ``datatool run``
process. Goal: p95 under 50 ms on loopback.

    python -m benchmarks.latency [--phones 100] [--answers 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from standin import Phone, StandIn, StoredMessage
from tests.support.bot_process import TOKEN, BotProcess, seed_roster
from tests.support.chat import KINDS, QUESTIONS, asked, begin, current_question


async def answer(phone: Phone, count: int, think: float) -> list[float]:
    """Tap through ``count`` choice questions, reading for about ``think`` seconds (jittered, so
    the phones are not in lockstep); the seconds from each tap to the next question."""
    rng = random.Random(phone.user_id)
    waits = []
    for _ in range(count):
        await asyncio.sleep(think * rng.uniform(0.2, 1.8))
        message = current_question(phone)
        assert message is not None
        qid = asked(message)
        assert qid is not None and KINDS[qid] != "text"
        nxt = QUESTIONS[QUESTIONS.index(qid) + 1]
        started = time.perf_counter()
        await phone.tap(f"a:{qid}:{'a' if KINDS[qid] == 'agree' else '2'}", message)

        def shows_next(m: StoredMessage, n: str = nxt) -> bool:
            return asked(m) == n

        await phone.wait_for(shows_next, timeout=30)
        waits.append(time.perf_counter() - started)
    return waits


async def main(phones: int, answers: int, think: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with StandIn(token=TOKEN) as api:
            api.flood.global_enforced = False  # measure the bot, not Telegram's 30/s cap
            process = BotProcess(api=api, db_path=workdir / "bench.sqlite3", workdir=workdir)
            tokens = await seed_roster(
                process.db_path,
                [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(phones)],
            )
            await process.start()
            try:
                people = [api.phone(2_000_000 + n, f"P{n}") for n in range(phones)]
                await asyncio.gather(
                    *(
                        begin(p, tokens[f"officer.{n:03d}@powys.example"])
                        for n, p in enumerate(people)
                    )
                )
                started = time.perf_counter()
                results = await asyncio.gather(*(answer(p, answers, think) for p in people))
                elapsed = time.perf_counter() - started
            finally:
                await process.stop()
    waits = sorted(w * 1000 for r in results for w in r)
    cuts = statistics.quantiles(waits, n=100)
    print(f"{phones} phones x {answers} taps ({len(waits)} replies) in {elapsed:.1f} s")
    print(f"reply latency: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {waits[-1]:.1f} ms")
    print(f"(goal: p95 < 50 ms; think time between taps {think * 1000:.0f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--answers", type=int, default=6)
    parser.add_argument("--think", type=float, default=5.0, help="seconds between a phone's taps")
    args = parser.parse_args()
    asyncio.run(main(args.phones, args.answers, args.think))
