"""Failed writes told apart by their cause, and logged once a minute however many taps fail."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.telegram.faults import WriteFaults
from rubric.catalog import Messages
from storage.faults import cause, is_write_fault
from storage.opening import open_database, open_read_only

LOCALES = Path(__file__).parents[2] / "bot" / "locales"


async def test_read_only_and_locked_writes_are_write_faults(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await open_database(path):
        pass
    async with await open_read_only(path) as db:
        with pytest.raises(sqlite3.OperationalError) as caught:
            await db.execute("DELETE FROM councils")
    assert is_write_fault(caught.value) and cause(caught.value) == "it is read-only"

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert is_write_fault(caught.value)
    assert cause(caught.value) == "another program held its lock too long"

    full = sqlite3.OperationalError("database or disk is full")
    assert is_write_fault(full) and cause(full) == "the disk is full"
    for not_a_fault in (
        sqlite3.IntegrityError("UNIQUE constraint failed: invitees.token"),
        sqlite3.OperationalError("no such column: x"),
        ValueError("database or disk is full"),
    ):
        assert not is_write_fault(not_a_fault)


def test_the_cause_is_logged_once_a_minute_with_a_count(caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    faults = WriteFaults(every=60, clock=lambda: now[0])
    full = sqlite3.OperationalError("database or disk is full")
    locked = sqlite3.OperationalError("database is locked")
    with caplog.at_level(logging.ERROR, logger="bot.telegram.faults"):
        logged = [faults.note(full, "/srv/db") for _ in range(50)]
        assert faults.note(locked, "/srv/db")  # another cause is news
        now[0] += 61
        assert faults.note(full, "/srv/db")
    assert logged == [True] + [False] * 49
    assert [r.getMessage() for r in caplog.records] == [
        "a write to the database /srv/db failed: the disk is full",
        "a write to the database /srv/db failed: another program held its lock too long",
        "a write to the database /srv/db failed: the disk is full;"
        " 49 more failed writes since the last report",
    ]


def test_the_not_saved_notices_exist_in_both_languages_and_fit_a_tap_answer() -> None:
    texts = Messages(LOCALES)
    for key in ("error.not_saved", "error.not_saved_typed"):
        en, cy = texts("en", key), texts("cy", key)
        assert "not saved" in en and "ni chafodd" in cy and "ei gadw" in cy
        assert len(texts.both(key, separator=" / ")) <= 200  # answerCallbackQuery's limit
