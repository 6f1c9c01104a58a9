"""Benchmark: answers per second through webhook workers, on SQLite (one worker) and on
PostgreSQL (one worker, then two behind a round-robin balancer).

Real ``datatool run`` processes in webhook mode, fed by the stand-in's webhook delivery; each
phone taps through ``--answers`` choice questions as fast as the bot answers (no reading time),
all phones at once. The figure is answers stored per second of wall time. Telegram's overall
send cap is lifted (stand-in and ``REPLY_RATE``), so that it measures the bot and the database,
not the 30 messages a second every deployment shares.

    python -m benchmarks.workers [--phones 30] [--answers 12] [--only poll,sqlite,pg1,pg2]

(``poll`` is one SQLite process long-polling, for comparison.)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from standin import Phone, StandIn, StoredMessage
from tests.support.balancer import Balancer
from tests.support.bot_process import TOKEN, WEBHOOK_PATH, BotProcess, seed_roster
from tests.support.chat import KINDS, QUESTIONS, asked, begin, current_question
from tests.support.pgserver import PostgresServer

UNCAPPED = {"REPLY_RATE": "100000", "FLOOD_RATE": "100000"}


async def tap_through(phone: Phone, count: int) -> int:
    done = 0
    while done < count:
        message = current_question(phone)
        assert message is not None
        qid = asked(message)
        assert qid is not None
        nxt = QUESTIONS[QUESTIONS.index(qid) + 1]
        if KINDS[qid] == "text":
            await phone.send(f"a note on {qid}")
        else:
            await phone.tap(f"a:{qid}:{'a' if KINDS[qid] == 'agree' else '2'}", message)

        def asks(m: StoredMessage, n: str = nxt) -> bool:
            return asked(m) == n

        await phone.wait_for(asks, timeout=60)
        done += 1
    return done


async def run(
    label: str,
    db: str,
    workers: int,
    phones: int,
    answers: int,
    tmp: Path,
    *,
    webhook: bool = True,
) -> float:
    async with StandIn(token=TOKEN) as api:
        api.flood.global_enforced = False
        procs = [
            BotProcess(
                api=api,
                db_path=db,
                workdir=tmp,
                webhook=webhook,
                name=f"{label}-{n}".replace(" ", "").replace(",", "-"),
                env=UNCAPPED,
            )
            for n in range(workers)
        ]
        balancer = None
        if workers > 1:
            balancer = await Balancer([f"http://127.0.0.1:{p.listen_port}" for p in procs]).start()
            for p in procs:
                p.webhook_url = balancer.url(WEBHOOK_PATH)
        tokens = await seed_roster(
            db, [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(phones)]
        )
        try:
            for p in procs:
                await p.start()
            people = [api.phone(3_000_000 + n, f"P{n}") for n in range(phones)]
            await asyncio.gather(
                *(
                    begin(person, tokens[f"officer.{n:03d}@powys.example"])
                    for n, person in enumerate(people)
                )
            )
            started = time.perf_counter()
            counts = await asyncio.gather(*(tap_through(p, answers) for p in people))
            elapsed = time.perf_counter() - started
        finally:
            for p in procs:
                await p.kill()
            if balancer is not None:
                await balancer.stop()
    rate = sum(counts) / elapsed
    print(f"{label:>28}: {sum(counts)} answers in {elapsed:.1f} s = {rate:.0f} answers/s")
    return rate


async def main(phones: int, answers: int, only: set[str]) -> None:
    server = PostgresServer.start() if only & {"pg1", "pg2"} else None
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            if "poll" in only:
                db = str(tmp / "poll.sqlite3")
                await run("SQLite, polling", db, 1, phones, answers, tmp, webhook=False)
            if "sqlite" in only:
                await run("SQLite, 1 worker", str(tmp / "bench.sqlite3"), 1, phones, answers, tmp)
            if server is not None and "pg1" in only:
                await run("PostgreSQL, 1 worker", server.create_database(), 1, phones, answers, tmp)
            if server is not None and "pg2" in only:
                await run(
                    "PostgreSQL, 2 workers", server.create_database(), 2, phones, answers, tmp
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--answers", type=int, default=12)
    parser.add_argument("--only", default="poll,sqlite,pg1,pg2")
    args = parser.parse_args()
    asyncio.run(main(args.phones, args.answers, set(args.only.split(","))))
