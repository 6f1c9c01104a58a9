"""Benchmark: 2,000 due reminders against the local Bot API stand-in at SEND_RATE=25.

Reports the achieved send rate as a share of SEND_RATE (goal: at least 95%) and how many 429s
the stand-in's global flood limit (enforced here, as Telegram does) had to answer (goal: none).

    python -m benchmarks.reminders [--count 2000] [--rate 25]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.app import create_bot
from bot.config import Settings
from bot.reminders.sender import TelegramReminders
from bot.services.reminder_run import run_reminders
from standin import FloodControl, StandIn
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow

TOKEN = "123456:BENCHMARK-token"
FIRST_ID = 7_000_000


async def seed(api: StandIn, repo: Repository, count: int) -> int:
    """`count` officers at Powys who opened the bot and have not submitted."""
    rows = [
        RosterRow(
            council="powys",
            group="officer" if i % 3 else "member",
            name=f"Person {i:05d}",
            email=f"person.{i:05d}@powys.example",
            language=("cy", "en", None)[i % 3],
        )
        for i in range(count)
    ]
    await repo.import_roster(rows)
    council = await repo.find_council("powys")
    assert council is not None
    for i, invitation in enumerate(await repo.ensure_tokens(council.id)):
        telegram_id = FIRST_ID + i
        api.state.user(telegram_id, first_name=f"P{i}").known = True
        await repo.bind(invitation.token, telegram_id)
    return council.id


async def bench(count: int, rate: float) -> dict[str, float]:
    flood = FloodControl(global_enforced=True)
    async with StandIn(token=TOKEN, flood=flood) as api:
        with tempfile.TemporaryDirectory() as folder:
            db_path = Path(folder) / "bench.sqlite3"
            settings = Settings(
                _env_file=None,
                bot_token=TOKEN,
                telegram_api_url=api.base_url,
                datatool_db=db_path,
                send_rate=rate,
            )
            async with await open_database(db_path) as db:
                repo = Repository(db)
                council_id = await seed(api, repo, count)
                bot = create_bot(settings)
                try:
                    started = time.monotonic()
                    summary = await run_reminders(
                        repo,
                        TelegramReminders.of(bot, settings),
                        settings,
                        council_ids=[council_id],
                        deliberate=True,
                    )
                    wall = time.monotonic() - started
                finally:
                    await bot.session.close()
        sends = [c.time for c in api.calls_to("sendMessage")]
        injected_429 = sum(1 for i in api.injected if i.kind.startswith(("429", "flood")))
        span = max(sends) - min(sends) if len(sends) > 1 else float("nan")
        achieved = (len(sends) - 1) / span if len(sends) > 1 else 0.0
        return {
            "due": count,
            "sent": summary.telegram,
            "failed": summary.failed,
            "wall_seconds": wall,
            "achieved_rate": achieved,
            "share_of_send_rate": achieved / rate,
            "answered_429": injected_429,
            "client_saw_429": summary.retry_afters,
            "global_over_limit": flood.global_over,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=25.0)
    args = parser.parse_args()
    figures = asyncio.run(bench(args.count, args.rate))
    print(f"reminders due:            {figures['due']:.0f}")
    print(f"sent by Telegram:         {figures['sent']:.0f} (failed {figures['failed']:.0f})")
    print(f"wall time:                {figures['wall_seconds']:.1f} s")
    print(f"achieved rate:            {figures['achieved_rate']:.2f} msg/s")
    print(f"share of SEND_RATE={args.rate:g}:   {figures['share_of_send_rate']:.1%}")
    print(f"429s provoked:            {figures['answered_429']:.0f}")


if __name__ == "__main__":
    main()
