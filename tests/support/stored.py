"""What the database holds of people's answers, read as an operator would (a connection of
its own): for the tests that check what a journey stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.opening import open_database

Answers = dict[str, tuple[str | None, str | None]]
"""question id -> (choice, text)."""


async def answers_of(db_path: Path | str, email: str) -> tuple[bool, Answers]:
    """Whether the person invited at ``email`` submitted (every answer of theirs is in a
    submitted response), and their answers; on SQLite or PostgreSQL."""
    async with await open_database(db_path) as db:
        rows = await db.fetchall(
            "SELECT a.question_id, a.choice, a.text, r.submitted_at FROM answers a"
            " JOIN responses r ON r.id = a.response_id JOIN invitees i ON i.id = r.invitee_id"
            " WHERE i.email = ?",
            (email,),
        )
    submitted = bool(rows) and all(r[3] is not None for r in rows)
    return submitted, {r[0]: (r[1], r[2]) for r in rows}


def stored_answers(db_path: Path) -> dict[str, Answers]:
    """email -> answers, for everyone, from the SQLite file; raises if any answer is stored
    twice."""
    with sqlite3.connect(db_path, timeout=10) as conn:
        doubled = conn.execute(
            "SELECT response_id, question_id, COUNT(*) FROM answers"
            " GROUP BY response_id, question_id HAVING COUNT(*) > 1"
        ).fetchall()
        assert doubled == [], doubled
        rows = conn.execute(
            "SELECT i.email, a.question_id, a.choice, a.text FROM answers a"
            " JOIN responses r ON r.id = a.response_id JOIN invitees i ON i.id = r.invitee_id"
        ).fetchall()
    found: dict[str, Answers] = {}
    for email, qid, choice, text in rows:
        found.setdefault(email, {})[qid] = (choice, text)
    return found
