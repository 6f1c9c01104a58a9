"""Benchmark (in process, for profiling): answers a second through the real dispatcher,
middlewares and handlers, with storage on a real SQLite file and a Bot API session that records
requests instead of sending them; against the same harness with a bare aiogram handler that only
answers the callback and sends one message. ``--profile`` runs the real path under cProfile.

No HTTP, no processes: it shows where the bot's own time goes. The black-box comparison the
goal is measured by (the real bot process over HTTP against bare aiogram bots and
aiogram-dialog-survey) is ``benchmarks/answer_path.py``.

    python -m benchmarks.answer_profile [--people 40] [--profile [tottime|cumulative]]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from benchmarks._common import BOT_USER, TOKEN, RecordingSession, Updates
from bot.app import build_dispatcher
from bot.config import Settings
from rubric.loader import load_questionnaire
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow

QUESTIONS = load_questionnaire().questions_for("officer")
FIRST_ID = 3_000_000


def shown_question(user_id: int, qid: str) -> Message:
    """The question message a tap comes from (with its buttons, so the bot edits it)."""
    return Message(
        message_id=1,
        date=datetime.fromtimestamp(int(time.time()), UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=BOT_USER,
        text="question",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Agree", callback_data=f"a:{qid}:a")]]
        ),
    )


def answer_updates(updates: Updates, people: list[int]) -> list[Update]:
    """Every person answers every question in turn (round robin, as a busy lunch hour)."""
    out = []
    for question in QUESTIONS:
        for user_id in people:
            if question.kind == "text":
                out.append(updates.text(user_id, f"comment from {user_id}"))
            else:
                option = "a" if question.kind == "agree" else "2"
                shown = shown_question(user_id, question.id)
                out.append(updates.tap(user_id, f"a:{question.id}:{option}", shown))
    return out


async def feed_all(dp: Dispatcher, bot: Bot, batch: list[Update]) -> float:
    started = time.perf_counter()
    for update in batch:
        await dp.feed_update(bot, update)
    return time.perf_counter() - started


async def real_path(people: int, profile: str | None) -> tuple[float, int, RecordingSession]:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        settings = Settings(bot_token=TOKEN, datatool_db=db_path, flood_rate=1e9)
        async with await open_database(db_path) as db:
            repo = Repository(db)
            rows = [
                RosterRow(
                    council="powys",
                    group="officer",
                    name=f"Officer {n}",
                    email=f"officer.{n}@powys.example",
                    language="en",
                )
                for n in range(people)
            ]
            await repo.import_roster(rows)
            council = await repo.find_council("powys")
            assert council is not None
            invitations = await repo.ensure_tokens(council.id)
            session = RecordingSession()
            bot = Bot(
                TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
            )
            dp = build_dispatcher(settings, repo)
            updates = Updates()
            ids = [FIRST_ID + n for n in range(people)]
            for user_id, invitation in zip(ids, invitations, strict=True):
                await dp.feed_update(bot, updates.command(user_id, f"/start {invitation.token}"))
                await dp.feed_update(bot, updates.tap(user_id, "l:en"))
                await dp.feed_update(bot, updates.tap(user_id, "n:privacy:"))
            batch = answer_updates(updates, ids)
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            elapsed = await feed_all(dp, bot, batch)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats(profile or "tottime").print_stats(40)
            stored = await db.fetchone("SELECT COUNT(*) FROM answers")
            assert stored is not None and stored[0] == len(batch), (stored, len(batch))
            return elapsed, len(batch), session


async def bare_path(people: int) -> tuple[float, int]:
    router = Router()

    @router.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer("next")

    @router.message()
    async def typed(message: Message) -> None:
        await message.answer("next")

    dp = Dispatcher()
    dp.include_router(router)
    bot = Bot(TOKEN, session=RecordingSession())
    batch = answer_updates(Updates(), [FIRST_ID + n for n in range(people)])
    return await feed_all(dp, bot, batch), len(batch)


async def main(people: int, profile: str | None) -> None:
    bare_s, bare_n = await bare_path(people)
    real_s, real_n, session = await real_path(people, profile)
    bare_cost = bare_s / bare_n * 1000
    real_cost = real_s / real_n * 1000
    print(f"answers fed: {real_n} ({people} people x {len(QUESTIONS)} questions)")
    print(f"bare aiogram handler: {bare_n / bare_s:8.0f} answers/s  {bare_cost:.3f} ms/answer")
    print(f"datatool (real path): {real_n / real_s:8.0f} answers/s  {real_cost:.3f} ms/answer")
    print(f"ratio (cost per answer, real / bare): {real_cost / bare_cost:.2f}  (goal <= 1.5)")
    print(f"Bot API calls on the real path: {dict(sorted(session.counts.items()))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument(
        "--profile",
        nargs="?",
        const="tottime",
        metavar="SORT",
        help="cProfile the real path; the top 40 by SORT (tottime, or cumulative)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.people, args.profile))
