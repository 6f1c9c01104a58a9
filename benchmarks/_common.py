"""What the benchmarks share: a Bot API session that records requests instead of sending them,
builders for the updates Telegram would deliver, and the full database of the report
benchmarks (22 councils × 100 submitted respondents) with the way they print their timings."""

from __future__ import annotations

import itertools
import random
import sqlite3
import statistics
import time
from collections.abc import AsyncGenerator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)

from rubric.schema import Group, Questionnaire
from storage.opening import open_database

TOKEN = "123456:BENCH-token"
BOT_USER = User(id=123456, is_bot=True, first_name="Datatool", username="datatool_bot")


class RecordingSession(BaseSession):
    """Answers every Bot API call at once with a plausible result and keeps a count, so a
    benchmark measures the bot's own work and nothing of the network."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self._ids = itertools.count(1_000)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = type(method).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            markup = method.reply_markup
            assert markup is None or isinstance(markup, InlineKeyboardMarkup), markup
            result: Any = Message(
                message_id=next(self._ids),
                date=datetime.fromtimestamp(int(time.time()), UTC),
                chat=chat,
                from_user=BOT_USER,
                text=method.text,
                reply_markup=markup,
            )
        else:  # editMessageText, editMessageReplyMarkup, answerCallbackQuery, ...
            result = True
        return result  # type: ignore[no-any-return]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        return None


class Updates:
    """Numbered updates from simulated people."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._messages = itertools.count(1)

    def person(self, user_id: int) -> User:
        return User(id=user_id, is_bot=False, first_name=f"P{user_id}", language_code="en")

    def text(self, user_id: int, text: str) -> Update:
        user = self.person(user_id)
        message = Message(
            message_id=next(self._messages),
            date=datetime.fromtimestamp(int(time.time()), UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=user,
            text=text,
        )
        return Update(update_id=next(self._ids), message=message)

    def command(self, user_id: int, text: str) -> Update:
        update = self.text(user_id, text)
        assert update.message is not None
        command = text.split()[0]
        entity = MessageEntity(type="bot_command", offset=0, length=len(command))
        message = update.message.model_copy(update={"entities": [entity]})
        return Update(update_id=update.update_id, message=message)

    def tap(self, user_id: int, data: str, shown: Message | None = None) -> Update:
        user = self.person(user_id)
        message = shown or Message(
            message_id=next(self._messages),
            date=datetime.fromtimestamp(int(time.time()), UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)),
            from_user=user,
            chat_instance=str(user_id),
            message=message,
            data=data,
        )
        return Update(update_id=next(self._ids), callback_query=query)


# --- the report benchmarks' database ------------------------------------------------------

NOW = "2026-11-27T12:00:00Z"
TEAMS = ("CMT", "Finance", "ICT", "Housing", "Social Care")
COMMENTS = (
    "We need better data sharing between services.",
    "Mae angen gwell rhannu data rhwng gwasanaethau.",
    "Data quality is patchy; the systems do not talk to each other.",
    "Training on data protection would help.",
)


def fill(path: Path, questionnaire: Questionnaire, per_council: int, seed: int = 2018) -> int:
    """Adds `per_council` submitted respondents to every council, in bulk; returns the answers."""
    rng = random.Random(seed)
    asked: dict[Group, list[tuple[str, tuple[str, ...]]]] = {}
    groups: tuple[Group, ...] = ("officer", "member")
    for asked_group in groups:
        rows = []
        for question in questionnaire.questions_for(asked_group):
            scale = questionnaire.scale(question)
            rows.append((question.id, tuple(o.id for o in scale.options) if scale else ()))
        asked[asked_group] = rows
    conn = sqlite3.connect(path)
    answers = 0
    with conn:
        councils = [r[0] for r in conn.execute("SELECT id FROM councils ORDER BY id")]
        for council_id in councils:
            for n in range(per_council):
                group: Group = "officer" if n < per_council * 6 // 10 else "member"
                team = TEAMS[n % len(TEAMS)] if group == "officer" else None
                lang = "cy" if n % 4 == 0 else "en"
                invitee_id = conn.execute(
                    "INSERT INTO invitees (council_id, grp, name, email, language, team,"
                    " token, telegram_id, opened_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        council_id,
                        group,
                        f"Person {council_id}-{n}",
                        f"person{n}@c{council_id}.example",
                        lang,
                        team,
                        f"tok-{council_id}-{n}",
                        council_id * 10_000 + n,
                        NOW,
                        NOW,
                    ),
                ).lastrowid
                response_id = conn.execute(
                    "INSERT INTO responses (invitee_id, language, privacy_accepted,"
                    " started_at, updated_at, submitted_at) VALUES (?, ?, 1, ?, ?, ?)",
                    (invitee_id, lang, NOW, NOW, NOW),
                ).lastrowid
                batch = [
                    (
                        response_id,
                        qid,
                        rng.choice(options) if options else None,
                        None if options else rng.choice(COMMENTS),
                        NOW,
                    )
                    for qid, options in asked[group]
                ]
                conn.executemany(
                    "INSERT INTO answers (response_id, question_id, choice, text, answered_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    batch,
                )
                answers += len(batch)
    conn.close()
    return answers


async def full_database(
    folder: Path, name: str, questionnaire: Questionnaire, per_council: int
) -> Path:
    """A new database in `folder` (schema and the 22 councils), `per_council` submitted
    respondents in each; says how big it is."""
    path = folder / name
    async with await open_database(path):
        pass  # schema and the 22 councils
    t0 = time.perf_counter()
    answers = fill(path, questionnaire, per_council)
    print(
        f"database: 22 councils × {per_council} submitted invitees, {answers:,} answers"
        f" ({time.perf_counter() - t0:.1f} s to fill, {path.stat().st_size / 2**20:.1f} MiB)"
    )
    return path


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def print_timings(rows: Sequence[tuple[str, list[float]]], width: int = 30) -> None:
    """One line per step: median, p95 and max."""
    for name, values in rows:
        print(
            f"  {name:<{width}} median {ms(statistics.median(values)):>9}"
            f"   p95 {ms(p95(values)):>9}   max {ms(max(values)):>9}"
        )
