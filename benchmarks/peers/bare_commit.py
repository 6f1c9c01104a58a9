"""Reference bot for ``benchmarks/answer_path.py``: :mod:`bare` plus one durable aiosqlite
commit per answer, before the next question is shown (what a survey that keeps every answer
must pay at the least). SQLite as datatool opens it: WAL, ``synchronous=NORMAL``.

Environment as :mod:`bare`, with ``PEER_DB``: the SQLite file to write.
"""

from __future__ import annotations

import asyncio
import os

import aiosqlite
from bare import serve  # run as a script: benchmarks/peers/ is on sys.path


async def main() -> None:
    async with aiosqlite.connect(os.environ["PEER_DB"]) as db:
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute(
            "CREATE TABLE IF NOT EXISTS answers (chat INTEGER, question TEXT, answer TEXT,"
            " PRIMARY KEY (chat, question))"
        )
        await db.commit()

        async def save(chat: int, question: str, answer: str) -> None:
            await db.execute(
                "INSERT INTO answers VALUES (?, ?, ?)"
                " ON CONFLICT (chat, question) DO UPDATE SET answer = excluded.answer",
                (chat, question, answer),
            )
            await db.commit()

        await serve(save)


if __name__ == "__main__":
    asyncio.run(main())
