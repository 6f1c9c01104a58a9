"""The operator's environment for command-line tests that need a filled database: a working
folder, no Telegram or mail settings, English, and a SQLite file holding `people` and their
releases (`tests.support.report_rows.fill`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.opening import open_database
from tests.support.report_rows import People, fill


def operator_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, people: list[People]) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "AUDITOR_IDS", "SEND_RATE", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATATOOL_LANG", "en")
    db = tmp_path / "test.sqlite3"
    monkeypatch.setenv("DATATOOL_DB", str(db))

    async def setup() -> None:
        async with await open_database(db) as opened:
            await fill(opened, people)

    asyncio.run(setup())
    return tmp_path
